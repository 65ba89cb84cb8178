using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Core.Imaging;

namespace LiveScope.Core.Calibration;

public sealed record CalibrationOptions
{
    /// <summary>Spots per side of the calibration grid (≥ 2; 3 gives 9 spots).</summary>
    public int GridSize { get; init; } = 3;
    /// <summary>Fraction of the target range left free at each edge.</summary>
    public double Margin { get; init; } = 0.2;
    public TimeSpan Dwell { get; init; } = TimeSpan.FromMilliseconds(20);
    public double PowerFraction { get; init; } = 0.2;
}

public sealed record CalibrationPoint(PixelPoint Target, PixelPoint Camera);

public sealed record CalibrationResult(AffineTransform2D CameraToTarget, double RmsResidualPx, IReadOnlyList<CalibrationPoint> Points);

/// <summary>
/// Fits the camera→target affine: fires spots on a grid of target coordinates, finds each in the difference between
/// a frame before and after the shot (a bleached dark spot or a reflected bright one both show), and fits the transform.
/// </summary>
public static class PhotoTargeterCalibrator
{
    public static async Task<CalibrationResult> CalibrateAsync(IPhotoTargeter targeter, ICamera camera,
        CalibrationOptions? options = null, CancellationToken ct = default)
    {
        options ??= new CalibrationOptions();
        if (options.GridSize < 2) throw new ArgumentException("the calibration grid needs at least 2 spots per side");
        var r = targeter.TargetRange;
        var points = new List<CalibrationPoint>();
        try
        {
            for (int j = 0; j < options.GridSize; j++)
                for (int i = 0; i < options.GridSize; i++)
                {
                    double fx = options.Margin + (1 - 2 * options.Margin) * i / (options.GridSize - 1);
                    double fy = options.Margin + (1 - 2 * options.Margin) * j / (options.GridSize - 1);
                    var target = new PixelPoint(r.MinX + fx * (r.MaxX - r.MinX), r.MinY + fy * (r.MaxY - r.MinY));
                    using var before = await camera.SnapAsync(ct).ConfigureAwait(false);
                    await targeter.FireAtTargetAsync(target, options.Dwell, options.PowerFraction, ct).ConfigureAwait(false);
                    using var after = await camera.SnapAsync(ct).ConfigureAwait(false);
                    points.Add(new CalibrationPoint(target, FindChange(before, after)));
                }
        }
        finally
        {
            await targeter.MakeSafeAsync(CancellationToken.None).ConfigureAwait(false);
        }
        var fit = AffineTransform2D.Fit(points.Select(p => p.Camera).ToList(), points.Select(p => p.Target).ToList());
        var back = fit.Inverse();
        double sum = 0;
        foreach (var p in points) sum += Math.Pow(back.Apply(p.Target).DistanceTo(p.Camera), 2);
        return new CalibrationResult(fit, Math.Sqrt(sum / points.Count), points);
    }

    /// <summary>Centroid of |after − before| around its strongest 3×3 neighbourhood.</summary>
    public static PixelPoint FindChange(Frame before, Frame after)
    {
        if (before.Width != after.Width || before.Height != after.Height)
            throw new ArgumentException("calibration frames differ in size");
        int w = after.Width, h = after.Height;
        var a = after.Pixels;
        var b = before.Pixels;
        double best = -1;
        int bx = 0, by = 0;
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++)
            {
                double s = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int k = (y + dy) * w + x + dx;
                        s += Math.Abs(a[k] - b[k]);
                    }
                if (s > best) { best = s; bx = x; by = y; }
            }
        double sw = 0, sx = 0, sy = 0;
        for (int y = Math.Max(0, by - 3); y <= Math.Min(h - 1, by + 3); y++)
            for (int x = Math.Max(0, bx - 3); x <= Math.Min(w - 1, bx + 3); x++)
            {
                double d = Math.Abs(a[y * w + x] - b[y * w + x]);
                sw += d; sx += d * x; sy += d * y;
            }
        return sw > 0 ? new PixelPoint(sx / sw, sy / sw) : new PixelPoint(bx, by);
    }
}
