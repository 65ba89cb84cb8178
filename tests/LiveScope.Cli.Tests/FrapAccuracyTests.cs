using LiveScope.Analysis.Frap;
using LiveScope.Simulation.Options;
using Xunit.Abstractions;

namespace LiveScope.Cli.Tests;

/// <summary>
/// Issue #4: on simulated recoveries with camera noise, FrapStepAnalyzer recovers t½ within 5 % and the mobile fraction
/// within 0.03 of the simulator's truth (t½ = ln2/k_off, mobile = 1 − immobile fraction). The frames are the simulated
/// camera's (shot noise, read noise, offset, gain; acquisition bleaching on), the ROI is the bleached circle (one
/// laser spot, 2 px), the analyzer segments the cell itself, as it does live, and fits the recovery coupled to the
/// pool measured around the ROI (<see cref="FrapStepAnalyzer.MeasureLocalPool"/>; docs/frap.md).
/// </summary>
public class FrapAccuracyTests(ITestOutputHelper output)
{
    internal static async Task<(FrapStepResult Result, FrapSimulation.Outcome Truth)> MeasureAsync(FrapSimulation.Settings settings,
        bool compartmentReference = false, bool localPool = true)
    {
        FrapStepAnalyzer? analyzer = null;
        var truth = await FrapSimulation.RunAsync(settings,
            onTarget: (x, y) => analyzer = new FrapStepAnalyzer("frap", x, y, settings.RoiRadiusPx, settings.PreBleachFrames) { Position = "cell", CompartmentReference = compartmentReference, MeasureLocalPool = localPool },
            onFrame: (frame, _) => analyzer!.Add(frame));
        return (analyzer!.Complete(), truth);
    }

    private string Describe(FrapStepResult r, FrapSimulation.Outcome t)
    {
        var f = r.Fit;
        var text = f is null
            ? $"failed: {r.Failure}"
            : $"t½ {f.HalfTimeS:0.00} ± {f.HalfTimeStandardErrorS:0.00} s (truth {t.TrueHalfTimeS:0.00}, {100 * (f.HalfTimeS / t.TrueHalfTimeS - 1):+0.0;-0.0} %), " +
              $"mobile {f.MobileFraction:0.000} ± {f.MobileFractionStandardError:0.000} (truth {t.TrueMobile:0.000}, {f.MobileFraction - t.TrueMobile:+0.000;-0.000}), " +
              $"R² {f.RSquared:0.000}, bleach depth {f.BleachDepth:0.00} (cluster truth {t.TruthBleachDepth:0.00}), gap {f.GapRatio:0.00}, " +
              $"local pool at the end {f.PoolShareAtEnd:0.000} of the cell's ({r.Curve!.LocalPoolSectorsLeftOut} ring sectors left out), warnings [{string.Join("; ", f.Warnings)}]";
        text += $"; target {t.Target.Molecules:0} molecules r {t.Target.RadiusUm:0.00} µm at ({t.BleachXPx}, {t.BleachYPx}) cell {r.CellId}, survived {t.TargetSurvived}, {t.Target.Compartment}, " +
                $"other clusters in the ROI ≤ {t.MostIntruders}, within 12 px ≤ {t.MostNear}, ring in the target's compartment {t.RingInCompartment:0.00}, " +
                $"truth pool share at the end {t.TruthPoolShare[^1] / t.TruthPoolSharePre:0.000}";
        output.WriteLine(text);
        return text;
    }

    [Theory]
    [InlineData(21, SampleCondition.InsulinSensitive, 1.0, 90)]
    [InlineData(22, SampleCondition.InsulinResistant, 2.0, 110)]
    public async Task Half_time_within_5_percent_and_mobile_fraction_within_003_of_the_simulators_truth(
        int seed, SampleCondition condition, double intervalS, int recoveryFrames)
    {
        var (r, t) = await MeasureAsync(new FrapSimulation.Settings
        {
            Seed = seed, Condition = condition, IntervalS = intervalS, RecoveryFrames = recoveryFrames,
        });
        Describe(r, t);
        r.Failure.Should().BeNull();
        t.TargetSurvived.Should().BeTrue("the bleached cluster must outlive the recovery");
        t.MostIntruders.Should().Be(0, "no other cluster may enter the ROI: that measures the neighbour, not the analysis");
        r.Fit!.HalfTimeS.Should().BeApproximately(t.TrueHalfTimeS, 0.05 * t.TrueHalfTimeS);
        r.Fit.MobileFraction.Should().BeApproximately(t.TrueMobile, 0.03);
    }

    /// <summary>
    /// Eight more fields, eight targets (cytoplasm, membrane and nucleus clusters): each within the issue's tolerances,
    /// and no bias on average. (Whole-cell reference and a 3 px bleach: mobile fraction 0.07 low on the nuclear
    /// cluster, t½ −6.8 % on field 7 — the bleach depleting the cluster's pool; docs/frap.md.)
    /// </summary>
    [Fact]
    public async Task In_each_of_eight_more_fields_half_time_within_5_percent_and_mobile_fraction_within_003()
    {
        var halfErrors = new List<double>();
        var mobileErrors = new List<double>();
        for (int seed = 1; seed <= 8; seed++)
        {
            var (r, t) = await MeasureAsync(new FrapSimulation.Settings { Seed = seed });
            Describe(r, t);
            r.Failure.Should().BeNull();
            t.MostIntruders.Should().Be(0, "no other cluster may enter the ROI: that measures the neighbour, not the analysis");
            halfErrors.Add(r.Fit!.HalfTimeS / t.TrueHalfTimeS - 1);
            mobileErrors.Add(r.Fit.MobileFraction - t.TrueMobile);
        }
        output.WriteLine($"mean t½ error {100 * halfErrors.Average():+0.0;-0.0} %, mean mobile error {mobileErrors.Average():+0.000;-0.000}");
        halfErrors.Should().OnlyContain(e => Math.Abs(e) < 0.05);
        mobileErrors.Should().OnlyContain(e => Math.Abs(e) < 0.03);
        halfErrors.Average().Should().BeInRange(-0.02, 0.02);
        mobileErrors.Average().Should().BeInRange(-0.015, 0.015);
    }
}
