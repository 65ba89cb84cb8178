using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Simulation.Options;

namespace LiveScope.Simulation.Devices;

/// <summary>
/// A FRAP galvo with a laser. Its true camera→target mapping is the configured misalignment; <see cref="CameraToTarget"/>
/// is only what the software believes (identity until calibrated). Firing bleaches the sample under the true spot and
/// leaves the spot's reflection in the camera's next frame, so calibration works on any sample. The laser is on only
/// inside a call and off again on every exit path.
/// </summary>
public sealed class SimulatedPhotoTargeter : SimulatedDevice, IPhotoTargeter
{
    private const double FwhmPerSigma = 2.3548;
    private readonly SimPhotoTargeterOptions _options;
    private readonly AffineTransform2D _targetToCamera;
    private int _laserOn;
    private int _firings;

    public SimulatedPhotoTargeter(string name, SimulatedSession session, SimPhotoTargeterOptions options)
        : base(name, DeviceKind.PhotoTargeter, session, TimeSpan.FromMilliseconds(options.TimeoutMs))
    {
        _options = options;
        var m = options.Misalignment;
        TrueCameraToTarget = new AffineTransform2D(m.A, m.B, m.C, m.D, m.E, m.F);
        _targetToCamera = TrueCameraToTarget.Inverse();
        TargetRange = new TargetBounds(options.TargetMinX, options.TargetMinY, options.TargetMaxX, options.TargetMaxY);
    }

    /// <summary>What the galvo really does (the simulation's secret); calibration should find it.</summary>
    public AffineTransform2D TrueCameraToTarget { get; }
    public AffineTransform2D CameraToTarget { get; set; } = AffineTransform2D.Identity;
    public double SpotDiameterPx => _options.SpotDiameterPx;
    public bool LaserOn => Volatile.Read(ref _laserOn) != 0;
    public TargetBounds TargetRange { get; }
    public int Firings => Volatile.Read(ref _firings);

    public Task FireAtTargetAsync(PixelPoint target, TimeSpan dwell, double powerFraction, CancellationToken ct) =>
        Bounded("fire", token => FireAsync(target, dwell, powerFraction, token, reflect: true), ct);

    public Task BleachAsync(BleachRegion region, BleachSettings settings, CancellationToken ct) => Bounded("bleach", async token =>
    {
        var spots = BleachRaster.Spots(region, SpotDiameterPx);
        foreach (var spot in spots)
            await FireAsync(CameraToTarget.Apply(spot), settings.DwellPerSpot, settings.PowerFraction, token, reflect: false).ConfigureAwait(false);
    }, ct);

    /// <summary>
    /// One shot. A single shot (calibration) is timed into the camera's next exposure, so its reflection shows there;
    /// a bleach raster runs between exposures and leaves only the bleached molecules, as on a real FRAP module.
    /// </summary>
    private async Task FireAsync(PixelPoint target, TimeSpan dwell, double power, CancellationToken ct, bool reflect)
    {
        var limits = Session.Limits;
        if (!(power > 0) || power > 1 || power > limits.MaxBleachPowerFraction)
            throw new DeviceLimitException(Name, "fire", $"power {power} is outside (0, {Math.Min(1, limits.MaxBleachPowerFraction)}]");
        if (dwell <= TimeSpan.Zero || dwell.TotalMilliseconds > limits.MaxBleachDwellMs)
            throw new DeviceLimitException(Name, "fire", $"dwell {dwell.TotalMilliseconds} ms is outside (0, {limits.MaxBleachDwellMs}] ms");
        var r = TargetRange;
        if (target.X < r.MinX || target.X > r.MaxX || target.Y < r.MinY || target.Y > r.MaxY)
            throw new DeviceLimitException(Name, "fire", $"target {target} is outside the reachable range");
        try
        {
            Volatile.Write(ref _laserOn, 1);
            Interlocked.Increment(ref _firings);
            var camera = _targetToCamera.Apply(target);
            lock (Session.Gate)
            {
                var sample = Session.Sample;
                sample.AdvanceTo(Session.Clock.Now.TotalSeconds);
                var fov = Session.Camera?.CurrentFieldOfView
                          ?? new Rendering.FieldOfView(-256 * 0.1625, -256 * 0.1625, 0.1625, 512, 512);
                double xUm = fov.ToUmX(camera.X), yUm = fov.ToUmY(camera.Y);
                double sigmaUm = SpotDiameterPx / FwhmPerSigma * fov.PixelUm;
                sample.BleachSpot(xUm, yUm, sigmaUm, Session.Options.Photophysics.LaserBleachRatePerS * power * dwell.TotalSeconds);
                var (sx, sy) = Session.StagePosition;
                if (reflect) Session.AddReflection(xUm - sx, yUm - sy, sigmaUm, _options.ReflectionPhotonsPerMs * dwell.TotalMilliseconds * power);
            }
            await Session.Clock.AdvanceAsync(dwell, ct).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _laserOn, 0);
        }
    }

    public override Task MakeSafeAsync(CancellationToken ct)
    {
        Session.CountMakeSafe();
        Volatile.Write(ref _laserOn, 0);
        return Task.CompletedTask;
    }
}
