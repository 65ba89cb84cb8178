using LiveScope.Core.Geometry;

namespace LiveScope.Core.Devices;

/// <summary>What to bleach, in camera pixel coordinates (x right, y down, origin at the top-left pixel's centre).</summary>
public abstract record BleachRegion;
public sealed record BleachPoint(PixelPoint Centre) : BleachRegion;
public sealed record BleachCircle(PixelPoint Centre, double RadiusPx) : BleachRegion;
public sealed record BleachPolygon(IReadOnlyList<PixelPoint> Vertices) : BleachRegion;

/// <summary>Laser settings for one bleach: dwell per targeted spot and power as a fraction of the laser's maximum.</summary>
public sealed record BleachSettings(TimeSpan DwellPerSpot, double PowerFraction);

/// <summary>
/// A FRAP laser steered by a galvo or SLM. It works in its own target coordinates; <see cref="CameraToTarget"/>
/// maps camera pixels there (fitted by the calibration routine). The laser is only ever on inside a call.
/// </summary>
public interface IPhotoTargeter : IDevice
{
    AffineTransform2D CameraToTarget { get; set; }
    /// <summary>Diameter of one laser spot in camera pixels; regions are rastered at this pitch.</summary>
    double SpotDiameterPx { get; }
    bool LaserOn { get; }
    /// <summary>Reachable target coordinates; the calibration routine fires its grid inside them.</summary>
    TargetBounds TargetRange { get; }

    /// <summary>Fires one spot at raw target coordinates (no calibration). Used by calibration and by <see cref="BleachAsync"/>.</summary>
    Task FireAtTargetAsync(PixelPoint target, TimeSpan dwell, double powerFraction, CancellationToken ct);

    /// <summary>Bleaches a region given in camera pixels, through the calibration.</summary>
    Task BleachAsync(BleachRegion region, BleachSettings settings, CancellationToken ct);
}

/// <summary>Range of a photo-targeter's own coordinates (galvo volts, SLM pixels, …).</summary>
public readonly record struct TargetBounds(double MinX, double MinY, double MaxX, double MaxY);

/// <summary>Turns a bleach region into the laser spots that cover it, in camera pixels.</summary>
public static class BleachRaster
{
    /// <summary>Spots on a square grid of pitch <paramref name="pitchPx"/> inside the region; a point is one spot.</summary>
    public static IReadOnlyList<PixelPoint> Spots(BleachRegion region, double pitchPx)
    {
        if (pitchPx <= 0) throw new ArgumentOutOfRangeException(nameof(pitchPx), "spot pitch must be positive");
        switch (region)
        {
            case BleachPoint p:
                return [p.Centre];
            case BleachCircle c:
            {
                var spots = new List<PixelPoint>();
                int n = (int)Math.Floor(c.RadiusPx / pitchPx);
                for (int j = -n; j <= n; j++)
                    for (int i = -n; i <= n; i++)
                        if ((i * i + j * j) * pitchPx * pitchPx <= c.RadiusPx * c.RadiusPx)
                            spots.Add(new PixelPoint(c.Centre.X + i * pitchPx, c.Centre.Y + j * pitchPx));
                return spots;
            }
            case BleachPolygon poly when poly.Vertices.Count >= 3:
            {
                var v = poly.Vertices;
                double minX = v.Min(p => p.X), maxX = v.Max(p => p.X), minY = v.Min(p => p.Y), maxY = v.Max(p => p.Y);
                var spots = new List<PixelPoint>();
                for (double y = minY; y <= maxY + 1e-9; y += pitchPx)
                    for (double x = minX; x <= maxX + 1e-9; x += pitchPx)
                        if (Inside(v, x, y)) spots.Add(new PixelPoint(x, y));
                if (spots.Count == 0) spots.Add(new PixelPoint(v.Average(p => p.X), v.Average(p => p.Y)));
                return spots;
            }
            case BleachPolygon:
                throw new ArgumentException("a bleach polygon needs at least 3 vertices");
            default:
                throw new ArgumentException($"unknown bleach region {region.GetType().Name}");
        }
    }

    private static bool Inside(IReadOnlyList<PixelPoint> v, double x, double y)
    {
        bool inside = false;
        for (int i = 0, j = v.Count - 1; i < v.Count; j = i++)
            if ((v[i].Y > y) != (v[j].Y > y) && x < (v[j].X - v[i].X) * (y - v[i].Y) / (v[j].Y - v[i].Y) + v[i].X)
                inside = !inside;
        return inside;
    }
}
