using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.MicroManager.Core;

namespace LiveScope.MicroManager.Devices;

/// <summary>Photo-targeter settings from the device config.</summary>
public sealed record MMGalvoOptions
{
    /// <summary>Diameter of one laser spot in camera pixels; regions are rastered at this pitch.</summary>
    public double SpotDiameterPx { get; init; } = 3;
    /// <summary>Bleach polygons with MMCore's galvo polygon calls (one run) instead of spot by spot.</summary>
    public bool UsePolygons { get; init; } = true;
    /// <summary>Optional laser power property; fraction 1 writes <see cref="MMPowerProperty.Max"/>.</summary>
    public MMPowerProperty? Power { get; init; }
}

/// <summary>
/// A Micro-Manager galvo as LiveScope's photo-targeter: pointGalvoAndFire for spots, MMCore's galvo polygons for
/// polygon regions, its own target range from getGalvoX/YMinimum and Range. <see cref="CameraToTarget"/> comes from
/// Core's <c>PhotoTargeterCalibrator</c>. The laser is only on inside a call; making it safe turns illumination off.
/// </summary>
public sealed class MMGalvoTargeter : MMDevice, IPhotoTargeter
{
    private readonly MMGalvoOptions _options;
    private volatile bool _laserOn;

    public MMGalvoTargeter(string name, string label, MMCore core, TimeSpan callTimeout, MMGalvoOptions options)
        : base(name, label, core, callTimeout)
    {
        _options = options;
        double minX = core.GetGalvoXMinimum(label), minY = core.GetGalvoYMinimum(label);
        TargetRange = new TargetBounds(minX, minY, minX + core.GetGalvoXRange(label), minY + core.GetGalvoYRange(label));
    }

    public override DeviceKind Kind => DeviceKind.PhotoTargeter;
    public AffineTransform2D CameraToTarget { get; set; } = AffineTransform2D.Identity;
    public double SpotDiameterPx => _options.SpotDiameterPx;
    public bool LaserOn => _laserOn;
    public TargetBounds TargetRange { get; }

    private void CheckInRange(PixelPoint target)
    {
        var r = TargetRange;
        if (!(target.X >= r.MinX && target.X <= r.MaxX && target.Y >= r.MinY && target.Y <= r.MaxY))
            throw new DeviceLimitException(Name, "fire", $"target {target} is outside the galvo's range [{r.MinX}, {r.MaxX}] × [{r.MinY}, {r.MaxY}]");
    }

    private static void CheckSettings(string name, TimeSpan dwell, double powerFraction)
    {
        if (dwell <= TimeSpan.Zero) throw new DeviceLimitException(name, "fire", $"dwell {dwell.TotalMilliseconds} ms must be positive");
        if (double.IsNaN(powerFraction) || powerFraction < 0 || powerFraction > 1)
            throw new DeviceLimitException(name, "fire", $"power fraction {powerFraction} is outside 0 to 1");
    }

    private void SetPower(double fraction)
    {
        if (_options.Power is { } p) Core.SetProperty(p.Device, p.Property, fraction * p.Max);
    }

    public Task FireAtTargetAsync(PixelPoint target, TimeSpan dwell, double powerFraction, CancellationToken ct)
    {
        CheckInRange(target);
        CheckSettings(Name, dwell, powerFraction);
        return RunAsync("fire", token => Fire([target], dwell, powerFraction, token), ct, CallTimeout + dwell);
    }

    /// <summary>Bumped by every make-safe: a raster still running on a pool thread sees it and fires no further spot.</summary>
    private int _safeGeneration;

    private void Fire(IReadOnlyList<PixelPoint> targets, TimeSpan dwell, double powerFraction, CancellationToken ct)
    {
        int generation = Volatile.Read(ref _safeGeneration);
        try
        {
            SetPower(powerFraction);
            _laserOn = true;
            foreach (var t in targets)
            {
                // A cancelled or timed-out bleach, or a make-safe meanwhile, must not fire one more spot.
                if (ct.IsCancellationRequested || Volatile.Read(ref _safeGeneration) != generation) return;
                Core.PointGalvoAndFire(Label, t.X, t.Y, dwell.TotalMicroseconds);
                // pointGalvoAndFire returns before the pulse ends; wait it out so spots do not overlap in time.
                Thread.Sleep(dwell);
            }
        }
        finally
        {
            LaserOff();
        }
    }

    /// <summary>Illumination off and power to zero, each attempted whatever the other did.</summary>
    private void LaserOff()
    {
        _laserOn = false;
        try
        {
            Core.SetGalvoIlluminationState(Label, false);
        }
        finally
        {
            SetPower(0);
        }
    }

    public Task BleachAsync(BleachRegion region, BleachSettings settings, CancellationToken ct)
    {
        CheckSettings(Name, settings.DwellPerSpot, settings.PowerFraction);
        if (region is BleachPolygon polygon && _options.UsePolygons)
        {
            var vertices = polygon.Vertices.Select(CameraToTarget.Apply).ToList();
            if (vertices.Count < 3) throw new ArgumentException("a bleach polygon needs at least 3 vertices");
            foreach (var v in vertices) CheckInRange(v);
            var estimate = settings.DwellPerSpot * BleachRaster.Spots(region, SpotDiameterPx).Count;
            return RunAsync("bleach polygon", () => RunPolygon(vertices, settings), ct, CallTimeout + estimate);
        }
        var targets = BleachRaster.Spots(region, SpotDiameterPx).Select(CameraToTarget.Apply).ToList();
        foreach (var t in targets) CheckInRange(t);
        return RunAsync("bleach", token => Fire(targets, settings.DwellPerSpot, settings.PowerFraction, token), ct,
            CallTimeout + settings.DwellPerSpot * targets.Count);
    }

    private void RunPolygon(IReadOnlyList<PixelPoint> vertices, BleachSettings settings)
    {
        try
        {
            Core.DeleteGalvoPolygons(Label);
            foreach (var v in vertices) Core.AddGalvoPolygonVertex(Label, 0, v.X, v.Y);
            Core.LoadGalvoPolygons(Label);
            Core.SetGalvoSpotInterval(Label, settings.DwellPerSpot.TotalMicroseconds);
            Core.SetGalvoPolygonRepetitions(Label, 1);
            SetPower(settings.PowerFraction);
            _laserOn = true;
            Core.RunGalvoPolygons(Label);
            Core.WaitForDevice(Label);
        }
        finally
        {
            LaserOff();
        }
    }

    public override Task MakeSafeAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _safeGeneration);
        return RunAsync("laser off", LaserOff, ct);
    }
}
