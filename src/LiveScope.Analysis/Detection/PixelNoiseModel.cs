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
    private readonly int[] _diff = new int[MaxBlocks * DiffsPerBlock];
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
        int n = 0, min = int.MaxValue, max = int.MinValue;
        for (int pair = stride / 2; pair < rowPairs && n + blocksPerRow <= MaxBlocks; pair += stride)
        {
            ushort* top = frame + (long)2 * pair * width, bottom = top + width;
            for (int x = 0; x + BlockWidth <= width; x += BlockWidth)
            {
                int sum = 0;
                int k = n * DiffsPerBlock;
                for (int i = 0; i < BlockWidth; i += 2)
                {
                    int a = top[x + i], b = top[x + i + 1], c = bottom[x + i], e = bottom[x + i + 1];
                    sum += a + b + c + e;
                    _diff[k++] = Math.Abs(b - a);
                    _diff[k++] = Math.Abs(e - c);
                    _diff[k++] = Math.Abs(c - a);          // vertical
                    _diff[k++] = Math.Abs(e - b);
                }
                _level[n++] = sum;
                if (sum < min) min = sum;
                if (sum > max) max = sum;
            }
        }
        if (n == 0) return;

        Array.Clear(_levelHistogram);
        long span = Math.Max(1, max - min);
        for (int i = 0; i < n; i++) _levelHistogram[(int)((_level[i] - min) * (LevelBins - 1) / span)]++;
        double ToLevel(int bin) => (min + (bin + 0.5) * span / (LevelBins - 1)) / (2.0 * BlockWidth);
        int low = Percentile(n, 0.02), dark = Percentile(n, 0.05), high = Percentile(n, 0.98);
        DarkLevel = ToLevel(dark);
        int groupBins = Math.Max(1, (high - low + Groups) / Groups);

        Array.Clear(_diffHistogram); Array.Clear(_verticalHistogram); Array.Clear(_groupLevelSum); Array.Clear(_groupCount);
        for (int i = 0; i < n; i++)
        {
            int bin = (int)((_level[i] - min) * (LevelBins - 1) / span);
            if (bin < low || bin > high) continue;
            int g = Math.Min(Groups - 1, (bin - low) / groupBins);
            _groupCount[g]++; _groupLevelSum[g] += _level[i];
            for (int k = i * DiffsPerBlock; k < (i + 1) * DiffsPerBlock; k += 4)
            {
                _diffHistogram[g * DiffBins + Math.Min(_diff[k], DiffBins - 1)]++;
                _diffHistogram[g * DiffBins + Math.Min(_diff[k + 1], DiffBins - 1)]++;
                _verticalHistogram[g * DiffBins + Math.Min(_diff[k + 2], DiffBins - 1)]++;
                _verticalHistogram[g * DiffBins + Math.Min(_diff[k + 3], DiffBins - 1)]++;
            }
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
