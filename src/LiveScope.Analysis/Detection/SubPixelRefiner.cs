namespace LiveScope.Analysis.Detection;

/// <summary>A refined maximum: the full-resolution pixel of the DoG maximum and the sub-pixel position.</summary>
internal readonly record struct RefinedPeak(int PixelX, int PixelY, float X, float Y);

/// <summary>
/// Finds the full-resolution DoG maximum in a small square of pixels and its sub-pixel position: the DoG is
/// recomputed directly on that square plus a one-pixel rim (only at candidates above the threshold, so the sweep
/// need not keep its rows), the largest value inside the square is the maximum (ties to the earlier pixel in row
/// order, as in the sweep) and a parabola through it and its neighbours is fitted along x and along y.
/// With a 1-px square (full-resolution sweep) this is the 3×3 parabola at the swept maximum; with a 4-px square it
/// locates the maximum within a 2×2-binned candidate (whose pixels are the middle 2×2 of the square).
/// </summary>
internal sealed class SubPixelRefiner
{
    private readonly float[] _w1, _w2;
    private readonly int _r1, _r2, _search, _side;
    private readonly float[] _row, _h1, _h2, _dog;   // one padded source row; blurred rows of the window; the DoG

    public SubPixelRefiner(GaussianKernel g1, GaussianKernel g2, int searchSide)
    {
        if (searchSide < 1) throw new ArgumentOutOfRangeException(nameof(searchSide), searchSide, "must be ≥ 1");
        _w1 = g1.Weights; _w2 = g2.Weights; _r1 = g1.Radius; _r2 = g2.Radius;
        _search = searchSide;
        _side = searchSide + 2;
        _row = new float[_side + 2 * _r2];
        _h1 = new float[(_side + 2 * _r2) * _side];
        _h2 = new float[(_side + 2 * _r2) * _side];
        _dog = new float[_side * _side];
    }

    public int SearchSide => _search;

    /// <summary>Searches pixels x0 … x0+side−1, y0 … y0+side−1 (edges replicated outside the frame).</summary>
    public RefinedPeak Refine(ReadOnlySpan<ushort> frame, int width, int height, int x0, int y0)
    {
        int r1 = _r1, r2 = _r2, side = _side, rows = side + 2 * r2;
        int left = x0 - 1 - r2, top = y0 - 1 - r2;
        var row = _row.AsSpan();
        for (int i = 0; i < rows; i++)
        {
            var src = frame.Slice(Math.Clamp(top + i, 0, height - 1) * width, width);
            for (int k = 0; k < row.Length; k++) row[k] = src[Math.Clamp(left + k, 0, width - 1)];
            for (int c = 0; c < side; c++)
            {
                float a = 0, b = 0;
                for (int j = 0; j <= 2 * r2; j++) b += _w2[j] * row[c + j];
                for (int j = 0; j <= 2 * r1; j++) a += _w1[j] * row[c + r2 - r1 + j];
                _h1[i * side + c] = a; _h2[i * side + c] = b;
            }
        }
        for (int r = 0; r < side; r++)
            for (int c = 0; c < side; c++)
            {
                float a = 0, b = 0;
                for (int j = 0; j <= 2 * r2; j++) b += _w2[j] * _h2[(r + j) * side + c];
                for (int j = 0; j <= 2 * r1; j++) a += _w1[j] * _h1[(r + r2 - r1 + j) * side + c];
                _dog[r * side + c] = a - b;
            }

        int best = side + 1;
        for (int r = 1; r <= _search; r++)
            for (int c = 1; c <= _search; c++)
                if (_dog[r * side + c] > _dog[best]) best = r * side + c;
        float dx = Vertex(_dog[best - 1], _dog[best], _dog[best + 1]);
        float dy = Vertex(_dog[best - side], _dog[best], _dog[best + side]);
        int px = x0 - 1 + best % side, py = y0 - 1 + best / side;
        return new RefinedPeak(px, py, px + dx, py + dy);
    }

    /// <summary>Vertex of the parabola through (−1,l), (0,c), (1,r), clamped to the pixel.</summary>
    private static float Vertex(float l, float c, float r)
    {
        float curvature = l - 2 * c + r;
        if (curvature >= 0) return 0;
        return Math.Clamp(0.5f * (l - r) / curvature, -0.5f, 0.5f);
    }
}
