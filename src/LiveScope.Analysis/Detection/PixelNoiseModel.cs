using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LiveScope.Analysis.Detection;

/// <summary>
/// The frame's pixel noise as a function of intensity, σ²(L) = intercept + slope·L (ADU): read noise plus shot noise,
/// which for a camera of gain g grows as g·L. Estimated on every frame from a subsample of 2 × 8-px blocks (≤
/// <see cref="MaxBlocks"/>, at a row stride): a block's level is the mean of its 16 pixels (its noise is a quarter of
/// a pixel's, so levels are not smeared by the noise being measured), its noise samples are its 8 horizontal pair
/// differences. Blocks are grouped into <see cref="Groups"/> equal level ranges between the 2nd and 98th percentile;
/// each group's noise is the smaller of the median absolute horizontal and vertical differences / (0.6745·√2)
/// (a line raises the differences across it, not along it) and the model is the lower envelope of the groups'
/// (level, σ²) from the darkest one (see <see cref="Fit"/>). Equal ranges rather than equal
/// counts, so the dark background, which holds most pixels, is one point of the line and not most of them.
/// Allocation-free after construction.
/// </summary>
internal sealed unsafe class PixelNoiseModel
{
    public const int MaxBlocks = 1 << 13;
    public const int Groups = 8;
    private const int BlockWidth = 8, DiffsPerBlock = 2 * BlockWidth, LevelBins = 256, DiffBins = 1024, MinBlocksPerGroup = 32;
    /// <summary>Rounding to whole ADU alone leaves 1/√12 ADU of noise: no integer frame is quieter.</summary>
    public const double MinSd = 0.2886751345948129;
    private const double MadToSd = 0.6744897501960817 * 1.4142135623730951;

    private readonly int[] _level = new int[MaxBlocks];                // sum of the block's 16 pixels
    private readonly byte[] _bin = new byte[MaxBlocks];                // the level's histogram bin
    private readonly sbyte[] _group = new sbyte[MaxBlocks];            // its group, −1 outside the 2nd–98th percentile
    private readonly int[] _levelHistogram = new int[LevelBins];
    private readonly int[] _diffHistogram = new int[Groups * DiffBins], _verticalHistogram = new int[Groups * DiffBins];
    private readonly long[] _groupLevelSum = new long[Groups];
    private readonly int[] _groupCount = new int[Groups];
    private readonly double[] _groupLevel = new double[Groups], _groupVariance = new double[Groups];

    /// <summary>σ² = Intercept + Slope · level (ADU², level in ADU).</summary>
    public double Intercept { get; private set; }
    public double Slope { get; private set; }
    /// <summary>The 5th percentile of the sampled block levels (ADU): the dark background of the frame.</summary>
    public double DarkLevel { get; private set; }

    /// <summary>Pixel noise SD at <paramref name="level"/> (ADU), never below <see cref="MinSd"/>.</summary>
    public double Sd(double level) => Math.Sqrt(Math.Max(Intercept + Slope * level, MinSd * MinSd));

    public void Estimate(ushort* frame, int width, int height)
    {
        int blocksPerRow = width / BlockWidth, rowPairs = height / 2;
        Intercept = MinSd * MinSd; Slope = 0; DarkLevel = 0;
        if (blocksPerRow == 0 || rowPairs == 0) return;
        int stride = (int)Math.Max(1, ((long)blocksPerRow * rowPairs + MaxBlocks - 1) / MaxBlocks);
        int firstPair = stride / 2;
        int pairs = Math.Min((rowPairs - firstPair + stride - 1) / stride, MaxBlocks / blocksPerRow);
        if (pairs <= 0) return;
        int n = pairs * blocksPerRow;

        // Two passes over the sampled rows (256 kB at most, still in L2 for the second): the levels first, then —
        // once the groups are known — the differences straight into the histograms. Storing 16 differences per block
        // for later (512 kB of ints, written and read back) cost more than reading the pixels again.
        fixed (int* level = _level)
        {
            for (int p = 0; p < pairs; p++)
            {
                ushort* top = frame + (long)2 * (firstPair + p * stride) * width;
                BlockLevels(top, top + width, blocksPerRow, level + p * blocksPerRow);
            }
            int min = int.MaxValue, max = int.MinValue;
            for (int i = 0; i < n; i++) { min = Math.Min(min, level[i]); max = Math.Max(max, level[i]); }

            // Level bins: (level − min)·255 ≤ 16·65535·255 fits an int, so the division is exact in 32 bits.
            Array.Clear(_levelHistogram);
            int span = Math.Max(1, max - min);
            fixed (byte* bins = _bin)
            fixed (int* levelHistogram = _levelHistogram)
            {
                for (int i = 0; i < n; i++)
                {
                    int bin = (level[i] - min) * (LevelBins - 1) / span;
                    bins[i] = (byte)bin;
                    levelHistogram[bin]++;
                }
            }
            double ToLevel(int bin) => (min + (bin + 0.5) * span / (LevelBins - 1)) / (2.0 * BlockWidth);
            int low = Percentile(n, 0.02), dark = Percentile(n, 0.05), high = Percentile(n, 0.98);
            DarkLevel = ToLevel(dark);
            int groupBins = Math.Max(1, (high - low + Groups) / Groups);

            Array.Clear(_groupLevelSum); Array.Clear(_groupCount);
            fixed (byte* bins = _bin)
            fixed (sbyte* group = _group)
                for (int i = 0; i < n; i++)
                {
                    int bin = bins[i];
                    if (bin < low || bin > high) { group[i] = -1; continue; }
                    int g = Math.Min(Groups - 1, (bin - low) / groupBins);
                    group[i] = (sbyte)g;
                    _groupCount[g]++; _groupLevelSum[g] += level[i];
                }
        }

        Array.Clear(_diffHistogram); Array.Clear(_verticalHistogram);
        fixed (sbyte* group = _group)
        fixed (int* horizontal = _diffHistogram, vertical = _verticalHistogram)
            for (int p = 0; p < pairs; p++)
            {
                ushort* top = frame + (long)2 * (firstPair + p * stride) * width;
                CountDifferences(top, top + width, blocksPerRow, group + p * blocksPerRow, horizontal, vertical);
            }
        int groups = 0;
        for (int g = 0; g < Groups; g++)
        {
            if (_groupCount[g] < MinBlocksPerGroup) continue;
            // A line across the block raises the differences across it, not those along it: the smaller of the two.
            double mad = Math.Min(MedianAbsoluteDifference(_diffHistogram, g, _groupCount[g] * DiffsPerBlock / 2),
                                  MedianAbsoluteDifference(_verticalHistogram, g, _groupCount[g] * DiffsPerBlock / 2));
            double sd = mad / MadToSd;
            _groupLevel[groups] = _groupLevelSum[g] / (2.0 * BlockWidth * _groupCount[g]);
            _groupVariance[groups] = sd * sd;
            groups++;
        }
        // Only the darkest groups: in brighter ones the blocks are mostly on cell structure (rims, edges, clusters) whose
        // differences inflate the MAD (on simulated cells the top groups read 2–5× the shot noise). Shot noise is linear
        // in the level, so the line fitted on the dark part extrapolates to the bright one.
        Fit(groups);
    }

    /// <summary>Sum of each 2 × 8-px block's 16 pixels along one row pair.</summary>
    private static void BlockLevels(ushort* top, ushort* bottom, int blocks, int* level)
    {
        int b = 0;
        for (; b + 2 <= blocks; b += 2)
        {
            var (t0, t1) = Vector256.Widen(Vector256.Load(top + b * BlockWidth));
            var (b0, b1) = Vector256.Widen(Vector256.Load(bottom + b * BlockWidth));
            level[b] = (int)Vector256.Sum(t0 + b0);
            level[b + 1] = (int)Vector256.Sum(t1 + b1);
        }
        for (; b < blocks; b++)
        {
            int sum = 0;
            for (int i = 0; i < BlockWidth; i++) sum += top[b * BlockWidth + i] + bottom[b * BlockWidth + i];
            level[b] = sum;
        }
    }

    /// <summary>
    /// Adds each grouped block's 8 horizontal pair differences (pixels 2i, 2i+1 of either row) to its group's
    /// <paramref name="horizontal"/> histogram and its 8 vertical ones to <paramref name="vertical"/>, capped at the last bin.
    /// </summary>
    private static void CountDifferences(ushort* top, ushort* bottom, int blocks, sbyte* group, int* horizontal, int* vertical)
    {
        const int cap = DiffBins - 1;
        // |a − b| of unsigned values is max − min, exact in their own width.
        uint* h = stackalloc uint[2 * BlockWidth];
        ushort* v = stackalloc ushort[2 * BlockWidth];
        var low = Vector256.Create(0xFFFFu);
        var capWide = Vector256.Create((uint)cap);
        var capNarrow = Vector256.Create((ushort)cap);
        int b = 0;
        for (; b + 2 <= blocks; b += 2)
        {
            int g0 = group[b], g1 = group[b + 1];
            if ((g0 & g1) < 0) continue;                 // both outside the groups
            var t = Vector256.Load(top + b * BlockWidth);
            var d = Vector256.Load(bottom + b * BlockWidth);
            Vector256.Min(Vector256.Max(t, d) - Vector256.Min(t, d), capNarrow).Store(v);
            var tw = t.AsUInt32(); var dw = d.AsUInt32();
            Vector256.Min(PairDifference(tw & low, tw >> 16), capWide).Store(h);
            Vector256.Min(PairDifference(dw & low, dw >> 16), capWide).Store(h + BlockWidth);
            // h: top pairs of both blocks (4 each), then bottom pairs; v: 8 columns of each block.
            if (g0 >= 0) Count(h, h + BlockWidth, v, horizontal + g0 * DiffBins, vertical + g0 * DiffBins);
            if (g1 >= 0) Count(h + 4, h + BlockWidth + 4, v + BlockWidth, horizontal + g1 * DiffBins, vertical + g1 * DiffBins);
        }
        for (; b < blocks; b++)
        {
            int g = group[b];
            if (g < 0) continue;
            ushort* t = top + b * BlockWidth, d = bottom + b * BlockWidth;
            for (int i = 0; i < BlockWidth; i += 2)
            {
                horizontal[g * DiffBins + Math.Min(Math.Abs(t[i + 1] - t[i]), cap)]++;
                horizontal[g * DiffBins + Math.Min(Math.Abs(d[i + 1] - d[i]), cap)]++;
                vertical[g * DiffBins + Math.Min(Math.Abs(d[i] - t[i]), cap)]++;
                vertical[g * DiffBins + Math.Min(Math.Abs(d[i + 1] - t[i + 1]), cap)]++;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> PairDifference(Vector256<uint> a, Vector256<uint> b) => Vector256.Max(a, b) - Vector256.Min(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Count(uint* topPairs, uint* bottomPairs, ushort* columns, int* horizontal, int* vertical)
    {
        for (int i = 0; i < 4; i++) { horizontal[topPairs[i]]++; horizontal[bottomPairs[i]]++; }
        for (int i = 0; i < BlockWidth; i++) vertical[columns[i]]++;
    }

    /// <summary>The level-histogram bin holding the <paramref name="fraction"/> quantile of the n block levels.</summary>
    private int Percentile(int n, double fraction)
    {
        long target = (long)(fraction * n), cumulative = 0;
        for (int bin = 0; bin < LevelBins; bin++)
        {
            cumulative += _levelHistogram[bin];
            if (cumulative > target) return bin;
        }
        return LevelBins - 1;
    }

    /// <summary>Median of the group's |difference|, interpolated inside its integer bin (value j spans j ± ½, 0 spans 0 … ½).</summary>
    private static double MedianAbsoluteDifference(int[] histogram, int g, int count)
    {
        double half = 0.5 * count, cumulative = 0;
        for (int j = 0; j < DiffBins; j++)
        {
            int c = histogram[g * DiffBins + j];
            if (cumulative + c >= half && c > 0)
            {
                double low = j == 0 ? 0 : j - 0.5, width = j == 0 ? 0.5 : 1;
                return low + width * (half - cumulative) / c;
            }
            cumulative += c;
        }
        return DiffBins;
    }

    /// <summary>
    /// Lower envelope from the darkest group: structure only ever adds to a group's differences, never removes, so the
    /// slope is the smallest (σ² − σ₀²) / (L − L₀) over groups at least σ₀ brighter than the darkest one (closer groups
    /// give too noisy a slope; if there are none, the farthest group), not below 0. On simulated cells every group above
    /// the cytoplasm is mostly rims and clusters and reads up to 10× the shot noise; a fit through all of them would
    /// give several times the true gain.
    /// </summary>
    private void Fit(int groups)
    {
        if (groups == 0) { Intercept = MinSd * MinSd; Slope = 0; return; }
        double l0 = _groupLevel[0], v0 = _groupVariance[0], minStep = Math.Sqrt(Math.Max(v0, MinSd * MinSd));
        double slope = double.PositiveInfinity;
        for (int g = 1; g < groups; g++)
            if (_groupLevel[g] - l0 >= minStep) slope = Math.Min(slope, (_groupVariance[g] - v0) / (_groupLevel[g] - l0));
        if (double.IsPositiveInfinity(slope) && groups > 1 && _groupLevel[groups - 1] > l0)
            slope = (_groupVariance[groups - 1] - v0) / (_groupLevel[groups - 1] - l0);
        Slope = double.IsFinite(slope) ? Math.Max(0, slope) : 0;
        Intercept = v0 - Slope * l0;
    }
}
