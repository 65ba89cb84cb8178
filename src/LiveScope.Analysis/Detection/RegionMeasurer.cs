using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LiveScope.Analysis.Detection;

/// <summary>
/// Measures one cluster in a small box around it: local background as the median of the box's border, the region
/// as the pixels 8-connected to the peak above half-maximum over that background, its area, integrated intensity
/// over background, peak and circularity 4πA/P² with a Crofton perimeter (π/4 × pixel edges on the boundary,
/// unbiased for discs). Boxes inside the frame up to 15 wide (d up to 7 px, the usual case) are measured straight from
/// the frame's counts (<see cref="MeasureInterior"/>); other boxes are copied once (edges replicated) and everything
/// reads the copy. All buffers are sized once for the box.
/// </summary>
internal sealed partial class RegionMeasurer
{
    private readonly int _half, _side, _padded;
    private readonly float[] _border, _box;
    // The box again with a one-pixel ring: −∞ on the ring and on replicated (outside the frame) pixels, so the fill
    // needs no bounds checks and never enters either.
    private readonly float[] _fill;
    private readonly bool[] _inside;                 // padded indices; only region pixels are ever set, and reset after use
    private readonly int[] _stack, _region;
    private readonly int[] _neighbours;              // the 8 neighbour offsets in the padded box

    public RegionMeasurer(double diameterPx)
    {
        _half = Math.Max(2, (int)Math.Ceiling(diameterPx));
        _side = 2 * _half + 1;
        _padded = _side + 2;
        _border = new float[4 * _side];
        _box = new float[_side * _side];
        _fill = new float[_padded * _padded];
        Array.Fill(_fill, float.NegativeInfinity);
        _inside = new bool[_padded * _padded];
        _stack = new int[_side * _side];
        _region = new int[_side * _side];
        int p = _padded;
        _neighbours = [-p - 1, -p, -p + 1, -1, 1, p - 1, p, p + 1];
    }

    /// <summary>Asks the cache for the frame rows of the box around (cx, cy), so a later <see cref="Measure"/> there does not wait on memory.</summary>
    public unsafe void Prefetch(ushort* frame, int width, int height, int cx, int cy)
    {
        if (!Sse.IsSupported) return;
        int x0 = Math.Clamp(cx - _half, 0, width - 1), x1 = Math.Clamp(cx + _half, 0, width - 1);
        for (int by = 0; by < _side; by++)
        {
            ushort* row = frame + (long)Math.Clamp(cy - _half + by, 0, height - 1) * width;
            Sse.Prefetch0(row + x0);
            Sse.Prefetch0(row + x1);
        }
    }

    [SkipLocalsInit]
    public unsafe Cluster Measure(ReadOnlySpan<ushort> frame, int width, int height, int cx, int cy, float x, float y, float response)
    {
        int x0 = cx - _half, y0 = cy - _half, side = _side, padded = _padded;
        bool interior = x0 >= 0 && y0 >= 0 && x0 + side <= width && y0 + side <= height;
        // The interior path loads RowLoad pixels per box row: the last row's load must stay inside the frame.
        if (interior && side <= MaxInteriorSide && Vector256.IsHardwareAccelerated
            && (long)(y0 + side - 1) * width + x0 + RowLoad <= frame.Length)
            fixed (ushort* f = frame)
                return MeasureInterior(f + (long)y0 * width + x0, width, x, y, response);
        fixed (ushort* f = frame)
        fixed (float* box = _box, fill = _fill, border = _border)
        fixed (bool* inside = _inside)
        fixed (int* stack = _stack, region = _region, neighbours = _neighbours)
        {
            for (int by = 0; by < side; by++)
            {
                int fy = y0 + by;
                ushort* row = f + (long)Math.Clamp(fy, 0, height - 1) * width;
                float* boxRow = box + by * side, fillRow = fill + (by + 1) * padded + 1;
                if (interior) CopyRow(row + x0, boxRow, fillRow, side);
                else
                    for (int bx = 0; bx < side; bx++)
                    {
                        int fx = x0 + bx;
                        boxRow[bx] = row[Math.Clamp(fx, 0, width - 1)];
                        // The region stays inside the frame: replicated edge pixels are not part of it.
                        fillRow[bx] = (uint)fx < (uint)width && (uint)fy < (uint)height ? boxRow[bx] : float.NegativeInfinity;
                    }
            }
            int n = 0;
            for (int i = 0; i < side; i++)
            {
                border[n++] = box[i];
                border[n++] = box[(side - 1) * side + i];
                if (i > 0 && i < side - 1)
                {
                    border[n++] = box[i * side];
                    border[n++] = box[i * side + side - 1];
                }
            }
            float background;
            if (n <= MaxRankedValues && Vector256.IsHardwareAccelerated)
            {
                ushort* counts = stackalloc ushort[RankBuffer];
                for (int i = 0; i < n; i++) counts[i] = (ushort)WholeNumber(border[i]);
                background = MedianOfCounts(counts, n);
            }
            else background = Median(new Span<float>(border, n));

            // The peak is the brightest pixel of the 3×3 around the maximum of the band-passed image.
            int px = _half, py = _half; float peak = float.MinValue;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    float v = box[(_half + dy) * side + _half + dx];
                    if (v > peak) { peak = v; px = _half + dx; py = _half + dy; }
                }
            float level = background + 0.5f * (peak - background);

            if (padded <= MaxMaskWidth && Vector256.IsHardwareAccelerated)
                return MeasureByMasks(fill, py + 1, px + 1, level, background, peak, x, y, response);

            // Flood fill from the peak (which belongs to the region even where it is a replicated pixel).
            int seed = (py + 1) * padded + px + 1;
            inside[seed] = true;
            int top = 0, area = 0;
            stack[top++] = seed;
            region[area++] = seed;
            double integrated = peak - background;
            while (top > 0)
            {
                int k = stack[--top];
                for (int j = 0; j < 8; j++)
                {
                    int nk = k + neighbours[j];
                    float v = fill[nk];
                    if (inside[nk] || !(v > level)) continue;
                    inside[nk] = true;
                    stack[top++] = nk;
                    region[area++] = nk;
                    integrated += v - background;
                }
            }
            // Crofton perimeter: the region's pixel edges that face a pixel outside it (the ring is never inside).
            int edges = 4 * area;
            for (int i = 0; i < area; i++)
            {
                int k = region[i];
                edges -= (inside[k - 1] ? 1 : 0) + (inside[k + 1] ? 1 : 0) + (inside[k - padded] ? 1 : 0) + (inside[k + padded] ? 1 : 0);
            }
            for (int i = 0; i < area; i++) inside[region[i]] = false;
            double perimeter = Math.PI / 4 * edges;
            float circularity = (float)Math.Min(1.0, 4 * Math.PI * area / (perimeter * perimeter));
            return new Cluster(x, y, response, peak, background, (float)integrated, area, circularity);
        }
    }

    /// <summary>Frame pixels as float into the box and the fill's row, 8 at a time rather than one by one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void CopyRow(ushort* source, float* boxRow, float* fillRow, int side)
    {
        int bx = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; bx + 8 <= side; bx += 8)
            {
                var v = Vector256.ConvertToSingle(Vector256.WidenLower(Vector128.Load(source + bx).ToVector256Unsafe()).AsInt32());
                v.Store(boxRow + bx);
                v.Store(fillRow + bx);
            }
        for (; bx < side; bx++) fillRow[bx] = boxRow[bx] = source[bx];
    }

    /// <summary>
    /// A camera count held as float (a whole number, 0 … 65535) as int: adding 2²³ puts it in the low mantissa bits. The
    /// cast does the same but, with its saturation rules for NaN and overflow, in several instructions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WholeNumber(float count) => BitConverter.SingleToInt32Bits(count + 8388608f) - 0x4B000000;

    /// <summary>Padded boxes up to this wide have one 64-bit mask per row (d up to 30 px).</summary>
    private const int MaxMaskWidth = 64;

    /// <summary>
    /// The region, its integral and its perimeter from bit masks of the padded box's rows, for boxes up to
    /// <see cref="MaxMaskWidth"/> wide: the pixels above the level (one vector compare per 8 columns), then the region
    /// grown from the seed by 8-neighbour dilation within them until it stops changing — the same pixels as the flood
    /// fill, without its unpredictable branch per neighbour (which made the fill most of the measuring time). The
    /// integral sums the same values in another order: they are whole or half counts, so the double sum is exact either way.
    /// Edges are counted per row: each 4-adjacent pair of region pixels hides two of the 4·area pixel edges.
    /// </summary>
    [SkipLocalsInit]
    private unsafe Cluster MeasureByMasks(float* fill, int seedRow, int seedColumn, float level, float background, float peak,
                                          float x, float y, float response)
    {
        int padded = _padded;
        ulong* above = stackalloc ulong[padded];
        ulong* region = stackalloc ulong[padded];
        var levelV = Vector256.Create(level);
        for (int r = 0; r < padded; r++)
        {
            float* row = fill + r * padded;
            ulong bits = 0;
            int c = 0;
            for (; c + 8 <= padded; c += 8)
                bits |= (ulong)Vector256.GreaterThan(Vector256.Load(row + c), levelV).ExtractMostSignificantBits() << c;
            for (; c < padded; c++)
                if (row[c] > level) bits |= 1UL << c;
            above[r] = bits;
            region[r] = 0;
        }
        region[seedRow] = 1UL << seedColumn;
        // The ring rows and columns are −∞, never above the level: the region stays inside rows and columns 1 … padded−2.
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int r = 1; r < padded - 1; r++) changed |= Grow(above, region, r) != 0;
        }
        int area = 0, pairs = 0;
        double integrated = peak - background;
        for (int r = 1; r < padded - 1; r++)
        {
            ulong bits = region[r];
            area += BitOperations.PopCount(bits);
            pairs += BitOperations.PopCount(bits & (bits >> 1)) + BitOperations.PopCount(bits & region[r + 1]);
            if (r == seedRow) bits &= ~(1UL << seedColumn);       // the seed is counted at its peak value above
            float* row = fill + r * padded;
            while (bits != 0)
            {
                integrated += row[BitOperations.TrailingZeroCount(bits)] - background;
                bits &= bits - 1;
            }
        }
        int edges = 4 * area - 2 * pairs;
        double perimeter = Math.PI / 4 * edges;
        float circularity = (float)Math.Min(1.0, 4 * Math.PI * area / (perimeter * perimeter));
        return new Cluster(x, y, response, peak, background, (float)integrated, area, circularity);
    }

    /// <summary>
    /// One dilation step of a region held as bit masks per row (bit c: column c), for both mask paths: adds to row r the
    /// pixels above the level next to the region in rows r − 1 … r + 1; returns those it added.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe ulong Grow(ulong* above, ulong* region, int r)
    {
        ulong near = region[r - 1] | region[r] | region[r + 1];
        near |= (near << 1) | (near >> 1);
        ulong old = region[r], grown = old | (near & above[r]);
        region[r] = grown;
        return grown ^ old;
    }
}
