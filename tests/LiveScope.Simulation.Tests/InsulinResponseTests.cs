using LiveScope.Core.Devices;
using LiveScope.Core.Timing;
using LiveScope.Simulation.Options;
using LiveScope.Simulation.Truth;
using Xunit.Abstractions;

namespace LiveScope.Simulation.Tests;

public class InsulinResponseTests(ITestOutputHelper output)
{
    /// <summary>
    /// Clustered IR fraction in the ground truth 15 minutes after 100 nM insulin, over its value just before. The camera
    /// sees the whole (400 µm) dish through 0.65 µm pixels, so the fraction is averaged over ~170 cells.
    /// </summary>
    private static async Task<double> ClusteredFractionRiseAsync(SampleCondition condition, string? pretreatment = null,
        double insulinNm = 100)
    {
        var options = new SimulationOptions
        {
            Seed = 5,
            Condition = condition,
            Sample = new SampleOptions { WidthUm = 400, HeightUm = 400 },
            PhysicsStepS = 2,
        };
        // The second snap catches the whole dish up by 15 minutes of physics: allow it more than a camera's usual timeout.
        await using var rig = Rig.Open(options, "sensor_width: 640\nsensor_height: 640\npixel_size_um: 0.65\ntimeout_ms: 600000");
        var truth = new GroundTruthRecorder();
        using var _ = rig.Camera.GroundTruth.Subscribe(truth);
        if (pretreatment is not null)
        {
            // Pre-treatment: long enough for cluster turnover to settle at the treated exchange rate.
            await rig.Pump.AddReagentAsync(new ReagentAddition(pretreatment, 2, "mM"), default);
            await rig.Session.Clock.WaitAsync(TimeSpan.FromMinutes(20), default);
        }
        (await rig.Camera.SnapAsync(default)).Dispose();
        if (insulinNm > 0) await rig.Pump.AddReagentAsync(new ReagentAddition("insulin", insulinNm, "nM"), default);
        await rig.Session.Clock.WaitUntilAsync(rig.Session.Clock.Now + TimeSpan.FromMinutes(15), default);
        (await rig.Camera.SnapAsync(default)).Dispose();

        var frames = truth.Frames;
        frames.Should().HaveCount(2);
        frames[0].CellsInView.Should().BeGreaterThan(150);
        frames[0].ClusteredFraction.Should().BeInRange(0.03, 0.3);
        return frames[1].ClusteredFraction / frames[0].ClusteredFraction;
    }

    [Fact]
    public async Task Insulin_raises_clustering_in_sensitive_cells_not_in_resistant_ones_and_metformin_lies_between()
    {
        double sensitive = await ClusteredFractionRiseAsync(SampleCondition.InsulinSensitive);
        double resistant = await ClusteredFractionRiseAsync(SampleCondition.InsulinResistant);
        double metformin = await ClusteredFractionRiseAsync(SampleCondition.ResistantMetformin);
        output.WriteLine($"clustered fraction after/before 15 min insulin: sensitive {sensitive:0.000}, resistant {resistant:0.000}, resistant+metformin {metformin:0.000}");

        sensitive.Should().BeGreaterThanOrEqualTo(1.5);
        resistant.Should().BeLessThan(1.15);
        metformin.Should().BeGreaterThan(resistant).And.BeLessThan(sensitive);
    }

    [Fact]
    public async Task Metformin_added_through_the_pump_partly_rescues_resistant_cells()
    {
        double treated = await ClusteredFractionRiseAsync(SampleCondition.InsulinResistant, pretreatment: "metformin");
        output.WriteLine($"resistant cells pre-treated with 2 mM metformin through the pump: {treated:0.000}");
        treated.Should().BeGreaterThan(1.2).And.BeLessThan(2.0);
    }

    [Fact]
    public async Task Without_insulin_clustering_stays_at_its_steady_state()
    {
        double control = await ClusteredFractionRiseAsync(SampleCondition.InsulinResistant, insulinNm: 0);
        output.WriteLine($"resistant cells, no insulin, 15 min: {control:0.000}");
        control.Should().BeInRange(0.93, 1.07);
    }
}
