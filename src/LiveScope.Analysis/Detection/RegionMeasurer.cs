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
internal sealed class RegionMeasurer
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

    /// <summary>
    /// Boxes up to this wide take <see cref="MeasureInterior"/>: one <see cref="RowLoad"/>-pixel vector per box row. Sides
    /// are odd, so at most 15 (d up to 7 px), which the region's lane rotations rely on.
    /// </summary>
    private const int MaxInteriorSide = 16;

    /// <summary>Pixels the interior path loads per box row (the box's columns and, beyond them, ignored pixels).</summary>
    private const int RowLoad = 16;

    /// <summary>
    /// <see cref="Measure"/> for a box inside the frame, up to <see cref="MaxInteriorSide"/> wide, straight from the
    /// frame's counts (<paramref name="box"/> is its top-left pixel, <paramref name="stride"/> the frame width): no float
    /// copies, one vector per box row. The same numbers as the copying path, for these reasons: the counts are whole
    /// numbers, so "count &gt; level" is "count &gt; ⌊level⌋"; the region is the same fixpoint of the same growth,
    /// whatever order the rows are grown in; the integral Σ(count − background) is exact in either form (whole or half
    /// counts, far from double's precision), here as 2Σcount − area·2·background in integers.
    /// </summary>
    [SkipLocalsInit]
    private unsafe Cluster MeasureInterior(ushort* box, int stride, float x, float y, float response)
    {
        int side = _side, half = _half;
        ushort* counts = stackalloc ushort[RankBuffer];
        // Border: top row, bottom row (each load's extra lanes are overwritten next), then the two columns between.
        Vector256.Load(box).Store(counts);
        Vector256.Load(box + (side - 1) * stride).Store(counts + side);
        ushort* column = counts + 2 * side;
        for (int by = 1; by < side - 1; by++, column += 2)
        {
            ushort* row = box + by * stride;
            column[0] = row[0];
            column[1] = row[side - 1];
        }
        float background = MedianOfCounts(counts, 4 * side - 4);

        // The peak is the brightest pixel of the 3×3 around the centre, the first in row order among equals: the
        // largest key count·16 + (8 − position), without a branch per pixel.
        ushort* peakRow = box + (half - 1) * stride + half - 1;
        var keys = Vector128.Max(Vector128.Max(PeakKeys(peakRow, 8), PeakKeys(peakRow + stride, 5)), PeakKeys(peakRow + 2 * stride, 2));
        keys = Vector128.Max(keys, Vector128.Shuffle(keys, Vector128.Create(2u, 3, 0, 1)));
        int best = (int)Vector128.Max(keys, Vector128.Shuffle(keys, Vector128.Create(1u, 0, 3, 2))).ToScalar();
        int peakCount = best >> 4, position = 8 - (best & 15);
        int px = half - 1 + position % 3, py = half - 1 + position / 3;
        float peak = peakCount;
        float level = background + 0.5f * (peak - background);
        var threshold = Vector256.Create((ushort)MathF.Floor(level));      // level is in 0 … 65535

        // Bit i of region row r is box pixel (i, r).
        ushort* region = stackalloc ushort[MaxInteriorSide];
        GrowRegion(box, stride, side, threshold, px, py, region);

        // Area and 4-adjacent pairs four rows (one ulong) at a time; row 15 is always empty (side is odd, at most 15).
        ulong* rows = (ulong*)region;
        int area = 0, pairs = 0;
        for (int i = 0; i < MaxInteriorSide / 4; i++)
        {
            ulong bits = rows[i], below = (bits >> 16) | (i + 1 < MaxInteriorSide / 4 ? rows[i + 1] << 48 : 0);
            area += BitOperations.PopCount(bits);
            pairs += BitOperations.PopCount(bits & (bits >> 1) & 0x7FFF_7FFF_7FFF_7FFFUL) + BitOperations.PopCount(bits & below);
        }
        uint sum = RegionSum(box, stride, side, region);
        long twiceIntegrated = 2L * sum - area * (long)(2 * background);
        double integrated = 0.5 * twiceIntegrated;
        int edges = 4 * area - 2 * pairs;
        double perimeter = Math.PI / 4 * edges;
        float circularity = (float)Math.Min(1.0, 4 * Math.PI * area / (perimeter * perimeter));
        return new Cluster(x, y, response, peak, background, (float)integrated, area, circularity);
    }

    /// <summary>The sum of the counts in the region, branch-free: per row, its counts masked by its region bits.</summary>
    private static unsafe uint RegionSum(ushort* box, int stride, int side, ushort* region)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var lanes = Vector512.Create(1u, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768);
            Vector512<uint> sum = default;
            for (int r = 0; r < side; r++)
            {
                var inRegion = Vector512.Equals(Vector512.Create((uint)region[r]) & lanes, lanes);
                sum = Vector512.ConditionalSelect(inRegion, sum + Vector512.WidenLower(Vector256.Load(box + r * stride).ToVector512Unsafe()), sum);
            }
            return Vector512.Sum(sum);
        }
        else
        {
            var lanes = Vector256.Create((ushort)1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768);
            Vector256<uint> sum = default;
            for (int r = 0; r < side; r++)
            {
                var values = Vector256.Load(box + r * stride) & Vector256.Equals(Vector256.Create(region[r]) & lanes, lanes);
                sum += Vector256.WidenLower(values) + Vector256.WidenUpper(values);
            }
            return Vector256.Sum(sum);
        }
    }

    /// <summary>
    /// Keys count·16 + (first − column) of the first 3 pixels at <paramref name="row"/> (lane 3 is 0): the largest key
    /// over the 3×3 is its brightest pixel, the first in row order among equals.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector128<uint> PeakKeys(ushort* row, uint first) =>
        ((Vector128.WidenLower(Vector128.Load(row)) << 4) | Vector128.Create(first, first - 1, first - 2, 0))
        & Vector128.Create(uint.MaxValue, uint.MaxValue, uint.MaxValue, 0);

    /// <summary>
    /// The region into <paramref name="region"/> (rows 0 … side − 1, then empty rows up to 16): the pixels above the level
    /// 8-connected to (px, py), grown from it until it stops changing — the same set whatever the order of growth.
    /// </summary>
    private static unsafe void GrowRegion(ushort* box, int stride, int side, Vector256<ushort> threshold, int px, int py, ushort* region)
    {
        uint columns = (1u << side) - 1;
        if (Avx512BW.VL.IsSupported)
        {
            // All rows in one vector, lane r = row r, grown by a pixel in every direction per step (neighbour rows by
            // lane rotations: side is odd, so at most 15 and lane 15 stays empty: what rotates round is nothing).
            var above = Vector256.Create(AboveRows(box, stride, side, threshold, columns, 0), AboveRows(box, stride, side, threshold, columns, 4),
                                         AboveRows(box, stride, side, threshold, columns, 8), AboveRows(box, stride, side, threshold, columns, 12)).AsUInt16();
            // The seed, lane py only: WithElement would go through memory, and the wide reload would wait on the narrow store.
            var laneIndices = Vector256.Create((ushort)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            var grown = Vector256.Equals(laneIndices, Vector256.Create((ushort)py)) & Vector256.Create((ushort)(1u << px));
            var fromAbove = Vector256.Create((ushort)15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
            var fromBelow = Vector256.Create((ushort)1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0);
            while (true)
            {
                var near = grown | Avx512BW.VL.PermuteVar16x16(grown, fromAbove) | Avx512BW.VL.PermuteVar16x16(grown, fromBelow);
                near |= Vector256.ShiftLeft(near, 1) | Vector256.ShiftRightLogical(near, 1);
                var next = grown | (near & above);
                if (next == grown) break;
                grown = next;
            }
            grown.Store(region);
            return;
        }
        // Row by row, down then up, until a pass adds nothing: each pass carries the region as far as it reaches in its
        // direction, so a blob needs about three passes. Rows −1 and side are an empty ring.
        uint* above1 = stackalloc uint[MaxInteriorSide + 2];
        uint* region1 = stackalloc uint[MaxInteriorSide + 2];
        above1[0] = above1[side + 1] = region1[0] = region1[side + 1] = 0;
        for (int r = 1; r <= side; r++)
        {
            above1[r] = Vector256.GreaterThan(Vector256.Load(box + (r - 1) * stride), threshold).ExtractMostSignificantBits() & columns;
            region1[r] = 0;
        }
        region1[py + 1] = 1u << px;
        while (true)
        {
            uint added = 0;
            for (int r = 1; r <= side; r++) added |= Grow(above1, region1, r);
            if (added == 0) break;
            added = 0;
            for (int r = side; r >= 1; r--) added |= Grow(above1, region1, r);
            if (added == 0) break;
        }
        for (int r = 0; r < MaxInteriorSide; r++) region[r] = r < side ? (ushort)region1[r + 1] : (ushort)0;
    }

    /// <summary>The above-level masks of box rows first … first + 3 (none past the box) as four 16-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe ulong AboveRows(ushort* box, int stride, int side, Vector256<ushort> threshold, uint columns, int first)
    {
        ulong rows = 0;
        for (int r = first; r < Math.Min(side, first + 4); r++)
            rows |= (ulong)(Vector256.GreaterThan(Vector256.Load(box + r * stride), threshold).ExtractMostSignificantBits() & columns) << (16 * (r - first));
        return rows;
    }

    /// <summary>Adds to row r the pixels above the level next to the region in rows r − 1 … r + 1; returns those it added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe uint Grow(uint* above, uint* region, int r)
    {
        uint near = region[r - 1] | region[r] | region[r + 1];
        near |= (near << 1) | (near >> 1);
        uint old = region[r], grown = old | (near & above[r]);
        region[r] = grown;
        return grown ^ old;
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
            for (int r = 1; r < padded - 1; r++)
            {
                ulong near = region[r - 1] | region[r] | region[r + 1];
                near |= (near << 1) | (near >> 1);
                ulong grown = region[r] | (near & above[r]);
                if (grown != region[r]) { region[r] = grown; changed = true; }
            }
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

    private const int MaxRankedValues = 64;

    /// <summary>Room for <see cref="MaxRankedValues"/> counts and 32 of padding after them.</summary>
    private const int RankBuffer = MaxRankedValues + 32;

    /// <summary>
    /// Median of 1 … 64 camera counts (mean of the middle two for an even count); see <see cref="MedianOfCounts(ushort*, int)"/>.
    /// </summary>
    [SkipLocalsInit]
    internal static unsafe float MedianOfCounts(ReadOnlySpan<ushort> values)
    {
        int n = values.Length;
        if (n == 0 || n > MaxRankedValues) throw new ArgumentOutOfRangeException(nameof(values), n, $"1 … {MaxRankedValues} values");
        ushort* counts = stackalloc ushort[RankBuffer];
        values.CopyTo(new Span<ushort>(counts, n));
        return MedianOfCounts(counts, n);
    }

    /// <summary>
    /// Median of n ≤ 64 counts at <paramref name="counts"/> (a buffer of <see cref="RankBuffer"/>; this pads it), by rank
    /// in 16-bit lanes, 32 (or 16) counts per vector, branch-free: for each count, how many counts are below it. The k-th
    /// smallest is then the largest count with at most k below it (any larger count has the k-th smallest and everything
    /// under it below). The padding is 65535, below no count (so an odd n may compare one padding count too), and chosen
    /// only when the k-th smallest is 65535 anyway.
    /// On a box border of 32 this is several times faster than quickselect, whose unpredictable branches dominate at that size.
    /// </summary>
    private static unsafe float MedianOfCounts(ushort* counts, int n)
    {
        int k = n / 2;
        Vector256<ushort>.AllBitsSet.Store(counts + n);          // padding up to the next 32
        Vector256<ushort>.AllBitsSet.Store(counts + n + 16);
        Vector128<ushort> upper, lower;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<ushort> up = default, low = default, kV = Vector512.Create((ushort)k);
            for (int b = 0; b < n; b += 32)
            {
                var block = Vector512.Load(counts + b);
                var swapped = SwapPairs(block);
                Vector512<ushort> below = default, belowSwapped = default;
                for (int j = 0; j < n; j += 2)
                {
                    // Counts j and j + 1 in alternate lanes (a 32-bit broadcast is a plain load; a 16-bit one also
                    // shuffles): against the block they count for its even and odd lanes, against the swapped block
                    // for its odd and even lanes. The selects become adds under the compare's mask.
                    var pair = Vector512.Create(*(uint*)(counts + j)).AsUInt16();
                    below = Vector512.ConditionalSelect(Vector512.LessThan(pair, block), below + Vector512<ushort>.One, below);
                    belowSwapped = Vector512.ConditionalSelect(Vector512.LessThan(pair, swapped), belowSwapped + Vector512<ushort>.One, belowSwapped);
                }
                below += SwapPairs(belowSwapped);
                up = Vector512.Max(up, block & Vector512.LessThanOrEqual(below, kV));
                low = Vector512.Max(low, block & Vector512.LessThan(below, kV));
            }
            var up256 = Vector256.Max(up.GetLower(), up.GetUpper());
            var low256 = Vector256.Max(low.GetLower(), low.GetUpper());
            upper = Vector128.Max(up256.GetLower(), up256.GetUpper());
            lower = Vector128.Max(low256.GetLower(), low256.GetUpper());
        }
        else
        {
            Vector256<ushort> up = default, low = default, kV = Vector256.Create((ushort)k);
            for (int b = 0; b < n; b += 16)
            {
                var block = Vector256.Load(counts + b);
                var swapped = SwapPairs(block);
                Vector256<ushort> below = default, belowSwapped = default;
                for (int j = 0; j < n; j += 2)
                {
                    var pair = Vector256.Create(*(uint*)(counts + j)).AsUInt16();
                    below -= Vector256.LessThan(pair, block);
                    belowSwapped -= Vector256.LessThan(pair, swapped);
                }
                below += SwapPairs(belowSwapped);
                up = Vector256.Max(up, block & Vector256.LessThanOrEqual(below, kV));
                low = Vector256.Max(low, block & Vector256.LessThan(below, kV));
            }
            upper = Vector128.Max(up.GetLower(), up.GetUpper());
            lower = Vector128.Max(low.GetLower(), low.GetUpper());
        }
        int kth = LargestLane(upper);
        return n % 2 == 1 ? kth : 0.5f * (LargestLane(lower) + kth);
    }

    /// <summary>Lanes 2i and 2i + 1 exchanged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> SwapPairs(Vector512<ushort> v) =>
        Avx512F.RotateLeft(v.AsUInt32(), 16).AsUInt16();     // Vector512 is accelerated only with AVX-512F

    /// <inheritdoc cref="SwapPairs(Vector512{ushort})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> SwapPairs(Vector256<ushort> v) =>
        (Vector256.ShiftLeft(v.AsUInt32(), 16) | Vector256.ShiftRightLogical(v.AsUInt32(), 16)).AsUInt16();

    /// <summary>The largest of 8 counts: SSE4.1 has a horizontal minimum, so the minimum of their complements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LargestLane(Vector128<ushort> v)
    {
        if (Sse41.IsSupported) return ushort.MaxValue - Sse41.MinHorizontal(~v).ToScalar();
        int max = 0;
        for (int i = 0; i < Vector128<ushort>.Count; i++) max = Math.Max(max, v.GetElement(i));
        return max;
    }

    /// <summary>Median (mean of the middle two for an even count) by selection; reorders the span.</summary>
    internal static float Median(Span<float> values)
    {
        int n = values.Length, k = n / 2;        float upper = Select(values, k);
        if (n % 2 == 1) return upper;
        float lower = values[0];                     // after selecting k, everything before it is ≤ values[k]
        for (int i = 1; i < k; i++) lower = Math.Max(lower, values[i]);
        return 0.5f * (lower + upper);
    }

    /// <summary>The k-th smallest (0-based); afterwards values[..k] ≤ values[k] ≤ values[k+1..] (quickselect).</summary>
    private static float Select(Span<float> values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            float pivot = values[(lo + hi) >>> 1];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j) { (values[i], values[j]) = (values[j], values[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else break;
        }
        return values[k];
    }
}
