using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Protocols;
using LiveScope.Core.Calibration;
using LiveScope.Core.Hardware;
using LiveScope.Simulation.Devices;
using Microsoft.Extensions.Logging;

namespace LiveScope.Cli.Hosting;

public enum CalibrationMode { Auto, Always, Never }

/// <summary>
/// Calibrates the photo-targeter (camera pixels → laser coordinates) before a run that bleaches, so a cluster chosen
/// in the image is the spot the laser hits. Calibration fires the laser at a grid of spots, so on a real rig it
/// belongs on a calibration slide: <c>auto</c> does it only on the simulated microscope; <c>always</c> asks for it
/// explicitly on any rig. The result (and the residual) goes to the event log.
/// </summary>
public static class TargeterCalibration
{
    public static bool Bleaches(Protocol p) => p.Frap.Count > 0 || p.Adapt.Rules.Any(r => r.Then.OfType<BleachAction>().Any());

    public static async Task CalibrateIfNeededAsync(Microscope scope, Protocol protocol, CalibrationMode mode, IRunEventLog events,
        ILogger log, CancellationToken ct)
    {
        if (scope.PhotoTargeter is not { } targeter || !Bleaches(protocol) || mode == CalibrationMode.Never) return;
        if (mode == CalibrationMode.Auto && targeter is not SimulatedPhotoTargeter) return;
        var result = await PhotoTargeterCalibrator.CalibrateAsync(targeter, scope.Camera, ct: ct);
        targeter.CameraToTarget = result.CameraToTarget;
        log.LogInformation("Photo-targeter {Name} calibrated on {Points} spots: RMS residual {Residual:0.000} px",
            targeter.Name, result.Points.Count, result.RmsResidualPx);
        var t = result.CameraToTarget;
        events.Write("calibration", scope.Clock.Now, new Dictionary<string, object?>
        {
            ["device"] = targeter.Name, ["points"] = result.Points.Count, ["rms_residual_px"] = result.RmsResidualPx,
            ["camera_to_target"] = t.ToString(),
        });
    }
}
