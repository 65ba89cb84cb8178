using LiveScope.Core.Imaging;

namespace LiveScope.Analysis.Detection;

/// <summary>
/// Finds diffraction-limited clusters in 16-bit frames: DoG band-pass matched to the expected diameter, local
/// maxima above k × the response SD that pixel noise gives at the maximum's level (or mean + k·SD of the response, or
/// an absolute threshold) that are spots rather than points of a line (edge test on the DoG's Hessian), merge of
/// maxima closer than d/2 (the stronger survives), sub-pixel position and a measured region per cluster. For spots of at least
/// <see cref="ClusterDetectorOptions.HalfResolutionFromDiameterPx"/> the sweep runs on the 2×2-binned frame and
/// each candidate above the threshold is located on the full-resolution DoG; below it the full-resolution sweep
/// locates and tests its maxima itself while their rows are in its rings (DogBand.Peaks.cs). The detector is its own
/// reusable workspace: after the first frame of a given size nothing is allocated. Not thread-safe: one per stream.
/// The clusters of the last frame stay in <see cref="Clusters"/> until the next call.
/// </summary>
public sealed unsafe partial class ClusterDetector : IDisposable
{
    private enum Phase { Sweep, Refine, Measure }

    /// <summary>
    /// Candidate floor as a fraction of the previous frame's threshold. Lower costs time on every frame (more maxima
    /// are examined: at ½ with the binned sweep's 1.5× interpolation cap, a fifth of the frame time); higher costs a
    /// second sweep whenever the threshold falls by more than the margin from one frame to the next.
    /// </summary>
    private const double FloorFraction = 0.75;

    private const int MinGridCellPx = 8;

    private readonly ClusterDetectorOptions _options;
    private readonly int _parallelism;
    private DogBand[] _bands = [];
    private int _workerCount, _nextBand;
    private BandWorkers? _workers;
    private int _width, _height, _binning, _sweepWidth;
    private double _diameterPx;
    private SubPixelRefiner[] _refiners = [];     // one per worker: each holds its own window buffers
    private RegionMeasurer[] _measurers = [];
    private readonly Cluster[] _clusters;
    private readonly int[] _clusterPixelX, _clusterPixelY;
    private int _clusterCount;

    // Candidates above threshold, sorted strongest first; refined in chunks, then merged through a d/2 grid.
    private int[] _selIndex = [];
    private float[] _selKey = [];
    private readonly RefinedPeak[] _refined;
    private int _chunkStart, _chunkCount;
    // Stamp and head of each cell in one 8-byte entry: a lookup reads one cache line per row of cells, not two (after
    // the sweep has streamed the frame through L2 the grid's lines are misses).
    private long[] _grid = [];
    private readonly int[] _next;
    private int _gridWidth, _gridHeight, _gridCell, _mergeReachPx, _stamp;

    // What the workers of the current phase read; valid only during Run.
    private Phase _phase;
    private ushort* _frame;
    private float _floor;
    private double _previousThreshold = double.NaN;

    // Pixel-noise threshold: the noise model of the frame and the sweep response SD per ADU of pixel noise (the DoG
    // kernel's L2 norm at the swept resolution); the per-maximum tests that read them are in PeakAcceptance.
    private readonly PixelNoiseModel _noise = new();
    private double _responseSdPerNoiseSd;
    private PeakAcceptance _acceptance = null!;
    private double _ridgeDistancePx;
    // Full resolution: the bands locate and test their maxima during the sweep; only the survivors come here.
    private bool _peaksInSweep;
    // With regions measured: the bands measure each peak they keep while its rows are cached (see DogBand.Peaks.cs).
    private bool _measuredInSweep;
    private int[] _bandNext = [];                 // the merge's position in each band's sorted peaks
    private ulong[] _bandHead = [];
    private bool RidgeTest => _options.RidgeProminenceSdFactor > 0;

    public ClusterDetector(ClusterDetectorOptions? options = null)
    {
        _options = options ?? new ClusterDetectorOptions();
        _options.Validate();
        _parallelism = _options.Parallelism > 0 ? _options.Parallelism : Environment.ProcessorCount;
        _clusters = new Cluster[_options.MaxClusters];
        _clusterPixelX = new int[_options.MaxClusters];
        _clusterPixelY = new int[_options.MaxClusters];
        _next = new int[_options.MaxClusters];
        _refined = new RefinedPeak[_options.MaxClusters];
    }

    private bool NoiseThreshold => _options.AbsoluteThreshold is null && _options.ThresholdMethod == DetectionThresholdMethod.PixelNoise;

    public ClusterDetectorOptions Options => _options;
    public ReadOnlySpan<Cluster> Clusters => _clusters.AsSpan(0, _clusterCount);

    public DetectionResult Detect(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Detect(frame.Pixels, frame.Width, frame.Height, frame.Metadata.PixelSizeUm);
    }

    public DetectionResult Detect(ReadOnlySpan<ushort> pixels, int width, int height, double pixelSizeUm)
    {
        if (width < 3 || height < 3) throw new ArgumentOutOfRangeException(nameof(width), "frames must be at least 3×3 px");
        if (pixels.Length < width * height) throw new ArgumentException("fewer pixels than width × height", nameof(pixels));
        Prepare(width, height, _options.DiameterPx(pixelSizeUm));

        fixed (ushort* p = pixels)
        {
            _frame = p;
            try { return Detect(pixels, width, height); }
            finally { _frame = null; }
        }
    }

    private DetectionResult Detect(ReadOnlySpan<ushort> pixels, int width, int height)
        => NoiseThreshold ? DetectAboveNoise(pixels, width, height) : DetectAboveFrameThreshold(pixels, width, height);

    /// <summary>
    /// The threshold of each maximum is k × the response SD of pixel noise at its local level, known before the sweep
    /// (the noise model is estimated first): the sweep keeps maxima above the lowest of them — at the frame's dark
    /// background — and each candidate is checked against its own once its full-resolution level is known.
    /// </summary>
    private DetectionResult DetectAboveNoise(ReadOnlySpan<ushort> pixels, int width, int height)
    {
        _noise.Estimate(_frame, width, height);
        double darkSd = _noise.Sd(_noise.DarkLevel);
        float floor = FloatAtOrBelow(_options.ThresholdSdFactor * _responseSdPerNoiseSd * darkSd);
        Sweep(floor);
        // The response's mean and SD are not needed here (the sweep does not sum them): NaN in the result.
        var (mean, sd, candidates) = (double.NaN, double.NaN, CandidateCount());
        int selected = Select(floor);
        bool truncated = RefineAndMerge(pixels, selected, floor);
        if (_options.MeasureRegions && _clusterCount > 0 && !_measuredInSweep) RunWorkers(Phase.Measure);
        return new DetectionResult(_clusterCount, candidates, floor, mean, sd, _diameterPx, truncated, darkSd);
    }

    private DetectionResult DetectAboveFrameThreshold(ReadOnlySpan<ushort> pixels, int width, int height)
    {
        if (RidgeTest) _noise.Estimate(_frame, width, height);
        // The k·SD threshold needs the whole frame's statistics, which exist only after the sweep. Maxima are kept
        // above a floor: 3/4 of the previous frame's threshold (streams change slowly), so most of the frame is
        // skipped with one compare. If this frame's threshold turns out below that floor, it is swept again with
        // floor 0, so the result never depends on the previous frame — only the speed does.
        float floor = _options.AbsoluteThreshold is { } a ? FloatAtOrBelow(Math.Max(a, 0))
            : double.IsFinite(_previousThreshold) ? FloatAtOrBelow(Math.Max(0, FloorFraction * _previousThreshold)) : 0f;
        Sweep(floor);
        var (mean, sd, candidates) = Statistics();
        double threshold = _options.AbsoluteThreshold ?? mean + _options.ThresholdSdFactor * sd;
        if (floor > threshold)
        {
            Sweep(0f);
            (mean, sd, candidates) = Statistics();
        }
        _previousThreshold = threshold;

        int selected = Select((float)threshold);
        bool truncated = RefineAndMerge(pixels, selected, (float)threshold);
        if (_options.MeasureRegions && _clusterCount > 0 && !_measuredInSweep) RunWorkers(Phase.Measure);
        return new DetectionResult(_clusterCount, candidates, threshold, mean, sd, _diameterPx, truncated);
    }

    /// <summary>The largest float not above <paramref name="value"/> (so a floor never exceeds the threshold it stands for).</summary>
    private static float FloatAtOrBelow(double value)
    {
        float f = (float)value;
        return f > value ? MathF.BitDecrement(f) : f;
    }

    private void Sweep(float floor)
    {
        _floor = floor;
        _nextBand = 0;
        RunWorkers(Phase.Sweep);
    }

    /// <summary>Sweeps bands, the next one not yet taken each time, until none is left.</summary>
    private void SweepBands()
    {
        int band;
        while ((band = Interlocked.Increment(ref _nextBand) - 1) < _bands.Length)
        {
            _bands[band].Sweep(_frame, _floor);
            if (_peaksInSweep) _bands[band].SortPeaks();
        }
    }

    private void RunWorkers(Phase phase)
    {
        _phase = phase;
        _workers!.Run();
    }

    private void Work(int worker)
    {
        switch (_phase)
        {
            case Phase.Sweep: SweepBands(); break;
            case Phase.Refine: RefineChunk(worker); break;
            case Phase.Measure: MeasureShare(worker); break;
        }
    }

    private (double Mean, double Sd, int Candidates) Statistics()
    {
        double sum = 0, sumSq = 0; int candidates = 0;
        foreach (var band in _bands) { sum += band.Sum; sumSq += band.SumOfSquares; candidates += band.CandidateCount; }
        long n = (long)_sweepWidth * DogBand.SweepSize(_height, _binning);
        double mean = sum / n;
        return (mean, Math.Sqrt(Math.Max(0, sumSq / n - mean * mean)), candidates);
    }

    private int CandidateCount()
    {
        int candidates = 0;
        foreach (var band in _bands) candidates += band.CandidateCount;
        return candidates;
    }

    private void Prepare(int width, int height, double diameterPx)
    {
        if (width == _width && height == _height && diameterPx == _diameterPx && _workers is not null) return;
        Allocate(width, height, diameterPx);
    }

    // Apart from Prepare so the closures of its lambdas are not allocated on every frame (C# creates them on entry).
    private void Allocate(int width, int height, double diameterPx)
    {
        _previousThreshold = double.NaN;
        _workers?.Dispose();
        var (s1, s2) = GaussianKernel.DogSigmasFor(diameterPx);
        var g1 = new GaussianKernel(s1, _options.KernelTruncationSigmas);
        var g2 = new GaussianKernel(s2, _options.KernelTruncationSigmas);
        _binning = diameterPx >= _options.HalfResolutionFromDiameterPx && width >= 6 && height >= 6 ? 2 : 1;
        var sweep1 = _binning == 1 ? g1 : BinnedKernel(s1);
        var sweep2 = _binning == 1 ? g2 : BinnedKernel(s2);
        _ridgeDistancePx = RidgeTest ? _options.RidgeDistanceDiameters * diameterPx : 0;
        _responseSdPerNoiseSd = DogNorm(sweep1, sweep2) / _binning;   // a 2×2 mean has half the noise SD of a pixel
        _acceptance = new PeakAcceptance(_options, _noise, _responseSdPerNoiseSd, SpotNarrowPerDog(diameterPx, s1, s2),
                                         RidgeTest ? ProminenceNorm(g1, g2, _ridgeDistancePx) : 0);
        _peaksInSweep = _binning == 1 && DogBand.EvaluationReach(_ridgeDistancePx) <= DogBand.MaxEvaluationReach;
        _sweepWidth = DogBand.SweepSize(width, _binning);
        int sweepHeight = DogBand.SweepSize(height, _binning);
        int workers = Math.Clamp(_parallelism, 1, Math.Max(1, sweepHeight / 16));
        int[] bandStarts = BandStarts(sweepHeight, workers);
        int bands = bandStarts.Length - 1;
        _measurers = Enumerable.Range(0, bands).Select(_ => new RegionMeasurer(diameterPx)).ToArray();
        _measuredInSweep = _peaksInSweep && _options.MeasureRegions;
        _bands = new DogBand[bands];
        for (int b = 0; b < bands; b++)
            _bands[b] = new DogBand(width, height, bandStarts[b], bandStarts[b + 1], sweep1, sweep2, _binning,
                                    acceptance: _peaksInSweep ? _acceptance : null, ridgeDistancePx: _ridgeDistancePx, statistics: !NoiseThreshold,
                                    measurer: _measuredInSweep ? _measurers[b] : null);
        _bandNext = new int[bands];
        _bandHead = new ulong[bands];
        int capacity = _bands.Sum(b => b.Capacity);
        _selIndex = new int[capacity];
        _selKey = new float[capacity];
        // Positions lie within ½ px of their pixel, so a cluster closer than d/2 to a peak has its pixel within
        // ⌈d/2⌉ + 1 px of the peak's. A cell at least that wide puts it in the 3×3 cells around; at least 8 px so the grid
        // of a 2048² frame stays in L2 (at d/2 = 2 px it was 8 MB of heads and stamps, a cache miss per lookup).
        _mergeReachPx = (int)Math.Ceiling(diameterPx / 2) + 1;
        _gridCell = Math.Max(MinGridCellPx, _mergeReachPx);
        _gridWidth = width / _gridCell + 1;
        _gridHeight = height / _gridCell + 1;
        _grid = new long[_gridWidth * _gridHeight];
        // A binned candidate covers pixels 2b, 2b+1; the full-resolution maximum is searched one pixel further out.
        _refiners = Enumerable.Range(0, bands).Select(_ => new SubPixelRefiner(g1, g2, _binning == 1 ? 1 : 4, _ridgeDistancePx)).ToArray();
        _width = width; _height = height; _diameterPx = diameterPx;
        _workerCount = workers;
        _workers = new BandWorkers(workers, Work);
    }

    /// <summary>
    /// First sweep row of each band, and one past the last. The bands are taken in order by whichever worker is free
    /// and shrink as they go (each about the rows left / (workers + 1), at least 1/16 of the frame): the workers end
    /// within about one small band of each other. With equal bands they did not: on the simulator's frames cells
    /// are not spread evenly, and the worker that started first kept taking the same, lighter half of the bands
    /// (one ended ~1 ms after the other on a 13 ms frame). A band boundary costs ~2·(reach + r2) rows blurred twice
    /// (~0.6 % of a 2048-row frame).
    /// </summary>
    internal static int[] BandStarts(int rows, int workers)
    {
        if (workers <= 1) return [0, rows];
        int minRows = Math.Max(16, rows / 16);
        var starts = new List<int> { 0 };
        int left = rows;
        while (left > 0)
        {
            int size = Math.Max(minRows, (left + workers) / (workers + 1));
            if (left - size < minRows) size = left;
            left -= size;
            starts.Add(rows - left);
        }
        return [.. starts];
    }

    /// <summary>
    /// L2 norm of the 2-D DoG kernel g1⊗g1 − g2⊗g2 (centred): the response SD per unit SD of white pixel noise.
    /// ‖g1⊗g1 − g2⊗g2‖² = (Σg1²)² + (Σg2²)² − 2(Σg1·g2)².
    /// </summary>
    internal static double DogNorm(GaussianKernel g1, GaussianKernel g2)
    {
        double s11 = 0, s22 = 0, s12 = 0;
        foreach (var w in g1.Weights) s11 += (double)w * w;
        foreach (var w in g2.Weights) s22 += (double)w * w;
        for (int i = -g1.Radius; i <= g1.Radius; i++) s12 += (double)g1[i] * g2[i];
        return Math.Sqrt(Math.Max(0, s11 * s11 + s22 * s22 - 2 * s12 * s12));
    }

    /// <summary>
    /// For a Gaussian spot of the matched size (σ = d / (2√2)) and amplitude A, blurring with σ' leaves A·σ²/(σ² + σ'²)
    /// at its centre: the narrow Gaussian holds this multiple of the DoG peak.
    /// </summary>
    private static double SpotNarrowPerDog(double diameterPx, double sigma1, double sigma2)
    {
        double spot = diameterPx * diameterPx / 8;
        double narrow = spot / (spot + sigma1 * sigma1), wide = spot / (spot + sigma2 * sigma2);
        return narrow / (narrow - wide);
    }

    /// <summary>
    /// SD of the ridge test's prominence D(0) − ½(D(+u) + D(−u)) per unit SD of white pixel noise, |u| = distance, the
    /// two far values bilinear between pixels as the refiner samples them: the L2 norm of the combined kernel (along x).
    /// </summary>
    internal static double ProminenceNorm(GaussianKernel g1, GaussianKernel g2, double distance)
    {
        int r = g2.Radius, reach = r + (int)Math.Ceiling(distance) + 1, n = 2 * reach + 1;
        var k = new double[n * n];
        void Add(int cx, int cy, double weight)
        {
            for (int j = -r; j <= r; j++)
                for (int i = -r; i <= r; i++)
                    k[(cy + j + reach) * n + cx + i + reach] += weight * ((double)g1[j] * g1[i] - (double)g2[j] * g2[i]);
        }
        const double centre = 1, side = -0.5;
        Add(0, 0, centre);
        int whole = (int)Math.Floor(distance); double frac = distance - whole;
        Add(whole, 0, side * (1 - frac)); Add(whole + 1, 0, side * frac);
        Add(-whole, 0, side * (1 - frac)); Add(-whole - 1, 0, side * frac);
        return Math.Sqrt(k.Sum(v => v * v));
    }

    /// <summary>
    /// The Gaussian to apply to the 2×2-averaged frame so that, with the averaging, it blurs like σ at full
    /// resolution: a 2-px box adds 1/3 px² of variance per axis, so σ_binned = √(σ² − 1/3) / 2.
    /// </summary>
    private GaussianKernel BinnedKernel(double sigmaPx)
        => new(Math.Sqrt(Math.Max(sigmaPx * sigmaPx - 1.0 / 3, 0.25 * sigmaPx * sigmaPx)) / 2, _options.KernelTruncationSigmas);

    public void Dispose()
    {
        _workers?.Dispose();
        _workers = null;
    }
}
