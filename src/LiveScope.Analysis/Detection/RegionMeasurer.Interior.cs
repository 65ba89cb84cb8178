using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LiveScope.Analysis.Detection;

/// <summary>
/// The interior path: boxes inside the frame up to 15 wide (the usual case), measured straight from the frame's counts
/// with one vector per box row.
/// </summary>
internal sealed partial class RegionMeasurer
{
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
    [SkipLocalsInit, MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        ulong* above1 = stackalloc ulong[MaxInteriorSide + 2];
        ulong* region1 = stackalloc ulong[MaxInteriorSide + 2];
        above1[0] = above1[side + 1] = region1[0] = region1[side + 1] = 0;
        for (int r = 1; r <= side; r++)
        {
            above1[r] = Vector256.GreaterThan(Vector256.Load(box + (r - 1) * stride), threshold).ExtractMostSignificantBits() & columns;
            region1[r] = 0;
        }
        region1[py + 1] = 1u << px;
        while (true)
        {
            ulong added = 0;
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

}
