using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Protocols;
using LiveScope.Core.Calibration;
using LiveScope.Core.Hardware;
using LiveScope.Simulation.Devices;
using Microsoft.Extensions.Logging;

namespace LiveScope.Cli.Hosting;

public enum CalibrationMode { Auto, Always, Never }

/// <summary>A run that would aim the laser without a trustworthy calibration; it stops before anything moves.</summary>
public sealed class CalibrationRefusedException(string message) : Exception(message);

/// <summary>
/// Calibrates the photo-targeter (camera pixels → laser coordinates) before a run that bleaches, so a cluster chosen
/// in the image is the spot the laser hits. Calibration fires the laser at a grid of spots, so on a real rig it
/// belongs on a calibration slide: <c>auto</c> calibrates the simulated microscope and refuses to bleach on a real one
/// (no calibration is kept between sessions yet); <c>always</c> asks the operator to put the calibration slide in and
/// to put the sample back; <c>never</c> trusts the map the device already has. A calibration whose residual shows the
/// spots were not found is refused. The result goes to the event log.
/// </summary>
public static class TargeterCalibration
{
    /// <summary>Worst RMS residual (px) of a usable calibration: beyond it, the spots were not found where a map can explain them.</summary>
    public const double MaxResidualPx = 1.0;

    public static bool Bleaches(Protocol p) => p.Frap.Count > 0 || p.Adapt.Rules.Any(r => r.Then.OfType<BleachAction>().Any());

    public static async Task CalibrateIfNeededAsync(Microscope scope, Protocol protocol, CalibrationMode mode, IRunEventLog events,
        IOperatorPrompt operatorPrompt, ILogger log, CancellationToken ct)
    {
        if (scope.PhotoTargeter is not { } targeter || !Bleaches(protocol) || mode == CalibrationMode.Never) return;
        bool simulated = targeter is SimulatedPhotoTargeter;
        if (mode == CalibrationMode.Auto && !simulated)
            throw new CalibrationRefusedException(
                $"{protocol.SourceFile}: this protocol bleaches, but the photo-targeter {targeter.Name} has no calibration in this session. " +
                "Put a calibration slide in and run with --calibrate-targeter always, or --calibrate-targeter never to trust the device's own map.");
        if (!simulated)
            await operatorPrompt.ConfirmAsync($"Calibrating {targeter.Name}: put the calibration slide in place (the laser will fire 9 spots), then confirm.", ct);
        var result = await PhotoTargeterCalibrator.CalibrateAsync(targeter, scope.Camera, ct: ct);
        events.Write("calibration", scope.Clock.Now, new Dictionary<string, object?>
        {
            ["device"] = targeter.Name, ["points"] = result.Points.Count, ["rms_residual_px"] = result.RmsResidualPx,
            ["camera_to_target"] = result.CameraToTarget.ToString(), ["accepted"] = result.RmsResidualPx <= MaxResidualPx,
        });
        if (!(result.RmsResidualPx <= MaxResidualPx))
            throw new CalibrationRefusedException(
                $"calibrating {targeter.Name} left an RMS residual of {result.RmsResidualPx:0.00} px (limit {MaxResidualPx} px): the spots were not found, " +
                "so no bleach will be aimed with it. Check that the camera sees the calibration slide and the laser reaches it.");
        targeter.CameraToTarget = result.CameraToTarget;
        log.LogInformation("Photo-targeter {Name} calibrated on {Points} spots: RMS residual {Residual:0.000} px",
            targeter.Name, result.Points.Count, result.RmsResidualPx);
        if (!simulated)
            await operatorPrompt.ConfirmAsync("Calibration done: put the sample back in place, then confirm.", ct);
    }
}
