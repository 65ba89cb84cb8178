using LiveScope.Simulation.Options;
using LiveScope.Simulation.Sample;

namespace LiveScope.Simulation.Tests;

public class PhotobleachingTests
{
    [Fact]
    public async Task Total_fluorescence_in_view_decays_with_cumulative_exposure_at_the_configured_rate()
    {
        const double rate = 2.0; // 1/s of exposure at full power
        var options = new SimulationOptions { Seed = 3, Photophysics = new PhotophysicsOptions { ImagingBleachRatePerS = rate } };
        await using var rig = Rig.Open(options);
        var sample = rig.Session.Sample;
        var fov = rig.Camera.CurrentFieldOfView;
        // Cells wholly inside the field of view: every molecule of theirs is lit by every exposure.
        var inside = sample.Cells.Where(c => c.XUm - c.BoundingRadiusUm > fov.LeftUm && c.XUm + c.BoundingRadiusUm < fov.RightUm
                                           && c.YUm - c.BoundingRadiusUm > fov.TopUm && c.YUm + c.BoundingRadiusUm < fov.BottomUm).ToList();
        inside.Should().NotBeEmpty();
        double Fluorescence() => inside.Sum(sample.FluorescentMolecules);

        double f0 = Fluorescence();
        double power = rig.Light.PowerFraction, exposureS = rig.Camera.Settings.ExposureMs / 1000;
        var cumulative = new List<double>();
        var logRatio = new List<double>();
        for (int i = 1; i <= 20; i++)
        {
            (await rig.Camera.SnapAsync(default)).Dispose();
            cumulative.Add(i * power * exposureS);
            logRatio.Add(Math.Log(Fluorescence() / f0));
        }
        // Slope of ln(F/F0) against cumulative light dose (power·exposure): −rate.
        double slope = cumulative.Zip(logRatio, (x, y) => x * y).Sum() / cumulative.Sum(x => x * x);
        slope.Should().BeApproximately(-rate, 0.01 * rate);
        logRatio[^1].Should().BeApproximately(-rate * cumulative[^1], 0.01);
    }

    [Fact]
    public async Task Cells_out_of_view_are_not_bleached()
    {
        var options = new SimulationOptions { Seed = 3, Photophysics = new PhotophysicsOptions { ImagingBleachRatePerS = 2 } };
        await using var rig = Rig.Open(options);
        var sample = rig.Session.Sample;
        var far = sample.CellAt(sample.Cells[0].XUm, sample.Cells[0].YUm)!;
        double before = sample.FluorescentMolecules(far);
        for (int i = 0; i < 5; i++) (await rig.Camera.SnapAsync(default)).Dispose();
        sample.FluorescentMolecules(far).Should().BeApproximately(before, before * 1e-9);
    }
}
