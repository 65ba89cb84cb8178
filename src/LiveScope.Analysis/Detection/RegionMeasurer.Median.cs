using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LiveScope.Analysis.Detection;

/// <summary>The border median: a rank count for up to 64 counts, quickselect beyond.</summary>
internal sealed partial class RegionMeasurer
{
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
        int n = values.Length, k = n / 2;
        float upper = OrderStatistics.KthSmallest(values, k);
        if (n % 2 == 1) return upper;
        float lower = values[0];                     // after selecting k, everything before it is ≤ values[k]
        for (int i = 1; i < k; i++) lower = Math.Max(lower, values[i]);
        return 0.5f * (lower + upper);
    }
}
