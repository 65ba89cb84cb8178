using LiveScope.Core.Calibration;
using LiveScope.Core.Geometry;
using LiveScope.Simulation.Options;

namespace LiveScope.Simulation.Tests;

public class CalibrationTests
{
    [Fact]
    public async Task The_core_calibrator_recovers_the_configured_misalignment_within_half_a_pixel()
    {
        await using var rig = Rig.Open(new SimulationOptions { Seed = 13 });
        var result = await PhotoTargeterCalibrator.CalibrateAsync(rig.Targeter, rig.Camera);

        var truth = rig.Targeter.TrueCameraToTarget;
        truth.Should().NotBe(LiveScope.Core.Geometry.AffineTransform2D.Identity);
        var back = truth.Inverse();
        double worst = 0;
        for (double y = 0; y <= 511; y += 31)
            for (double x = 0; x <= 511; x += 31)
            {
                var p = new PixelPoint(x, y);
                worst = Math.Max(worst, back.Apply(result.CameraToTarget.Apply(p)).DistanceTo(p));
            }
        worst.Should().BeLessThan(0.5);
        result.RmsResidualPx.Should().BeLessThan(0.5);
        rig.Targeter.LaserOn.Should().BeFalse();
    }

    [Fact]
    public async Task A_reflection_appears_only_in_the_frame_after_firing()
    {
        await using var rig = Rig.Open(new SimulationOptions { Seed = 14 });
        using var before = await rig.Camera.SnapAsync(default);
        await rig.Targeter.FireAtTargetAsync(new PixelPoint(256, 256), TimeSpan.FromMilliseconds(20), 0.2, default);
        using var after = await rig.Camera.SnapAsync(default);
        using var later = await rig.Camera.SnapAsync(default);
        var expected = rig.Targeter.TrueCameraToTarget.Inverse().Apply(new PixelPoint(256, 256));
        PhotoTargeterCalibrator.FindChange(before, after).DistanceTo(expected).Should().BeLessThan(0.5);
        after[(int)Math.Round(expected.X), (int)Math.Round(expected.Y)].Should()
            .BeGreaterThan((ushort)(later[(int)Math.Round(expected.X), (int)Math.Round(expected.Y)] + 1000));
    }
}
