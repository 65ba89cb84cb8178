using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LiveScope.Analysis.Detection;

/// <summary>
/// A refined maximum: the full-resolution pixel of the DoG maximum, the sub-pixel position, the full-resolution DoG
/// and narrow-Gaussian values there (ADU) and the DoG's principal-curvature ratio tr²/det of its Hessian (∞ when the
/// curvatures differ in sign: a saddle or a flat ridge).
/// </summary>
internal readonly record struct RefinedPeak(int PixelX, int PixelY, float X, float Y, float Dog, float Narrow, float CurvatureRatio, float AlongRidge);

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
    private readonly double _ridgeDistance;
    private readonly float[] _ridgeKernels;         // 2·RidgeDirections bilinear DoG kernels, _ridgeSide² each
    private readonly (int X, int Y)[] _ridgeOffsets;
    private readonly int _ridgeSide, _ridgeStride;   // kernel rows are _ridgeStride floats apart: _ridgeSide rounded up to 8
    private readonly float[] _row, _h1, _h2, _dog, _narrow;   // a padded source row; blurred rows of the window; the DoG and narrow blur

    /// <param name="ridgeDistancePx">Distance of the ridge samples (see <see cref="Refine"/>); 0: no ridge samples.</param>
    public SubPixelRefiner(GaussianKernel g1, GaussianKernel g2, int searchSide, double ridgeDistancePx = 0)
    {
        if (searchSide is < 1 or > Lanes - 2) throw new ArgumentOutOfRangeException(nameof(searchSide), searchSide, $"must be 1 … {Lanes - 2}");
        _w1 = g1.Weights; _w2 = g2.Weights; _r1 = g1.Radius; _r2 = g2.Radius;
        _search = searchSide;
        _side = searchSide + 2;
        _row = new float[Lanes + 2 * _r2];
        _h1 = new float[(_side + 2 * _r2) * Lanes];
        _h2 = new float[(_side + 2 * _r2) * Lanes];
        _dog = new float[_side * Lanes];
        _narrow = new float[_side * Lanes];
        _ridgeDistance = ridgeDistancePx;
        _ridgeKernels = ridgeDistancePx > 0 ? RidgeKernels(g1, g2, ridgeDistancePx, out _ridgeOffsets, out _ridgeSide, out _ridgeStride) : [];
        _ridgeOffsets ??= [];
    }

    /// <summary>
    /// For each of the 2 × <see cref="RidgeDirections"/> sample points (±u, u = distance·(cos θ, sin θ) from the peak
    /// pixel), the 2-D DoG kernel already interpolated bilinearly to that point: one (n+1)² dot product per sample
    /// instead of four n² ones. Offsets are the top-left frame pixel of each kernel relative to the peak pixel.
    /// </summary>
    private static float[] RidgeKernels(GaussianKernel g1, GaussianKernel g2, double distance, out (int X, int Y)[] offsets, out int side, out int stride)
    {
        int r = g2.Radius, n = 2 * r + 1;
        side = n + 1;
        stride = (side + 7) / 8 * 8;
        var kernels = new float[2 * RidgeDirections * side * stride];
        offsets = new (int, int)[2 * RidgeDirections];
        for (int d = 0; d < 2 * RidgeDirections; d++)
        {
            var (ux, uy) = RidgeOffset(d, distance);
            int bx = (int)Math.Floor(ux), by = (int)Math.Floor(uy);
            double fx = ux - bx, fy = uy - by;
            offsets[d] = (bx - r, by - r);
            int k0 = d * side * stride;
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                {
                    float w = g1[j - r] * g1[i - r] - g2[j - r] * g2[i - r];
                    kernels[k0 + j * stride + i] += (float)((1 - fx) * (1 - fy)) * w;
                    kernels[k0 + j * stride + i + 1] += (float)(fx * (1 - fy)) * w;
                    kernels[k0 + (j + 1) * stride + i] += (float)((1 - fx) * fy) * w;
                    kernels[k0 + (j + 1) * stride + i + 1] += (float)(fx * fy) * w;
                }
        }
        return kernels;
    }

    /// <summary>
    /// Ridge sample point <paramref name="d"/> (0 … 2·<see cref="RidgeDirections"/> − 1) relative to the peak pixel:
    /// even d at +u, odd d at −u, u = distance·(cos θ, sin θ), θ = π·⌊d/2⌋ / RidgeDirections.
    /// </summary>
    internal static (double X, double Y) RidgeOffset(int d, double distance)
    {
        double theta = Math.PI * (d / 2) / RidgeDirections, sign = d % 2 == 0 ? 1 : -1;
        return (sign * distance * Math.Cos(theta), sign * distance * Math.Sin(theta));
    }

    public int SearchSide => _search;

    /// <summary>
    /// Searches pixels x0 … x0+side−1, y0 … y0+side−1 (edges replicated outside the frame).
    /// Also samples the full-resolution DoG (bilinear) at the ridge distance either side of the maximum
    /// in <see cref="RidgeDirections"/> directions and returns the largest two-sided mean as
    /// <see cref="RefinedPeak.AlongRidge"/>: on a line (a membrane rim) that is the line's own response, on a spot the
    /// surround's. 0 skips it (AlongRidge = −∞).
    /// </summary>
    public RefinedPeak Refine(ReadOnlySpan<ushort> frame, int width, int height, int x0, int y0)
    {
        var peak = Locate(frame, width, height, x0, y0);
        if (!(_ridgeDistance > 0)) return peak;
        float along = float.NegativeInfinity;
        for (int d = 0; d < 2 * RidgeDirections; d += 2)
            along = Math.Max(along, 0.5f * (RidgeSample(frame, width, height, peak, d) + RidgeSample(frame, width, height, peak, d + 1)));
        return peak with { AlongRidge = along };
    }

    /// <summary>
    /// Directions searched for the ridge, over half a turn. The Hessian's direction at a noise maximum on a rim is itself
    /// noisy; 8 directions (22.5° apart, ≤ 0.5 px off the crest at 1.25 d) left 27 false positives in 9 simulated frames
    /// against 61 with the Hessian direction alone, at the same recall.
    /// </summary>
    internal const int RidgeDirections = 8;

    /// <summary>The DoG at ridge sample point <paramref name="d"/> of the peak (edges replicated).</summary>
    private float RidgeSample(ReadOnlySpan<ushort> frame, int width, int height, in RefinedPeak peak, int d)
    {
        int side = _ridgeSide, stride = _ridgeStride, x = peak.PixelX + _ridgeOffsets[d].X, y = peak.PixelY + _ridgeOffsets[d].Y;
        fixed (ushort* f = frame)
        fixed (float* kernels = _ridgeKernels)
        {
            float* k = kernels + d * side * stride;
            // Kernel rows are padded with zeros to whole vectors, so the vector loop reads up to stride − side pixels
            // past the sample's box: allowed where the row has them.
            if (x >= 0 && y >= 0 && x + stride <= width && y + side <= height && Avx2.IsSupported)
            {
                // Two independent sums: one FMA chain would wait out its latency on every tap (the scalar loop took ~5 µs
                // per candidate, most of the binned sweep's refinement).
                Vector256<float> a = default, b = default;
                for (int j = 0; j < side; j++, k += stride)
                {
                    ushort* row = f + (long)(y + j) * width + x;
                    for (int i = 0; i < stride; i += 8)
                    {
                        var pixels = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(row + i));
                        if (((j * stride + i) & 8) == 0) a = Mad(pixels, Vector256.Load(k + i), a);
                        else b = Mad(pixels, Vector256.Load(k + i), b);
                    }
                }
                return Vector256.Sum(a + b);
            }
            float sum = 0;
            for (int j = 0; j < side; j++, k += stride)
            {
                ushort* row = f + (long)Math.Clamp(y + j, 0, height - 1) * width;
                for (int i = 0; i < side; i++) sum += k[i] * row[Math.Clamp(x + i, 0, width - 1)];
            }
            return sum;
        }
    }

    private RefinedPeak Locate(ReadOnlySpan<ushort> frame, int width, int height, int x0, int y0)
    {
        int r1 = _r1, r2 = _r2, side = _side, rows = side + 2 * r2;
        int left = x0 - 1 - r2, top = y0 - 1 - r2;
        fixed (ushort* f = frame)
        fixed (float* row = _row, h1 = _h1, h2 = _h2, dog = _dog, narrow = _narrow, w1 = _w1, w2 = _w2)
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
            // Vertical pass in the sweep's order (narrow taps, then the wide ones negated, into one sum), so the DoG
            // here is bit-identical to the sweep's and both sweeps locate a spot at the same sub-pixel position.
            for (int r = 0; r < side; r++)
            {
                Vector256<float> a = default;
                for (int j = 0; j <= 2 * r1; j++) a = Mad(Vector256.Load(h1 + (r + r2 - r1 + j) * Lanes), Vector256.Create(w1[j]), a);
                a.Store(narrow + r * Lanes);
                for (int j = 0; j <= 2 * r2; j++) a = Mad(Vector256.Load(h2 + (r + j) * Lanes), Vector256.Create(-w2[j]), a);
                a.Store(dog + r * Lanes);
            }

            int best = Lanes + 1;
            for (int r = 1; r <= _search; r++)
                for (int c = 1; c <= _search; c++)
                    if (dog[r * Lanes + c] > dog[best]) best = r * Lanes + c;
            int px = x0 - 1 + best % Lanes, py = y0 - 1 + best / Lanes;
            return Peak(px, py, dog + best - Lanes, dog + best, dog + best + Lanes, narrow[best]);
        }
    }

    /// <summary>
    /// The peak at pixel (px, py) from the DoG's 3×3 neighbourhood (pointers at column px of rows py−1, py, py+1) and
    /// the narrow blur there: parabola vertex along x and y, and the Hessian's curvature ratio. AlongRidge is −∞.
    /// </summary>
    internal static RefinedPeak Peak(int px, int py, float* up, float* mid, float* down, float narrow)
    {
        float dx = Vertex(mid[-1], mid[0], mid[1]);
        float dy = Vertex(up[0], mid[0], down[0]);
        float dxx = mid[-1] - 2 * mid[0] + mid[1], dyy = up[0] - 2 * mid[0] + down[0];
        float dxy = 0.25f * (down[1] - down[-1] - up[1] + up[-1]);
        float det = dxx * dyy - dxy * dxy, trace = dxx + dyy;
        float ratio = det > 0 ? trace * trace / det : float.PositiveInfinity;
        return new RefinedPeak(px, py, px + dx, py + dy, mid[0], narrow, ratio, float.NegativeInfinity);
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
