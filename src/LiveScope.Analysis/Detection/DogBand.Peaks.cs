using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace LiveScope.Analysis.Detection;

/// <summary>
/// Locating and testing the maxima inside the full-resolution sweep. The DoG ring keeps 2R+1 rows (R: the ridge
/// samples' reach) and the narrow ring R more rows than the blur needs (each one more when the vertical pass computes
/// rows m+R and m+R+1 together), so when row m+R has been computed every value a maximum of row m needs is still in
/// L1: its 3×3 DoG neighbourhood (sub-pixel position, curvature), the narrow blur at it (its local level) and the DoG
/// at the ridge sample points (bilinear between ring values). Computing these from
/// the frame again, as the refiner does, costs ~30× more per maximum; dense frames have ~20 000 maxima above the floor.
/// The values are bit-identical to the refiner's (same arithmetic in the same order) except the ridge samples, which
/// interpolate the DoG where the refiner applies the interpolated kernel to the pixels (equal up to float rounding).
/// Maxima that pass <see cref="PeakAcceptance"/> are kept in <see cref="Peaks"/>.
/// </summary>
internal sealed unsafe partial class DogBand
{
    /// <summary>Null: candidates are only listed (the caller locates them on the frame).</summary>
    private readonly PeakAcceptance? _acceptance;
    private readonly int _reach;                     // rows and columns the evaluation reads either side of a maximum
    private readonly int _dogRows;                   // DoG ring rows: 3, or 2·reach + 1 when maxima are evaluated here; +1 with two rows per pass
    private readonly float[] _narrowWeights;
    private readonly int _ridgeSamples;
    private readonly int[] _ridgeDx, _ridgeDy;       // top-left ring pixel of each sample's bilinear 2×2, relative to the peak
    private readonly float[] _ridgeWeights;          // 4 per sample: (x0,y0), (x1,y0), (x0,y1), (x1,y1)
    private RefinedPeak[] _peaks = [];
    // The kept peaks' sort keys (see StrongestFirst): SortPeaks, run by the band's worker after its sweep, puts the
    // peaks (and their regions) in key order, so the serial merge only interleaves the bands' lists, reading each in turn.
    private ulong[] _peakKeys = [];
    private int[] _peakOrder = [];
    private RefinedPeak[] _peaksSorted = [];
    private Cluster[] _measuredSorted = [];
    // Regions measured here: the box of a maximum m is rows m ± d around, which the sweep read at most ~d + 2·reach rows
    // ago, so they are still cached; measured afterwards, strongest first, every box was cache misses (a fifth of the
    // detector's time on dense frames). Nearly every kept maximum becomes a cluster, so little is measured in vain.
    private readonly RegionMeasurer? _measurer;
    private Cluster[] _measured = [];
    private ushort* _sweepFrame;
    private readonly ulong _widthMultiplier;         // ⌊2⁶⁴ / sweep width⌋ + 1, for RowOf

    /// <summary>Rows and columns either side of a maximum that <see cref="EvaluateCandidates"/> reads (the ridge samples' bilinear reach, at least 1).</summary>
    public static int EvaluationReach(double ridgeDistancePx) => ridgeDistancePx > 0 ? (int)Math.Floor(ridgeDistancePx) + 1 : 1;

    /// <summary>The largest reach the tile margins allow.</summary>
    public const int MaxEvaluationReach = Margin;

    /// <summary>Whether maxima are located and tested during the sweep (full resolution with an acceptance).</summary>
    public bool EvaluatesPeaks => _acceptance is not null;

    /// <summary>
    /// Maxima of the last sweep above the floor that passed the acceptance (with <see cref="EvaluatesPeaks"/>), in sweep
    /// order, or strongest first after <see cref="SortPeaks"/>.
    /// </summary>
    public ReadOnlySpan<RefinedPeak> Peaks => _peaks.AsSpan(0, PeakCount);
    public int PeakCount { get; private set; }

    /// <summary>Whether <see cref="Measured"/> holds the region of each of <see cref="Peaks"/>.</summary>
    public bool MeasuresRegions => _measurer is not null;

    /// <summary>With <see cref="MeasuresRegions"/>: the cluster each of <see cref="Peaks"/> would be, measured (response = its DoG).</summary>
    public ReadOnlySpan<Cluster> Measured => _measured.AsSpan(0, _measurer is null ? 0 : PeakCount);

    private static int EvaluationRows(PeakAcceptance? acceptance, int reach) => acceptance is null ? 3 : Math.Max(3, 2 * reach + 1);

    /// <summary>Ridge sample table: for each point, the top-left pixel of its bilinear 2×2 and the four weights.</summary>
    private static (int[] Dx, int[] Dy, float[] Weights) RidgeTable(double distance)
    {
        int n = distance > 0 ? 2 * SubPixelRefiner.RidgeDirections : 0;
        var dx = new int[n]; var dy = new int[n]; var weights = new float[4 * n];
        for (int d = 0; d < n; d++)
        {
            var (ux, uy) = SubPixelRefiner.RidgeOffset(d, distance);
            int bx = (int)Math.Floor(ux), by = (int)Math.Floor(uy);
            double fx = ux - bx, fy = uy - by;
            dx[d] = bx; dy[d] = by;
            weights[4 * d] = (float)((1 - fx) * (1 - fy));
            weights[4 * d + 1] = (float)(fx * (1 - fy));
            weights[4 * d + 2] = (float)((1 - fx) * fy);
            weights[4 * d + 3] = (float)(fx * fy);
        }
        return (dx, dy, weights);
    }

    /// <summary>
    /// Evaluates the candidates from <paramref name="first"/> on whose row is at most <paramref name="lastRow"/> (all of
    /// their rows ± reach are in the rings); returns the first one not evaluated.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int EvaluateCandidates(int first, int lastRow, int tileX)
    {
        int[] index = CandidateIndex; float[] response = CandidateResponse;
        int reach = _reach, r1 = _r1;
        // Ring rows of the current maximum's row m: dog[j] is DoG row m − reach + j, narrow[j] narrow row m − r1 + j.
        float** dog = stackalloc float*[2 * reach + 1];
        float** narrow = stackalloc float*[2 * r1 + 1];
        int rowsOf = int.MinValue;
        int i = first, count = CandidateCount;
        for (; i < count; i++)
        {
            int k = index[i], m = RowOf(k), x = k - m * _width;
            if (m > lastRow) break;
            if (m != rowsOf)
            {
                RingRows(_dog, _dogRows, _dogRing, m - reach, 2 * reach + 1, dog);
                RingRows(_h1, _ring1, _narrowRing, m - r1, 2 * r1 + 1, narrow);
                rowsOf = m;
            }
            int column = Margin + x - tileX;          // ring column of the maximum
            // Many maxima of a dense frame lie on bright structure and fail the noise test at its lowest: they are
            // neither located nor ridge-sampled.
            float narrowHere = NarrowAt(narrow, _narrowWeights, column);
            if (!_acceptance!.MayKeep(dog[reach][column], narrowHere, response[i])) continue;
            var peak = SubPixelRefiner.Peak(x, m, dog[reach - 1] + column, dog[reach] + column, dog[reach + 1] + column, narrowHere);
            if (_ridgeSamples > 0) peak = peak with { AlongRidge = AlongRidge(dog + reach, column, peak.Dog) };
            if (!_acceptance.Keeps(peak, response[i])) continue;
            if (PeakCount == _peaks.Length)
            {
                Array.Resize(ref _peaks, Math.Max(256, 2 * _peaks.Length));
                Array.Resize(ref _peakKeys, _peaks.Length);
                Array.Resize(ref _peakOrder, _peaks.Length);
                if (_measurer is not null) Array.Resize(ref _measured, _peaks.Length);
            }
            if (_measurer is not null)
                _measured[PeakCount] = _measurer.Measure(new ReadOnlySpan<ushort>(_sweepFrame, _frameWidth * _frameHeight), _frameWidth, _frameHeight,
                                                         x, m, peak.X, peak.Y, peak.Dog);
            _peaks[PeakCount++] = peak;
        }
        return i;
    }

    /// <summary>Sort keys of <see cref="Peaks"/>, ascending (after <see cref="SortPeaks"/>).</summary>
    public ReadOnlySpan<ulong> PeakKeys => _peakKeys.AsSpan(0, PeakCount);

    /// <summary>
    /// Orders <see cref="Peaks"/> (and <see cref="Measured"/>) strongest first, equal responses in pixel order
    /// (<see cref="StrongestFirst"/>): keys are unique, so merging the bands' lists by key gives the order one sort of all
    /// peaks would, whatever the band layout.
    /// </summary>
    public void SortPeaks()
    {
        int n = PeakCount;
        for (int i = 0; i < n; i++)
        {
            ref readonly var peak = ref _peaks[i];
            _peakKeys[i] = StrongestFirst(peak.Dog, peak.PixelY * _width + peak.PixelX);
            _peakOrder[i] = i;
        }
        _peakKeys.AsSpan(0, n).Sort(_peakOrder.AsSpan(0, n));
        if (_peaksSorted.Length < _peaks.Length) _peaksSorted = new RefinedPeak[_peaks.Length];
        for (int i = 0; i < n; i++) _peaksSorted[i] = _peaks[_peakOrder[i]];
        (_peaks, _peaksSorted) = (_peaksSorted, _peaks);
        if (_measurer is null) return;
        if (_measuredSorted.Length < _measured.Length) _measuredSorted = new Cluster[_measured.Length];
        for (int i = 0; i < n; i++) _measuredSorted[i] = _measured[_peakOrder[i]];
        (_measured, _measuredSorted) = (_measuredSorted, _measured);
    }

    /// <summary>Prefetches peak <paramref name="i"/> and its region, if there is one.</summary>
    public void PrefetchPeak(int i)
    {
        if (i >= PeakCount || !Sse.IsSupported) return;
        fixed (RefinedPeak* peak = &_peaks[i]) Sse.Prefetch0(peak);
        if (_measurer is not null) fixed (Cluster* region = &_measured[i]) Sse.Prefetch0(region);
    }

    /// <summary>
    /// Sort key of a peak: strongest response first (at full resolution the response is the DoG at the maximum), equal
    /// responses in pixel order. Without the pixel, the order of equal responses — and so which of two equal peaks closer
    /// than d/2 survives the merge — followed the peaks' order in the bands, i.e. the band layout.
    /// </summary>
    public static ulong StrongestFirst(float response, int pixel)
    {
        // The float's bits made to order as unsigned integers (sign bit flipped, all bits of negatives), then inverted.
        int bits = BitConverter.SingleToInt32Bits(response);
        uint ordered = (uint)bits ^ (uint)((bits >> 31) | int.MinValue);
        return (ulong)~ordered << 32 | (uint)pixel;
    }

    /// <summary>
    /// The row of sweep index <paramref name="k"/>: k / width by multiply-high (Lemire's fastdiv, exact for any 32-bit
    /// k) rather than an integer division per candidate.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int RowOf(int k) => _widthMultiplier == 0 ? k : (int)Math.BigMul(_widthMultiplier, (ulong)(uint)k, out _);

    /// <summary>
    /// The narrow blur at a ring column: the sweep's vertical narrow taps in its order (so bit-identical to the refiner's).
    /// Not inlined: inside EvaluateCandidates the JIT kept the sum on the stack, a store and reload per tap.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float NarrowAt(float** rows, float[] weights, int column)
    {
        float sum = 0;
        for (int j = 0; j < weights.Length; j++)
            sum = Fma.IsSupported ? MathF.FusedMultiplyAdd(rows[j][column], weights[j], sum) : rows[j][column] * weights[j] + sum;
        return sum;
    }

    /// <summary>
    /// The largest two-sided mean of the bilinear DoG at the ridge sample points (see <see cref="SubPixelRefiner.Refine"/>);
    /// <paramref name="centre"/>[dy] is the DoG row dy from the maximum's. Stops at the first direction whose mean already
    /// fails the ridge test (<see cref="PeakAcceptance.RidgeFailsFrom"/>): the maximum is rejected whatever the other
    /// directions give, so only kept maxima pay for all eight.
    /// </summary>
    private float AlongRidge(float** centre, int column, float dog)
    {
        float along = float.NegativeInfinity;
        fixed (int* dx = _ridgeDx, dy = _ridgeDy)
        fixed (float* w = _ridgeWeights)
            for (int d = 0; d < _ridgeSamples; d += 2)
            {
                float plus = Bilinear(centre[dy[d]] + column + dx[d], centre[dy[d] + 1] + column + dx[d], w + 4 * d);
                float minus = Bilinear(centre[dy[d + 1]] + column + dx[d + 1], centre[dy[d + 1] + 1] + column + dx[d + 1], w + 4 * d + 4);
                along = Math.Max(along, 0.5f * (plus + minus));
                if (_acceptance!.RidgeFailsFrom(dog, along)) break;
            }
        return along;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Bilinear(float* top, float* bottom, float* w) => w[0] * top[0] + w[1] * top[1] + w[2] * bottom[0] + w[3] * bottom[1];
}
