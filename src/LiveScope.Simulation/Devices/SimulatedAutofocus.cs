using LiveScope.Core.Devices;
using LiveScope.Simulation.Options;

namespace LiveScope.Simulation.Devices;

/// <summary>
/// Image-based autofocus: a coarse z sweep around the current position scoring each frame's sharpness, a fine sweep
/// around the best, and the focus stage left at the best position. Uses the session's camera and focus stage.
/// </summary>
public sealed class SimulatedAutofocus(string name, SimulatedSession session, SimAutofocusOptions options)
    : SimulatedDevice(name, DeviceKind.Autofocus, session, TimeSpan.FromMilliseconds(options.TimeoutMs)), IAutofocus
{
    public string Method => "image-based (Brenner sharpness z sweep)";

    public Task<AutofocusResult> FocusAsync(CancellationToken ct) => Bounded("focus", async token =>
    {
        var camera = Session.Camera ?? throw new DeviceException(Name, "focus", "no simulated camera to focus with");
        var focus = Session.Focus ?? throw new DeviceException(Name, "focus", "no simulated focus stage to move");
        var saved = camera.Settings;
        try
        {
            await camera.ApplyAsync(saved with { ExposureMs = options.ExposureMs }, token).ConfigureAwait(false);
            double start = focus.PositionUm;
            var (bestZ, _) = await SweepAsync(camera, focus, start, options.RangeUm, options.StepUm, token).ConfigureAwait(false);
            var (fineZ, score) = await SweepAsync(camera, focus, bestZ, options.StepUm, options.StepUm / 5, token).ConfigureAwait(false);
            await focus.MoveToAsync(fineZ, token).ConfigureAwait(false);
            return new AutofocusResult(true, fineZ, score);
        }
        finally
        {
            await camera.ApplyAsync(saved, CancellationToken.None).ConfigureAwait(false);
        }
    }, ct);

    private static async Task<(double Z, double Score)> SweepAsync(SimulatedCamera camera, SimulatedFocusStage focus, double centre,
        double halfRange, double step, CancellationToken ct)
    {
        double bestZ = centre, bestScore = double.NegativeInfinity;
        int n = (int)Math.Round(halfRange / step);
        for (int i = -n; i <= n; i++)
        {
            double z = Math.Clamp(centre + i * step, focus.Limits.MinUm, focus.Limits.MaxUm);
            await focus.MoveToAsync(z, ct).ConfigureAwait(false);
            using var frame = await camera.SnapAsync(ct).ConfigureAwait(false);
            double score = Sharpness.Brenner(frame);
            if (score > bestScore) (bestZ, bestScore) = (z, score);
        }
        return (bestZ, bestScore);
    }

    public override Task MakeSafeAsync(CancellationToken ct)
    {
        Session.CountMakeSafe();
        return Task.CompletedTask;
    }
}
