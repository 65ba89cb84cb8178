using LiveScope.Analysis.Cells;
using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Metrics;
using LiveScope.Analysis.Output;
using LiveScope.Analysis.Tracking;
using LiveScope.Core.Imaging;

namespace LiveScope.Analysis.Pipeline;

/// <summary>The outcome of one analysed frame; its clusters are in <see cref="AnalysisPipeline.LastClusters"/>.</summary>
public readonly record struct FrameAnalysis(FrameMetrics Metrics, DetectionResult Detection);

/// <summary>
/// The same analysis for live and saved data: call <see cref="Analyse(Frame)"/> for each frame as it arrives (the
/// frame is read during the call and never kept, so the caller may dispose it right after), then
/// <see cref="Complete"/>. For saved data, <see cref="AnalyseAll"/> feeds a sequence of frames through the same
/// path. Per frame: detect clusters, (re)segment cells every N frames (finished off the frame path and used a fixed
/// number of frames later: <see cref="AnalysisOptions.CellMasksLagFrames"/>), link tracks, compute per-cell and per-frame
/// metrics, stream CSV rows and write overlay previews into the output folder when one is given. Not thread-safe.
/// </summary>
public sealed class AnalysisPipeline : IDisposable
{
    private readonly AnalysisOptions _options;
    private readonly ClusterDetector _detector;
    private readonly CellSegmenter _segmenter;
    private readonly ClusterTracker _tracker;
    private readonly CellMetricsCalculator _metrics = new();
    private readonly MeasurementCsvWriter? _csv;
    private readonly OverlayPreviewWriter _previews = new();
    private readonly string? _outputFolder;
    private readonly List<CellFrameMetrics> _cellRows = [];
    // Re-segmentation reuses everything: one binned frame, one set of buffers and two masks, the ones in use and a
    // spare that the next segmentation overwrites (the masks replaced last time). Only one segmentation runs at a time.
    private readonly BinnedFrame _binned = new();
    private readonly CellSegmentationBuffers _segmentationBuffers = new();
    private CellMasks? _spareMasks;
    private SegmentationWorker? _worker;   // made at the first re-segmentation off the frame path
    private int _pendingAdoptAt;           // the analysed frame index from which the worker's masks are used
    private bool _disposed;
    private ushort[]? _nuclear;
    private int _nuclearWidth, _nuclearHeight;
    private int _frames;
    private double _pixelSizeUm;
    private double _firstTimeS, _lastTimeS;
    private double _sumClusters, _sumCells, _sumDensity, _sumPartition, _sumCondensed;
    private int _partitionFrames, _condensedFrames, _densityFrames;

    public AnalysisPipeline(AnalysisOptions? options = null, string? outputFolder = null)
    {
        _options = options ?? new AnalysisOptions();
        _options.Validate();
        _detector = new ClusterDetector(_options.Detector);
        _segmenter = new CellSegmenter(_options.Cells);
        _tracker = new ClusterTracker(_options.Tracking, WriteEndedTrack);
        _outputFolder = outputFolder;
        if (outputFolder is not null) _csv = new MeasurementCsvWriter(outputFolder);
    }

    public AnalysisOptions Options => _options;

    /// <summary>
    /// The cell masks the last analysed frame was measured with. The pipeline reuses mask objects: masks it has
    /// replaced are overwritten by its next re-segmentation (SegmentCellsEveryFrames − CellMasksLagFrames analysed
    /// frames after the replacement, at least one), so keep a <see cref="CellMasks.Clone"/> to hold them longer.
    /// </summary>
    public CellMasks? CellMasks { get; private set; }
    public ReadOnlySpan<Cluster> LastClusters => _detector.Clusters;
    public ReadOnlySpan<int> LastTrackIds => _tracker.LastTrackIds;
    /// <summary>Each cluster of the last analysed frame with its track's age and first sighting (<see cref="ClusterTracker.LastSightings"/>).</summary>
    public ReadOnlySpan<TrackSighting> LastSightings => _tracker.LastSightings;
    /// <summary>The cell (0 = none) of each cluster of the last analysed frame, as the metrics assigned it.</summary>
    public ReadOnlySpan<int> LastClusterCells => _metrics.LastClusterCells;
    /// <summary>Per-cell metrics of the last analysed frame.</summary>
    public IReadOnlyList<CellFrameMetrics> LastCellMetrics => _cellRows;
    public int FramesAnalysed => _frames;

    /// <summary>A re-segmentation is running, or has finished, off the frame path and its masks are not yet adopted.</summary>
    internal bool SegmentationPending => _worker?.Busy ?? false;

    /// <summary>Test seam: runs on the segmentation thread before each re-segmentation off the frame path.</summary>
    internal Action? BeforeBackgroundSegmentation { get; set; }

    /// <summary>Analyses one live frame; null when the frame belongs to another channel (a nuclear frame is copied).</summary>
    public FrameAnalysis? Analyse(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return Analyse(frame.Pixels, frame.Width, frame.Height, frame.Metadata);
    }

    public FrameAnalysis? Analyse(ReadOnlySpan<ushort> pixels, int width, int height, FrameMetadata metadata)
    {
        if (_options.NuclearChannel is { } nuclearChannel && metadata.Channel == nuclearChannel)
        {
            if (_nuclear is null || _nuclear.Length != width * height) _nuclear = new ushort[width * height];
            pixels[..(width * height)].CopyTo(_nuclear);
            _nuclearWidth = width; _nuclearHeight = height;
            return null;
        }
        if (_options.Channel is { } channel && metadata.Channel != channel) return null;

        int index = _frames++;
        double timeS = metadata.Timestamp.TotalSeconds;
        if (index == 0) _firstTimeS = timeS;
        _lastTimeS = timeS;
        double pixelSizeUm = metadata.PixelSizeUm > 0 ? metadata.PixelSizeUm : _options.Detector.DefaultPixelSizeUm;
        _pixelSizeUm = pixelSizeUm;

        var detection = _detector.Detect(pixels, width, height, pixelSizeUm);
        var clusters = _detector.Clusters;

        bool segmentAfter = _options.SegmentCellsEveryFrames > 0 && UpdateCellMasks(index, pixels, width, height);
        // A re-segmentation off the frame path needs the frame binned; the metrics read the whole frame anyway and bin
        // it in the same pass when the masks in use have the same bins.
        var binWhileSumming = segmentAfter && CellMetricsCalculator.CanBinWhileSumming(CellMasks, width, height, _options.Cells.BinFactor)
            ? _binned : null;

        _tracker.Add(index, timeS, clusters, pixelSizeUm);
        _cellRows.Clear();
        var metrics = _metrics.Compute(pixels, width, height, CellMasks, clusters, pixelSizeUm, detection.DiameterPx / 2,
            index, timeS, detection.Threshold, _cellRows, binWhileSumming);
        Accumulate(metrics);
        if (segmentAfter) StartSegmentation(index, pixels, width, height, binned: binWhileSumming is not null);

        if (_csv is not null)
        {
            var ids = _tracker.LastTrackIds;
            var cells = _metrics.LastClusterCells;
            for (int i = 0; i < clusters.Length; i++)
            {
                var c = clusters[i];
                _csv.Write(new ClusterMeasurement(index, timeS, i, ids[i], c.X, c.Y,
                    metadata.StageXUm + (c.X - width / 2.0) * pixelSizeUm, metadata.StageYUm + (c.Y - height / 2.0) * pixelSizeUm,
                    c.Response, c.PeakIntensity, c.Background, c.IntegratedIntensity, c.AreaPx, c.Circularity,
                    cells[i], CellMasks?.CompartmentAt(c.X, c.Y) ?? Compartment.None));
            }
            foreach (var row in _cellRows) _csv.Write(row);
            _csv.Write(metrics);
            if (index == 0 || (_options.PreviewEveryFrames > 0 && index % _options.PreviewEveryFrames == 0))
                _previews.Write(Path.Combine(_outputFolder!, $"preview_{index:D5}.png"), pixels, width, height, clusters,
                    detection.DiameterPx, CellMasks);
        }
        return new FrameAnalysis(metrics, detection);
    }

    /// <summary>
    /// Adopts masks whose frame has come, and makes masks on the frame path when there are none for this frame size
    /// or no lag is allowed. True when a re-segmentation off the frame path is due after this frame's metrics.
    /// A re-segmentation (56 ms at 2048² before, still tens of ms) would stall its frame: only the binning reads the
    /// frame here; the rest runs on the worker and its masks are adopted CellMasksLagFrames analysed frames later,
    /// waiting for them if they are not ready.
    /// </summary>
    private bool UpdateCellMasks(int index, ReadOnlySpan<ushort> pixels, int width, int height)
    {
        if (_worker is { Busy: true } && index >= _pendingAdoptAt)
        {
            var adopted = _worker.Collect();
            if (adopted.Width == width && adopted.Height == height) Adopt(adopted);
            else _spareMasks = adopted;
        }
        int every = _options.SegmentCellsEveryFrames;
        bool unusable = CellMasks is null || CellMasks.Width != width || CellMasks.Height != height;
        if (index % every != 0 && !unusable) return false;
        if (!unusable && Lag > 0) return true;

        _worker?.Abandon();   // one for another frame size is outdated, and the buffers are needed here
        _segmenter.Bin(pixels, width, height, NuclearFor(width, height), _binned);
        Adopt(_segmenter.Segment(_binned, _segmentationBuffers, _spareMasks));
        return false;
    }

    /// <summary>Re-segmentation is adopted before the next one is due.</summary>
    private int Lag => Math.Min(_options.CellMasksLagFrames, _options.SegmentCellsEveryFrames - 1);

    private void Adopt(CellMasks masks)
    {
        _spareMasks = CellMasks;
        CellMasks = masks;
    }

    /// <summary>Starts the due re-segmentation on the worker, binning the frame first unless the metrics did.</summary>
    private void StartSegmentation(int index, ReadOnlySpan<ushort> pixels, int width, int height, bool binned)
    {
        var nuclear = NuclearFor(width, height);
        if (!binned) _segmenter.Bin(pixels, width, height, nuclear, _binned);
        else if (!nuclear.IsEmpty) CellSegmenter.BinNuclear(nuclear, _binned);
        _worker ??= new SegmentationWorker(_segmenter);
        _worker.BeforeSegment = BeforeBackgroundSegmentation;
        _worker.Start(_binned, _segmentationBuffers, _spareMasks);
        _pendingAdoptAt = index + Lag;
    }

    private ReadOnlySpan<ushort> NuclearFor(int width, int height) =>
        _nuclear is not null && _nuclearWidth == width && _nuclearHeight == height ? _nuclear.AsSpan() : default;

    private void Accumulate(FrameMetrics m)
    {
        _sumClusters += m.ClusterCount; _sumCells += m.CellCount;
        if (m.CellCount > 0) { _sumDensity += m.DensityPerUm2; _densityFrames++; }
        if (double.IsFinite(m.PartitionRatio)) { _sumPartition += m.PartitionRatio; _partitionFrames++; }
        if (double.IsFinite(m.CondensedFraction)) { _sumCondensed += m.CondensedFraction; _condensedFrames++; }
    }

    /// <summary>
    /// Tracks are written as they end (the tracker then reuses them), so memory stays flat over a long run and a crash
    /// keeps every track ended before it. Born after start and ended before end are relative to the series' first and
    /// last analysed frames; a track ended mid-run was last seen before the frame being added.
    /// </summary>
    private void WriteEndedTrack(Track track) =>
        _csv?.Write(track, track.First.FrameIndex > _tracker.FirstFrame, track.Last.FrameIndex < _tracker.LastFrame,
                    _pixelSizeUm, _options.Tracking.MaxMsdLagFrames);

    /// <summary>
    /// Ends the run: waits for a re-segmentation still running (its masks would be for frames that never come),
    /// writes the tracks still running to tracks.csv and msd.csv (with an output folder) and returns the summary.
    /// </summary>
    public AnalysisSummary Complete()
    {
        _worker?.Abandon();
        _tracker.Finish();
        var tracking = _tracker.Summarise();
        _csv?.Dispose();
        int n = Math.Max(1, _frames);
        return new AnalysisSummary(_options.Condition, _frames, _lastTimeS - _firstTimeS, _sumClusters / n, _sumCells / n,
            _densityFrames > 0 ? _sumDensity / _densityFrames : double.NaN,
            _partitionFrames > 0 ? _sumPartition / _partitionFrames : double.NaN,
            _condensedFrames > 0 ? _sumCondensed / _condensedFrames : double.NaN,
            tracking.Tracks, tracking.MeanLifetimeS,
            tracking.BirthsPerMinute, tracking.DeathsPerMinute);
    }

    /// <summary>
    /// Saved data: analyses every frame in order (the same path as live frames) and completes. Each frame is
    /// disposed after its analysis when <paramref name="disposeFrames"/> is set (pooled frames from a reader).
    /// </summary>
    public static AnalysisSummary AnalyseAll(IEnumerable<Frame> frames, AnalysisOptions? options = null, string? outputFolder = null,
        bool disposeFrames = true, CancellationToken cancellationToken = default)
    {
        using var pipeline = new AnalysisPipeline(options, outputFolder);
        foreach (var frame in frames)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                pipeline.Analyse(frame);
            }
            finally { if (disposeFrames) frame.Dispose(); }
        }
        return pipeline.Complete();
    }

    /// <summary>Waits for a re-segmentation still running (nothing of the pipeline's is in use after this) and frees the workers.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _worker?.Dispose();
        _csv?.Dispose();
        _detector.Dispose();
    }
}
