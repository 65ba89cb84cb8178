using LiveScope.Core.Imaging;

namespace LiveScope.Analysis.Detection;

/// <summary>
/// Finds diffraction-limited clusters in 16-bit frames: DoG band-pass matched to the expected diameter, local
/// maxima above mean + k·SD of the response (or an absolute threshold), merge of maxima closer than d/2 (the
/// stronger survives), sub-pixel position and a measured region per cluster. The detector is its own reusable
/// workspace: after the first frame of a given size nothing is allocated. Not thread-safe: one per stream.
/// The clusters of the last frame stay in <see cref="Clusters"/> until the next call.
/// </summary>
public sealed unsafe class ClusterDetector : IDisposable
{
    private readonly ClusterDetectorOptions _options;
    private readonly int _parallelism;
    private DogBand[] _bands = [];
    private BandWorkers? _workers;
    private int _width, _height;
    private double _diameterPx;
    private SubPixelRefiner? _refiner;
    private RegionMeasurer? _measurer;
    private readonly Cluster[] _clusters;
    private int _clusterCount;

    // Candidates above threshold, sorted strongest first, and a grid for the d/2 merge.
    private int[] _selIndex = [];
    private float[] _selKey = [];
    private int[] _gridHead = [], _gridStamp = [];
    private readonly int[] _next;
    private int _gridWidth, _gridCell, _stamp;

    private ushort* _frame;
    private float _floor;
    private double _previousThreshold = double.NaN;

    public ClusterDetector(ClusterDetectorOptions? options = null)
    {
        _options = options ?? new ClusterDetectorOptions();
        _options.Validate();
        _parallelism = _options.Parallelism > 0 ? _options.Parallelism : Environment.ProcessorCount;
        _clusters = new Cluster[_options.MaxClusters];
        _next = new int[_options.MaxClusters];
    }

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

        // The k·SD threshold needs the whole frame's statistics, which exist only after the sweep. Maxima are kept
        // above a floor: half of the previous frame's threshold (streams change slowly), so most of the frame is
        // skipped with one compare. If this frame's threshold turns out below that floor, it is swept again with
        // floor 0, so the result never depends on the previous frame — only the speed does.
        float floor = _options.AbsoluteThreshold is { } a ? (float)Math.Max(a, 0)
            : double.IsFinite(_previousThreshold) ? (float)Math.Max(0, 0.5 * _previousThreshold) : 0f;
        Sweep(pixels, floor);
        var (mean, sd, candidates) = Statistics(width, height);
        double threshold = _options.AbsoluteThreshold ?? mean + _options.ThresholdSdFactor * sd;
        if (threshold <= floor)
        {
            Sweep(pixels, 0f);
            (mean, sd, candidates) = Statistics(width, height);
        }
        _previousThreshold = threshold;

        int selected = Select((float)threshold);
        bool truncated = Merge(selected, width, height);
        Measure(pixels, width, height);
        return new DetectionResult(_clusterCount, candidates, threshold, mean, sd, _diameterPx, truncated);
    }

    private void Sweep(ReadOnlySpan<ushort> pixels, float floor)
    {
        fixed (ushort* p = pixels)
        {
            _frame = p;
            _floor = floor;
            try { _workers!.Run(); }
            finally { _frame = null; }
        }
    }

    private (double Mean, double Sd, int Candidates) Statistics(int width, int height)
    {
        double sum = 0, sumSq = 0; int candidates = 0;
        foreach (var band in _bands) { sum += band.Sum; sumSq += band.SumOfSquares; candidates += band.CandidateCount; }
        long n = (long)width * height;
        double mean = sum / n;
        return (mean, Math.Sqrt(Math.Max(0, sumSq / n - mean * mean)), candidates);
    }

    private void Prepare(int width, int height, double diameterPx)
    {
        if (width == _width && height == _height && diameterPx == _diameterPx && _workers is not null) return;
        _previousThreshold = double.NaN;
        _workers?.Dispose();
        var (s1, s2) = GaussianKernel.DogSigmasFor(diameterPx);
        var g1 = new GaussianKernel(s1, _options.KernelTruncationSigmas);
        var g2 = new GaussianKernel(s2, _options.KernelTruncationSigmas);
        int bands = Math.Clamp(_parallelism, 1, Math.Max(1, height / 16));
        _bands = new DogBand[bands];
        for (int b = 0; b < bands; b++)
            _bands[b] = new DogBand(width, height, b * height / bands, (b + 1) * height / bands, g1, g2);
        int capacity = _bands.Sum(b => b.Capacity);
        _selIndex = new int[capacity];
        _selKey = new float[capacity];
        _gridCell = Math.Max(1, (int)Math.Ceiling(diameterPx / 2));
        _gridWidth = width / _gridCell + 1;
        _gridHead = new int[_gridWidth * (height / _gridCell + 1)];
        _gridStamp = new int[_gridHead.Length];
        _refiner = new SubPixelRefiner(g1, g2);
        _measurer = new RegionMeasurer(diameterPx);
        _width = width; _height = height; _diameterPx = diameterPx;
        _workers = new BandWorkers(bands, SweepBand);
    }

    private void SweepBand(int band) => _bands[band].Sweep(_frame, _floor);

    private int Select(float threshold)
    {
        int count = 0;
        foreach (var band in _bands)
        {
            var index = band.CandidateIndex; var response = band.CandidateResponse;
            for (int i = 0; i < band.CandidateCount; i++)
            {
                if (response[i] <= threshold) continue;
                _selIndex[count] = index[i];
                _selKey[count] = -response[i];        // ascending sort of the negated response = strongest first
                count++;
            }
        }
        _selKey.AsSpan(0, count).Sort(_selIndex.AsSpan(0, count));
        return count;
    }

    /// <summary>Greedy: strongest first, drop any maximum closer than d/2 to one already kept.</summary>
    private bool Merge(int selected, int width, int height)
    {
        _clusterCount = 0;
        if (++_stamp == int.MaxValue) { Array.Clear(_gridStamp); _stamp = 1; }
        double minDistance = _diameterPx / 2, minSq = minDistance * minDistance;
        for (int i = 0; i < selected; i++)
        {
            if (_clusterCount == _clusters.Length) return true;
            int idx = _selIndex[i], x = idx % width, y = idx / width;
            int gx = x / _gridCell, gy = y / _gridCell;
            bool tooClose = false;
            for (int cy = gy - 1; cy <= gy + 1 && !tooClose; cy++)
                for (int cx = gx - 1; cx <= gx + 1 && !tooClose; cx++)
                {
                    if (cx < 0 || cy < 0 || cx >= _gridWidth || cy * _gridCell >= height + _gridCell) continue;
                    int cell = cy * _gridWidth + cx;
                    if (cell >= _gridHead.Length || _gridStamp[cell] != _stamp) continue;
                    for (int k = _gridHead[cell]; k >= 0 && !tooClose; k = _next[k])
                    {
                        double dx = _clusters[k].X - x, dy = _clusters[k].Y - y;
                        tooClose = dx * dx + dy * dy < minSq;
                    }
                }
            if (tooClose) continue;
            int home = gy * _gridWidth + gx;
            if (_gridStamp[home] != _stamp) { _gridStamp[home] = _stamp; _gridHead[home] = -1; }
            _next[_clusterCount] = _gridHead[home];
            _gridHead[home] = _clusterCount;
            _clusters[_clusterCount++] = new Cluster(x, y, -_selKey[i], 0, 0, 0, 0, 0);
        }
        return false;
    }

    private void Measure(ReadOnlySpan<ushort> pixels, int width, int height)
    {
        for (int i = 0; i < _clusterCount; i++)
        {
            var c = _clusters[i];
            int cx = (int)c.X, cy = (int)c.Y;
            var (dx, dy) = _refiner!.Refine(pixels, width, height, cx, cy);
            float x = cx + dx, y = cy + dy;
            _clusters[i] = _options.MeasureRegions
                ? _measurer!.Measure(pixels, width, height, cx, cy, x, y, c.Response)
                : c with { X = x, Y = y };
        }
    }

    public void Dispose()
    {
        _workers?.Dispose();
        _workers = null;
    }
}
