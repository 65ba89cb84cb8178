using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LiveScope.Analysis.Detection;

/// <summary>
/// One horizontal band of the sweep image, swept tile by tile (columns of <see cref="TileWidth"/> px, so every ring below
/// stays in L1): each source row segment is blurred horizontally with both Gaussians into rings of rows, the
/// vertical pass writes DoG rows (two per pass with 512-bit vectors, one otherwise) into a ring of 3 rows (4 with two
/// per pass; more when maxima are evaluated here, see DogBand.Peaks.cs), and for each new row the one before it is
/// scanned for local maxima and the row itself added to the band's statistics — the frame is read once and no
/// full-size intermediate image exists. Candidates
/// are the strict 8-neighbour maxima whose response exceeds the caller's floor; the global threshold (which needs
/// the whole frame's statistics) is applied afterwards.
/// With <c>binning</c> 2 the sweep image is the frame 2×2-averaged while it is read (an odd last row or column pairs
/// with itself): rows, columns, <see cref="Y0"/>/<see cref="Y1"/> and candidate indices are then in binned pixels,
/// the kernels must be the binned ones (about σ/2, see ClusterDetector.BinnedKernel) and a candidate's response is
/// interpolated (<see cref="InterpolatedPeak(float, float, float, float, float)"/>).
/// </summary>
internal sealed unsafe partial class DogBand
{
    private const int Unroll = 4;                    // vectors per inner step: shares each kernel load across 32 (64) px
    private const int Block = 16 * Unroll;           // columns are rounded to this: whole steps of either vector width
    private const int Margin = 8;                    // DoG columns computed each side of a tile so x±1 exist
    /// <summary>Tile + margins = 5 blocks exactly, so no computed column is wasted on rounding (256 would waste 20%).</summary>
    public const int TileWidth = 5 * Block - 2 * Margin;
    private const float MaxInterpolationGain = 1.5f;

    private readonly int _width, _height, _r1, _r2, _ring1, _ring2, _stride;   // _width, _height: of the sweep image
    private readonly int _frameWidth, _frameHeight, _binning;
    private readonly bool _interpolate, _statistics;
    private readonly int _rowsPerPass;               // DoG rows per vertical pass: 2 with 512-bit vectors, else 1
    private readonly Vector256<float>[] _k1, _k2Negated, _k2;
    private readonly float[] _memory;                // pinned: pad row, two rings of blurred rows, the DoG ring
    private readonly float* _pad, _h1, _h2, _dog;

    /// <param name="width">Frame width, px.</param>
    /// <param name="height">Frame height, px.</param>
    /// <param name="y0">First sweep row of the band (binned rows when binning is 2).</param>
    /// <param name="y1">One past the last sweep row of the band.</param>
    /// <param name="allow512">Use 512-bit vectors where the hardware accelerates them (false: 256-bit passes only).</param>
    /// <param name="acceptance">Full resolution only: locate and test each candidate during the sweep (see DogBand.Peaks.cs).</param>
    /// <param name="ridgeDistancePx">With <paramref name="acceptance"/>: distance of the ridge samples; 0: none.</param>
    /// <param name="statistics">Sum the response and its square over the band (<see cref="Sum"/>, <see cref="SumOfSquares"/>);
    /// only a whole-frame threshold needs them.</param>
    /// <param name="measurer">With <paramref name="acceptance"/>: measure the region of each kept maximum too (<see cref="Measured"/>).</param>
    public DogBand(int width, int height, int y0, int y1, GaussianKernel g1, GaussianKernel g2, int binning = 1, bool allow512 = true,
                   PeakAcceptance? acceptance = null, double ridgeDistancePx = 0, bool statistics = true, RegionMeasurer? measurer = null)
    {
        _statistics = statistics;
        _use512 = allow512 && Vector512.IsHardwareAccelerated;
        if (binning is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(binning), binning, "must be 1 or 2");
        if (acceptance is not null && binning != 1) throw new ArgumentException("maxima are evaluated in the sweep only at full resolution", nameof(acceptance));
        _acceptance = acceptance; _measurer = acceptance is null ? null : measurer;
        _reach = acceptance is null ? 0 : EvaluationReach(ridgeDistancePx);
        if (_reach > MaxEvaluationReach) throw new ArgumentOutOfRangeException(nameof(ridgeDistancePx), ridgeDistancePx, $"reaches beyond the {Margin}-px tile margin");
        _rowsPerPass = _use512 ? 2 : 1;
        _dogRows = EvaluationRows(acceptance, _reach) + _rowsPerPass - 1;
        (_ridgeDx, _ridgeDy, _ridgeWeights) = RidgeTable(acceptance is null ? 0 : ridgeDistancePx);
        _ridgeSamples = _ridgeDx.Length;
        _narrowWeights = g1.Weights;
        _frameWidth = width; _frameHeight = height; _binning = binning;
        _interpolate = binning > 1;
        width = SweepSize(width, binning); height = SweepSize(height, binning);
        _width = width; _height = height; Y0 = y0; Y1 = y1;
        _widthMultiplier = width > 1 ? ulong.MaxValue / (uint)width + 1 : 0;   // width 1 would overflow it
        _r1 = g1.Radius; _r2 = g2.Radius;
        if (_r1 > _r2) throw new ArgumentException("the first Gaussian must be the narrower one");
        // The narrow ring must span rows y−r1 … y+r2: rows are blurred as far ahead as the wide kernel needs; maxima
        // evaluated here are reach rows behind and need their own narrow rows m−r1 … m+r1. A two-row pass blurs one row
        // further ahead (for DoG row y+1) before row y's maxima are evaluated, so every ring holds one more row.
        _ring1 = _r1 + _r2 + 1 + _reach + _rowsPerPass - 1; _ring2 = 2 * _r2 + 1 + _rowsPerPass - 1;
        _narrowRing = new RingModulo(_ring1); _wideRing = new RingModulo(_ring2); _dogRing = new RingModulo(_dogRows);
        _stride = (Math.Min(TileWidth, width) + 2 * Margin + Block - 1) / Block * Block;
        _k1 = g1.Weights.Select(w => Vector256.Create(w)).ToArray();
        _k2 = g2.Weights.Select(w => Vector256.Create(w)).ToArray();
        _k2Negated = g2.Weights.Select(w => Vector256.Create(-w)).ToArray();
        _wide1 = g1.Weights.Select(w => Vector512.Create(w)).ToArray();
        _wide2 = g2.Weights.Select(w => Vector512.Create(w)).ToArray();
        _wide2Negated = g2.Weights.Select(w => Vector512.Create(-w)).ToArray();

        // Every ring row starts on a 64-byte line (stride and pad length are multiples of 16 floats), so the aligned
        // 512-bit loads of the vertical pass never straddle two lines.
        int padLength = (_stride + 2 * _r2 + Block + 15) / 16 * 16;
        _memory = GC.AllocateArray<float>(padLength + (_ring1 + _ring2 + _dogRows) * _stride + 16 + 16, pinned: true);
        _pad = (float*)(((nint)Unsafe.AsPointer(ref _memory[0]) + 63) & ~(nint)63);
        _h1 = _pad + padLength;
        _h2 = _h1 + _ring1 * _stride;
        _dog = _h2 + _ring2 * _stride;

        int rows = y1 - y0;
        Capacity = rows * ((width + 1) / 2) / 2 + width + 16;   // strict maxima are never 8-neighbours: ≤ 1/4 of pixels
        CandidateIndex = new int[Capacity];
        CandidateResponse = new float[Capacity];
    }

    /// <summary>Size of the sweep image along one axis: the frame's, or half of it rounded up when binned.</summary>
    public static int SweepSize(int frameSize, int binning) => (frameSize + binning - 1) / binning;

    /// <summary>
    /// A candidate's response is at most this many times its sampled DoG value (1, or 1.5 when binned and
    /// interpolated): maxima whose sample is at or below threshold / this factor can never pass the threshold.
    /// </summary>
    public float MaxResponseGain => _interpolate ? MaxInterpolationGain : 1f;

    public int Y0 { get; }
    public int Y1 { get; }
    public int Capacity { get; }
    public int[] CandidateIndex { get; }
    public float[] CandidateResponse { get; }
    public int CandidateCount { get; private set; }
    /// <summary>Sum of the band's responses (0 without statistics).</summary>
    public double Sum { get; private set; }
    public double SumOfSquares { get; private set; }

    /// <summary>Sweeps the band; keeps maxima whose response (interpolated when binned) exceeds <paramref name="candidateFloor"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Sweep(ushort* frame, float candidateFloor)
    {
        CandidateCount = 0; PeakCount = 0; _sweepFrame = frame;
        Sum = 0; SumOfSquares = 0;
        // Maxima need rows m ± 1; evaluated here, rows m ± reach, beyond the frame too (edges replicated, as the refiner).
        int yStart = EvaluatesPeaks ? Y0 - _reach : Math.Max(0, Y0 - 1), yEnd = EvaluatesPeaks ? Y1 - 1 + _reach : Math.Min(_height - 1, Y1);
        for (int tileX = 0; tileX < _width; tileX += TileWidth)
        {
            int pending = CandidateCount;             // first candidate of this tile not yet evaluated
            int tileWidth = Math.Min(TileWidth, _width - tileX);
            int columns = (tileWidth + 2 * Margin + Block - 1) / Block * Block;
            int dogX0 = tileX - Margin;               // global column of DoG index 0 in this tile
            int nextRow = yStart - _r2;
            for (int first = yStart; first <= yEnd;)
            {
                // Two DoG rows per vertical pass where they exist (an odd last row is a pass of its own); then each
                // row's own work in order. The rings hold the extra row this blurs and computes ahead of row first's work.
                int last = Math.Min(first + _rowsPerPass - 1, yEnd);
                for (; nextRow <= last + _r2; nextRow++)
                    BlurRowHorizontally(frame, nextRow, dogX0, columns);
                if (last > first) BlurVerticallyPair512(first, DogRow(first), DogRow(last), columns);
                else BlurVertically(first, DogRow(first), columns);
                for (int y = first; y <= last; y++)
                {
                    if (_statistics && y >= Y0 && y < Y1) Accumulate(DogRow(y) + Margin, tileWidth);
                    int m = y - 1;
                    if (m >= Math.Max(1, Y0) && m < Math.Min(Y1, _height - 1))
                        FindMaxima(m, candidateFloor, tileX, tileWidth);
                    if (EvaluatesPeaks) pending = EvaluateCandidates(pending, y - _reach, tileX);
                }
                first = last + 1;
            }
        }
    }

    private float* Narrow(int row) => _h1 + _narrowRing.Index(row) * _stride;
    private float* Wide(int row) => _h2 + _wideRing.Index(row) * _stride;
    private float* DogRow(int y) => _dog + _dogRing.Index(y) * _stride;

    /// <summary>
    /// row mod the ring's row count without an integer division (one costs ~12–25 cycles, and the sweep looks up several
    /// ring rows per output row: two divisions per lookup were 5 % of the full-resolution sweep). Lemire's
    /// multiply-shift modulo, exact for any 32-bit unsigned value; rows (negative above the frame) are first offset by a
    /// multiple of the ring far larger than any margin.
    /// </summary>
    private readonly struct RingModulo(int rows)
    {
        private readonly uint _rows = (uint)rows, _offset = (uint)(rows * ((1 << 20) / rows));
        private readonly ulong _multiplier = ulong.MaxValue / (uint)rows + 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Index(int row) => (int)(((((_multiplier * (uint)(row + (int)_offset)) >> 32) + 1) * _rows) >> 32);
    }

    private readonly RingModulo _narrowRing, _wideRing, _dogRing;

    /// <summary>Pointers to <paramref name="count"/> consecutive ring rows from <paramref name="first"/>: one modulo, then a wrap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RingRows(float* ring, int ringRows, in RingModulo modulo, int first, int count, float** rows)
    {
        int i = modulo.Index(first);
        for (int j = 0; j < count; j++)
        {
            rows[j] = ring + (nint)i * _stride;
            if (++i == ringRows) i = 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Mad(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BlurRowHorizontally(ushort* frame, int row, int x0, int columns)
    {
        float* pad = _pad;
        int r2 = _r2, r1 = _r1;
        LoadRow(frame, row, x0, columns + 2 * r2);      // the last step's last tap reads pad[columns + 2·r2 − 1]

        if (_use512) { BlurRowHorizontally512(row, columns); return; }
        float* h1 = Narrow(row), h2 = Wide(row);
        int offset = r2 - r1;   // the narrow kernel's taps start this far into the wide one
        fixed (Vector256<float>* k1 = _k1, k2 = _k2)
        {
            for (int x = 0; x < columns; x += 8 * Unroll)
            {
                float* p = pad + x;
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;  // wide
                Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;  // narrow
                int j = 0;
                for (; j < offset; j++, p++)
                {
                    var k = k2[j];
                    a0 = Mad(Vector256.Load(p), k, a0); a1 = Mad(Vector256.Load(p + 8), k, a1);
                    a2 = Mad(Vector256.Load(p + 16), k, a2); a3 = Mad(Vector256.Load(p + 24), k, a3);
                }
                for (; j < offset + 2 * r1 + 1; j++, p++)
                {
                    var v0 = Vector256.Load(p); var v1 = Vector256.Load(p + 8);
                    var v2 = Vector256.Load(p + 16); var v3 = Vector256.Load(p + 24);
                    var k = k2[j]; var kn = k1[j - offset];
                    a0 = Mad(v0, k, a0); a1 = Mad(v1, k, a1); a2 = Mad(v2, k, a2); a3 = Mad(v3, k, a3);
                    b0 = Mad(v0, kn, b0); b1 = Mad(v1, kn, b1); b2 = Mad(v2, kn, b2); b3 = Mad(v3, kn, b3);
                }
                for (; j < 2 * r2 + 1; j++, p++)
                {
                    var k = k2[j];
                    a0 = Mad(Vector256.Load(p), k, a0); a1 = Mad(Vector256.Load(p + 8), k, a1);
                    a2 = Mad(Vector256.Load(p + 16), k, a2); a3 = Mad(Vector256.Load(p + 24), k, a3);
                }
                a0.Store(h2 + x); a1.Store(h2 + x + 8); a2.Store(h2 + x + 16); a3.Store(h2 + x + 24);
                b0.Store(h1 + x); b1.Store(h1 + x + 8); b2.Store(h1 + x + 16); b3.Store(h1 + x + 24);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BlurVertically(int y, float* dogRow, int columns)
    {
        if (_use512) { BlurVertically512(y, dogRow, columns); return; }
        int r1 = _r1, r2 = _r2;
        float** wide = stackalloc float*[2 * r2 + 1];
        float** narrow = stackalloc float*[2 * r1 + 1];
        RingRows(_h2, _ring2, _wideRing, y - r2, 2 * r2 + 1, wide);
        RingRows(_h1, _ring1, _narrowRing, y - r1, 2 * r1 + 1, narrow);
        fixed (Vector256<float>* k1 = _k1, k2n = _k2Negated)
        {
            for (int x = 0; x < columns; x += 8 * Unroll)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (int j = 0; j < 2 * r1 + 1; j++)
                {
                    float* p = narrow[j] + x; var k = k1[j];
                    a0 = Mad(Vector256.Load(p), k, a0); a1 = Mad(Vector256.Load(p + 8), k, a1);
                    a2 = Mad(Vector256.Load(p + 16), k, a2); a3 = Mad(Vector256.Load(p + 24), k, a3);
                }
                for (int j = 0; j < 2 * r2 + 1; j++)
                {
                    float* p = wide[j] + x; var k = k2n[j];
                    a0 = Mad(Vector256.Load(p), k, a0); a1 = Mad(Vector256.Load(p + 8), k, a1);
                    a2 = Mad(Vector256.Load(p + 16), k, a2); a3 = Mad(Vector256.Load(p + 24), k, a3);
                }
                a0.Store(dogRow + x); a1.Store(dogRow + x + 8); a2.Store(dogRow + x + 16); a3.Store(dogRow + x + 24);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Accumulate(float* row, int count)
    {
        // Several accumulator pairs: one pair would wait on its own previous add every step.
        int x = 0;
        double sum512 = 0, sumSq512 = 0;
        if (_use512)
        {
            Vector512<float> t0 = default, tt0 = default, t1 = default, tt1 = default, t2 = default, tt2 = default, t3 = default, tt3 = default;
            for (; x + 64 <= count; x += 64)
            {
                var v0 = Vector512.Load(row + x); var v1 = Vector512.Load(row + x + 16);
                var v2 = Vector512.Load(row + x + 32); var v3 = Vector512.Load(row + x + 48);
                t0 += v0; tt0 = Mad(v0, v0, tt0); t1 += v1; tt1 = Mad(v1, v1, tt1);
                t2 += v2; tt2 = Mad(v2, v2, tt2); t3 += v3; tt3 = Mad(v3, v3, tt3);
            }
            sum512 = Vector512.Sum(t0 + t1) + (double)Vector512.Sum(t2 + t3);
            sumSq512 = Vector512.Sum(tt0 + tt1) + (double)Vector512.Sum(tt2 + tt3);
        }
        Vector256<float> s0 = default, ss0 = default, s1 = default, ss1 = default;
        for (; x + 16 <= count; x += 16)
        {
            var v0 = Vector256.Load(row + x); var v1 = Vector256.Load(row + x + 8);
            s0 += v0; ss0 = Mad(v0, v0, ss0);
            s1 += v1; ss1 = Mad(v1, v1, ss1);
        }
        double sum = sum512 + Vector256.Sum(s0) + Vector256.Sum(s1), sumSq = sumSq512 + Vector256.Sum(ss0) + Vector256.Sum(ss1);
        for (; x < count; x++) { sum += row[x]; sumSq += (double)row[x] * row[x]; }
        Sum += sum; SumOfSquares += sumSq;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FindMaxima(int m, float floor, int tileX, int tileWidth)
    {
        // DoG index Margin is global column tileX.
        float** rows = stackalloc float*[3];
        RingRows(_dog, _dogRows, _dogRing, m - 1, 3, rows);
        float* up = rows[0] + Margin, mid = rows[1] + Margin, down = rows[2] + Margin;
        var floorV = Vector256.Create(floor);
        // A response is at most MaxResponseGain × the sample, so samples this low are skipped with one compare
        // (a hair lower than floor / gain so float rounding never drops a candidate).
        var sampleFloorV = Vector256.Create(floor / MaxResponseGain * (1 - 1e-6f));
        int lastX = _width - 2;
        int[] index = CandidateIndex; float[] response = CandidateResponse;
        int count = CandidateCount, capacity = Capacity;
        long rowBase = (long)m * _width + tileX;
        int x = 0;
        if (_use512 && !_interpolate)
            x = FindMaxima512(up, mid, down, floor, tileX, tileWidth, rowBase, ref count);
        for (; x < tileWidth; x += 8)
        {
            var c = Vector256.Load(mid + x);
            var above = Vector256.GreaterThan(c, sampleFloorV);
            if (above == Vector256<float>.Zero) continue;
            // Ties go to the earlier pixel (strict against left/up, ≥ against right/down), so plateaus give one maximum.
            var left = Vector256.Load(mid + x - 1); var right = Vector256.Load(mid + x + 1);
            var u = Vector256.Load(up + x); var d = Vector256.Load(down + x);
            // MaxNative: one vmaxps (Vector256.Max follows IEEE NaN/±0 rules in several instructions; the DoG has no NaN).
            var before = Vector256.MaxNative(Vector256.MaxNative(left, Vector256.Load(up + x - 1)), Vector256.MaxNative(u, Vector256.Load(up + x + 1)));
            var after = Vector256.MaxNative(Vector256.MaxNative(right, Vector256.Load(down + x - 1)), Vector256.MaxNative(d, Vector256.Load(down + x + 1)));
            var isMax = above & Vector256.GreaterThan(c, before) & Vector256.GreaterThanOrEqual(c, after);
            if (isMax == Vector256<float>.Zero) continue;
            var r = _interpolate ? InterpolatedPeak(c, left, right, u, d) : c;
            uint bits = (isMax & Vector256.GreaterThan(r, floorV)).ExtractMostSignificantBits();
            while (bits != 0)
            {
                int lane = BitOperations.TrailingZeroCount(bits);
                int tx = x + lane;
                bits &= bits - 1;
                int gx = tileX + tx;
                if (tx >= tileWidth || gx < 1 || gx > lastX || count >= capacity) continue;
                index[count] = (int)(rowBase + tx);
                response[count] = r.GetElement(lane);
                count++;
            }
        }
        CandidateCount = count;
    }

    /// <summary>
    /// Peak of the parabolas through the binned maximum and its neighbours along x and y (vertex within ±½ binned
    /// pixel), capped at <see cref="MaxInterpolationGain"/> × the sample. A 2-px sampling grid misses a spot's peak by
    /// up to 1 px per axis, which lowers the sampled response by up to a quarter at the matched scale; this restores it,
    /// so the threshold sees about what a full-resolution sweep would.
    /// </summary>
    internal static float InterpolatedPeak(float c, float left, float right, float up, float down)
        => InterpolatedPeak(Vector256.Create(c), Vector256.Create(left), Vector256.Create(right),
                            Vector256.Create(up), Vector256.Create(down)).ToScalar();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> InterpolatedPeak(
        Vector256<float> c, Vector256<float> left, Vector256<float> right, Vector256<float> up, Vector256<float> down)
    {
        var gain = ParabolaGain(left, c, right) + ParabolaGain(up, c, down);
        return c + Vector256.Min(gain, Vector256.Create(MaxInterpolationGain - 1) * c);
    }

    /// <summary>Height of the vertex of the parabola through (−1,l), (0,c), (1,r) above c, vertex clamped to ±½.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ParabolaGain(Vector256<float> l, Vector256<float> c, Vector256<float> r)
    {
        var half = Vector256.Create(0.5f);
        var curvature = l - 2 * c + r;
        var t = Vector256.Min(Vector256.Max(half * (l - r) / curvature, -half), half);
        var gain = t * (half * (r - l) + half * t * curvature);
        return Vector256.ConditionalSelect(Vector256.LessThan(curvature, Vector256<float>.Zero), gain, Vector256<float>.Zero);
    }
}
