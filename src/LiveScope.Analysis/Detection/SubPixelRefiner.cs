using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
internal sealed unsafe class SubPixelRefiner
{
    private const int Lanes = 8;                      // window columns: one Vector256 of floats
    private readonly float[] _w1, _w2;
    private readonly int _r1, _r2, _search, _side;
    private readonly float[] _row, _h1, _h2, _dog;   // one padded source row; blurred rows of the window; the DoG

    public SubPixelRefiner(GaussianKernel g1, GaussianKernel g2, int searchSide)
    {
        if (searchSide is < 1 or > Lanes - 2) throw new ArgumentOutOfRangeException(nameof(searchSide), searchSide, $"must be 1 … {Lanes - 2}");
        _w1 = g1.Weights; _w2 = g2.Weights; _r1 = g1.Radius; _r2 = g2.Radius;
        _search = searchSide;
        _side = searchSide + 2;
        _row = new float[Lanes + 2 * _r2];
        _h1 = new float[(_side + 2 * _r2) * Lanes];
        _h2 = new float[(_side + 2 * _r2) * Lanes];
        _dog = new float[_side * Lanes];
    }

    public int SearchSide => _search;

    /// <summary>Searches pixels x0 … x0+side−1, y0 … y0+side−1 (edges replicated outside the frame).</summary>
    public RefinedPeak Refine(ReadOnlySpan<ushort> frame, int width, int height, int x0, int y0)
    {
        int r1 = _r1, r2 = _r2, side = _side, rows = side + 2 * r2;
        int left = x0 - 1 - r2, top = y0 - 1 - r2;
        fixed (ushort* f = frame)
        fixed (float* row = _row, h1 = _h1, h2 = _h2, dog = _dog, w1 = _w1, w2 = _w2)
        {
            // Horizontal pass: the window's 8 columns (x0−1 …) of every row the vertical pass needs, both Gaussians.
            for (int i = 0; i < rows; i++)
            {
                ushort* src = f + (long)Math.Clamp(top + i, 0, height - 1) * width;
                int length = Lanes + 2 * r2;
                if (left >= 0 && left + length <= width)
                    for (int k = 0; k < length; k++) row[k] = src[left + k];
                else
                    for (int k = 0; k < length; k++) row[k] = src[Math.Clamp(left + k, 0, width - 1)];
                Vector256<float> a = default, b = default;
                for (int j = 0; j <= 2 * r2; j++) b = Mad(Vector256.Load(row + j), Vector256.Create(w2[j]), b);
                for (int j = 0; j <= 2 * r1; j++) a = Mad(Vector256.Load(row + r2 - r1 + j), Vector256.Create(w1[j]), a);
                a.Store(h1 + i * Lanes); b.Store(h2 + i * Lanes);
            }
            for (int r = 0; r < side; r++)
            {
                Vector256<float> a = default, b = default;
                for (int j = 0; j <= 2 * r2; j++) b = Mad(Vector256.Load(h2 + (r + j) * Lanes), Vector256.Create(w2[j]), b);
                for (int j = 0; j <= 2 * r1; j++) a = Mad(Vector256.Load(h1 + (r + r2 - r1 + j) * Lanes), Vector256.Create(w1[j]), a);
                (a - b).Store(dog + r * Lanes);
            }

            int best = Lanes + 1;
            for (int r = 1; r <= _search; r++)
                for (int c = 1; c <= _search; c++)
                    if (dog[r * Lanes + c] > dog[best]) best = r * Lanes + c;
            float dx = Vertex(dog[best - 1], dog[best], dog[best + 1]);
            float dy = Vertex(dog[best - Lanes], dog[best], dog[best + Lanes]);
            int px = x0 - 1 + best % Lanes, py = y0 - 1 + best / Lanes;
            return new RefinedPeak(px, py, px + dx, py + dy);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Mad(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    /// <summary>Vertex of the parabola through (−1,l), (0,c), (1,r), clamped to the pixel.</summary>
    private static float Vertex(float l, float c, float r)
    {
        float curvature = l - 2 * c + r;
        if (curvature >= 0) return 0;
        return Math.Clamp(0.5f * (l - r) / curvature, -0.5f, 0.5f);
    }
}
