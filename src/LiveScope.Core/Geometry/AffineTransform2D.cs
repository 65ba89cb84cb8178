namespace LiveScope.Core.Geometry;

/// <summary>
/// x' = A·x + B·y + C, y' = D·x + E·y + F. Used for the camera→photo-targeter calibration and pixel-size affines.
/// </summary>
public readonly record struct AffineTransform2D(double A, double B, double C, double D, double E, double F)
{
    public static AffineTransform2D Identity { get; } = new(1, 0, 0, 0, 1, 0);

    public PixelPoint Apply(PixelPoint p) => new(A * p.X + B * p.Y + C, D * p.X + E * p.Y + F);

    public AffineTransform2D Inverse()
    {
        double det = A * E - B * D;
        if (Math.Abs(det) < 1e-12) throw new InvalidOperationException("affine transform is singular");
        double ia = E / det, ib = -B / det, id = -D / det, ie = A / det;
        return new AffineTransform2D(ia, ib, -(ia * C + ib * F), id, ie, -(id * C + ie * F));
    }

    /// <summary>Least-squares fit from ≥ 3 non-collinear correspondences.</summary>
    public static AffineTransform2D Fit(IReadOnlyList<PixelPoint> from, IReadOnlyList<PixelPoint> to)
    {
        if (from.Count != to.Count) throw new ArgumentException("point lists differ in length");
        if (from.Count < 3) throw new ArgumentException("an affine fit needs at least 3 points");
        // Normal equations of [x y 1]·[a b c]ᵀ = x' (and likewise for y'): a 3×3 system shared by both rows.
        double sxx = 0, sxy = 0, sx = 0, syy = 0, sy = 0, n = from.Count;
        double tx_x = 0, tx_y = 0, tx_1 = 0, ty_x = 0, ty_y = 0, ty_1 = 0;
        for (int i = 0; i < from.Count; i++)
        {
            var (x, y) = (from[i].X, from[i].Y);
            sxx += x * x; sxy += x * y; sx += x; syy += y * y; sy += y;
            tx_x += to[i].X * x; tx_y += to[i].X * y; tx_1 += to[i].X;
            ty_x += to[i].Y * x; ty_y += to[i].Y * y; ty_1 += to[i].Y;
        }
        var m = new double[3, 3] { { sxx, sxy, sx }, { sxy, syy, sy }, { sx, sy, n } };
        var (a, b, c) = Solve3(m, tx_x, tx_y, tx_1);
        var (d, e, f) = Solve3(m, ty_x, ty_y, ty_1);
        return new AffineTransform2D(a, b, c, d, e, f);
    }

    private static (double, double, double) Solve3(double[,] m, double r0, double r1, double r2)
    {
        double Det(double a00, double a01, double a02, double a10, double a11, double a12, double a20, double a21, double a22)
            => a00 * (a11 * a22 - a12 * a21) - a01 * (a10 * a22 - a12 * a20) + a02 * (a10 * a21 - a11 * a20);
        double det = Det(m[0, 0], m[0, 1], m[0, 2], m[1, 0], m[1, 1], m[1, 2], m[2, 0], m[2, 1], m[2, 2]);
        if (Math.Abs(det) < 1e-9) throw new ArgumentException("calibration points are collinear");
        double x0 = Det(r0, m[0, 1], m[0, 2], r1, m[1, 1], m[1, 2], r2, m[2, 1], m[2, 2]) / det;
        double x1 = Det(m[0, 0], r0, m[0, 2], m[1, 0], r1, m[1, 2], m[2, 0], r2, m[2, 2]) / det;
        double x2 = Det(m[0, 0], m[0, 1], r0, m[1, 0], m[1, 1], r1, m[2, 0], m[2, 1], r2) / det;
        return (x0, x1, x2);
    }
}
