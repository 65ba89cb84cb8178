using LiveScope.Core.Geometry;
using LiveScope.Simulation.Devices;
using LiveScope.Simulation.Options;
using LiveScope.Simulation.Truth;

namespace LiveScope.Simulation.Tests;

public class StageAndFocusTests
{
    [Fact]
    public async Task Another_xy_position_shows_other_cells()
    {
        await using var rig = Rig.Open(new SimulationOptions { Seed = 8 });
        var truth = new GroundTruthRecorder();
        using var _ = rig.Camera.GroundTruth.Subscribe(truth);
        using var here = await rig.Camera.SnapAsync(default);
        await rig.XY.MoveToAsync(new StagePositionUm(150, -120), default);
        using var there = await rig.Camera.SnapAsync(default);

        there.Metadata.StageXUm.Should().Be(150);
        there.Metadata.StageYUm.Should().Be(-120);
        var cellsHere = truth.Frames[0].Clusters.Select(c => c.CellId).ToHashSet();
        var cellsThere = truth.Frames[1].Clusters.Select(c => c.CellId).ToHashSet();
        cellsHere.Should().NotBeEmpty();
        cellsThere.Should().NotBeEmpty();
        cellsHere.Overlaps(cellsThere).Should().BeFalse();
        double meanDifference = Enumerable.Range(0, here.Pixels.Length).Average(i => Math.Abs(here.Pixels[i] - there.Pixels[i]));
        meanDifference.Should().BeGreaterThan(10);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task Sharpness_falls_monotonically_with_defocus(int direction)
    {
        await using var rig = Rig.Open(new SimulationOptions { Seed = 9 });
        double focus = rig.Session.Options.Sample.FocusPlaneUm;
        var scores = new List<double>();
        foreach (double dz in new[] { 0, 0.25, 0.5, 1, 1.5, 2, 3, 4, 6 })
        {
            await rig.Focus.MoveToAsync(focus + direction * dz, default);
            using var f = await rig.Camera.SnapAsync(default);
            scores.Add(Sharpness.Brenner(f));
        }
        scores.Should().BeInDescendingOrder();
        scores.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Autofocus_finds_the_focal_plane_and_leaves_the_stage_there()
    {
        await using var rig = Rig.Open(new SimulationOptions { Seed = 10 });
        double plane = rig.Session.Options.Sample.FocusPlaneUm;
        await rig.Focus.MoveToAsync(plane + 1.8, default);
        var result = await rig.Autofocus.FocusAsync(default);
        result.Success.Should().BeTrue();
        result.ZUm.Should().BeApproximately(plane, 0.15);
        rig.Focus.PositionUm.Should().Be(result.ZUm);
        rig.Camera.Settings.ExposureMs.Should().Be(50, "autofocus restores the camera settings");
    }

    [Fact]
    public async Task Focus_drift_when_enabled_moves_the_focal_plane_slowly()
    {
        var options = new SimulationOptions { Seed = 4, Optics = new OpticsOptions { FocusDrift = true, FocusDriftUmPerMin = 0.1, FocusJitterUmPerSqrtMin = 0 } };
        await using var rig = Rig.Open(options);
        rig.Session.FocalPlaneUm(600).Should().BeApproximately(options.Sample.FocusPlaneUm + 1.0, 1e-9);
        await using var steady = Rig.Open(new SimulationOptions { Seed = 4 });
        steady.Session.FocalPlaneUm(600).Should().Be(options.Sample.FocusPlaneUm);
    }
}
