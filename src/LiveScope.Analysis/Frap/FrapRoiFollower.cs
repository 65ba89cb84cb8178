namespace LiveScope.Analysis.Frap;

/// <summary>
/// Keeps a FRAP ROI on its cluster while the cluster drifts (clusters in cells wander a few pixels in a minute's
/// recovery; a fixed ROI then measures the cluster leaving as if it were not recovering). Each frame, before the ROI
/// is measured, the centre moves to the intensity-weighted centroid of the cluster within a window around it: pixels
/// above the local diffuse level, which is a plane fitted to a ring around the window (so a cell edge's gradient does
/// not pull the centre inwards). The move is bounded three ways so the ROI cannot jump to a neighbour or wander on
/// noise: no move while the cluster's signal in the window is too weak to locate it (just after the bleach), at most
/// <see cref="MaxStepPx"/> per frame, and never farther than <see cref="MaxOffsetPx"/> from the bleach point (bleach
/// targets have no other cluster within two ROI radii, so the window never reaches one).
/// </summary>
public sealed class FrapRoiFollower
{
    private readonly double _bleachX, _bleachY, _radius;

    public FrapRoiFollower(double bleachXPx, double bleachYPx, double roiRadiusPx)
    {
        (_bleachX, _bleachY, _radius) = (bleachXPx, bleachYPx, roiRadiusPx);
        (XPx, YPx, MaxOffsetPx) = (bleachXPx, bleachYPx, roiRadiusPx);
    }

    /// <summary>Farthest the ROI centre may go from the bleach point, px (default: one ROI radius).</summary>
    public double MaxOffsetPx { get; init; }
    /// <summary>Largest move between two frames, px: clusters drift ≈ 0.2 px/s, so more is a neighbour or noise.</summary>
    public double MaxStepPx { get; init; } = 1;
    /// <summary>The cluster's summed excess over the local level must exceed this many noise SDs of the window's sum.</summary>
    public double MinSignalSds { get; init; } = 6;

    public double XPx { get; private set; }
    public double YPx { get; private set; }
    /// <summary>Whether a move was ever cut short by <see cref="MaxOffsetPx"/> (the cluster went farther than the ROI may follow).</summary>
    public bool HitBound { get; private set; }

    /// <summary>Re-centres on this frame's cluster (or stays) and returns the centre to measure the ROI at.</summary>
    public (double X, double Y) Update(ReadOnlySpan<ushort> pixels, int width, int height)
    {
        if (Locate(pixels, width, height) is not { } found) return (XPx, YPx);
        double dx = found.X - XPx, dy = found.Y - YPx, step = Math.Sqrt(dx * dx + dy * dy);
        if (step > MaxStepPx) (dx, dy) = (dx * MaxStepPx / step, dy * MaxStepPx / step);
        double x = XPx + dx, y = YPx + dy;
        double ox = x - _bleachX, oy = y - _bleachY, offset = Math.Sqrt(ox * ox + oy * oy);
        if (offset > MaxOffsetPx)
        {
            (x, y) = (_bleachX + ox * MaxOffsetPx / offset, _bleachY + oy * MaxOffsetPx / offset);
            HitBound = true;
        }
        (XPx, YPx) = (x, y);
        return (x, y);
    }

    /// <summary>The centroid of the excess over the ring's plane within the window; null when the signal is too weak or the window leaves the frame.</summary>
    private (double X, double Y)? Locate(ReadOnlySpan<ushort> pixels, int width, int height)
    {
        double window = _radius + 1, ringOuter = window + 2;
        int reach = (int)Math.Ceiling(ringOuter);
        int cx = (int)Math.Round(XPx), cy = (int)Math.Round(YPx);
        if (cx - reach < 0 || cy - reach < 0 || cx + reach >= width || cy + reach >= height) return null;

        // Plane a + b·dx + c·dy through the ring by least squares (normal equations; dx, dy relative to the centre).
        double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, sz = 0, sxz = 0, syz = 0;
        for (int y = cy - reach; y <= cy + reach; y++)
            for (int x = cx - reach; x <= cx + reach; x++)
            {
                double dx = x - XPx, dy = y - YPx, r2 = dx * dx + dy * dy;
                if (r2 <= window * window || r2 > ringOuter * ringOuter) continue;
                double z = pixels[y * width + x];
                n++; sx += dx; sy += dy; sxx += dx * dx; syy += dy * dy; sxy += dx * dy; sz += z; sxz += dx * z; syz += dy * z;
            }
        if (!SolvePlane(n, sx, sy, sxx, syy, sxy, sz, sxz, syz, out double a, out double b, out double c)) return null;
        double residual2 = 0;
        for (int y = cy - reach; y <= cy + reach; y++)
            for (int x = cx - reach; x <= cx + reach; x++)
            {
                double dx = x - XPx, dy = y - YPx, r2 = dx * dx + dy * dy;
                if (r2 <= window * window || r2 > ringOuter * ringOuter) continue;
                double e = pixels[y * width + x] - (a + b * dx + c * dy);
                residual2 += e * e;
            }
        double sd = Math.Sqrt(residual2 / Math.Max(1, n - 3));

        double sum = 0, wx = 0, wy = 0, inside = 0;
        for (int y = cy - reach; y <= cy + reach; y++)
            for (int x = cx - reach; x <= cx + reach; x++)
            {
                double dx = x - XPx, dy = y - YPx;
                if (dx * dx + dy * dy > window * window) continue;
                inside++;
                // Only what stands a noise SD above the plane: noise pixels would pull the centroid to the window's centre.
                double excess = pixels[y * width + x] - (a + b * dx + c * dy) - sd;
                if (excess <= 0) continue;
                sum += excess; wx += excess * x; wy += excess * y;
            }
        if (!(sum > MinSignalSds * sd * Math.Sqrt(inside))) return null;
        return (wx / sum, wy / sum);
    }

    private static bool SolvePlane(double n, double sx, double sy, double sxx, double syy, double sxy, double sz, double sxz, double syz,
        out double a, out double b, out double c)
    {
        // Cramer's rule on [[n, sx, sy], [sx, sxx, sxy], [sy, sxy, syy]]·[a, b, c] = [sz, sxz, syz].
        double det = n * (sxx * syy - sxy * sxy) - sx * (sx * syy - sxy * sy) + sy * (sx * sxy - sxx * sy);
        a = b = c = 0;
        if (n < 6 || Math.Abs(det) < 1e-9) return false;
        a = (sz * (sxx * syy - sxy * sxy) - sx * (sxz * syy - sxy * syz) + sy * (sxz * sxy - sxx * syz)) / det;
        b = (n * (sxz * syy - syz * sxy) - sz * (sx * syy - sxy * sy) + sy * (sx * syz - sxz * sy)) / det;
        c = (n * (sxx * syz - sxy * sxz) - sx * (sx * syz - sxz * sy) + sz * (sx * sxy - sxx * sy)) / det;
        return true;
    }
}
