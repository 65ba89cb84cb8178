using BenchmarkDotNet.Attributes;
using LiveScope.Analysis.Cells;
using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Metrics;
using LiveScope.Analysis.Output;
using LiveScope.Analysis.Pipeline;
using LiveScope.Analysis.Tracking;
using LiveScope.Core.Imaging;
using LiveScope.Replay;

namespace LiveScope.Benchmarks;

/// <summary>
/// The whole live analysis (<see cref="AnalysisPipeline.Analyse(ReadOnlySpan{ushort}, int, int, FrameMetadata)"/>)
/// on 2048² simulator frames, and each of its stages alone, so what the detector does not cost can be read off.
/// The frames are the first planes of the replay benchmark's recording (generated once, as `replay` does), cycled in
/// order so tracks and segmentation see a moving series. Every stage benchmark is one frame's work:
/// segmentation is measured per call, reusing its buffers and masks as the pipeline does (the pipeline runs it every
/// 20 frames: divide by 20 for its share; only its binning runs on the frame path, within the metrics' pass, the rest
/// on another thread).
/// Run: dotnet run -c Release --project bench/LiveScope.Benchmarks -- --filter '*PipelineBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private const int Size = 2048, Frames = 16;
    private readonly ushort[][] _pixels = new ushort[Frames][];
    private readonly FrameMetadata[] _metadata = new FrameMetadata[Frames];
    private readonly Cluster[][] _clusters = new Cluster[Frames][];
    private readonly DetectionResult[] _detections = new DetectionResult[Frames];
    private AnalysisPipeline _pipeline = null!, _pipelineNoCells = null!, _pipelineCsv = null!;
    private ClusterDetector _detector = null!;
    private CellSegmenter _segmenter = null!;
    private CellMasks _masks = null!;
    private readonly CellSegmentationBuffers _segmentationBuffers = new();
    private readonly BinnedFrame _binned = new();
    private CellMasks? _current, _spare;
    private ClusterTracker _tracker = null!;
    private readonly CellMetricsCalculator _metrics = new();
    private readonly List<CellFrameMetrics> _cellRows = [], _csvCellRows = [];
    private MeasurementCsvWriter _csv = null!;
    private string _outputFolder = "";
    private int _next, _trackFrame;

    [GlobalSetup]
    public void Setup()
    {
        var path = ReplayThroughput.EnsureRecordingAsync(64, Size).GetAwaiter().GetResult();
        var pool = new FramePool();
        using (var recording = ReplayRecording.Open(path))
            for (int i = 0; i < Frames; i++)
            {
                using var frame = recording.Read(i, pool);
                _pixels[i] = frame.Pixels[..(Size * Size)].ToArray();
                _metadata[i] = frame.Metadata with { Timestamp = TimeSpan.FromSeconds(0.01 * i) };
            }
        _detector = new ClusterDetector();
        for (int i = 0; i < Frames; i++)
        {
            _detections[i] = _detector.Detect(_pixels[i], Size, Size, _metadata[i].PixelSizeUm);
            _clusters[i] = _detector.Clusters.ToArray();
        }
        _segmenter = new CellSegmenter();
        _masks = _segmenter.Segment(_pixels[0], Size, Size);
        _tracker = new ClusterTracker();
        _pipeline = new AnalysisPipeline();
        _pipelineNoCells = new AnalysisPipeline(new AnalysisOptions { SegmentCellsEveryFrames = 0 });
        _outputFolder = Path.Combine(Path.GetTempPath(), $"livescope-pipeline-bench-{Environment.ProcessId}");
        _pipelineCsv = new AnalysisPipeline(new AnalysisOptions { PreviewEveryFrames = 0 }, _outputFolder);
        _pipelineCsv.Analyse(_pixels[0], Size, Size, _metadata[0]);   // the first frame's preview PNG, out of the timing
        _metrics.Compute(_pixels[0], Size, Size, _masks, _clusters[0], _metadata[0].PixelSizeUm, _detections[0].DiameterPx / 2,
            0, 0, _detections[0].Threshold, _csvCellRows);
        _csv = new MeasurementCsvWriter(Path.Combine(_outputFolder, "stage"));
        Console.WriteLine($"// pipeline bench: {Frames} frames of {Size}², {_clusters.Average(c => c.Length):0} clusters/frame, {_masks.CellCount} cells");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pipeline.Dispose(); _pipelineNoCells.Dispose(); _pipelineCsv.Dispose(); _detector.Dispose(); _csv.Dispose();
        try { Directory.Delete(_outputFolder, recursive: true); } catch (IOException) { }
    }

    private int Next() => _next++ % Frames;

    [Benchmark(Description = "pipeline: detect + cells every 20 frames + track + metrics")]
    public int Pipeline()
    {
        int i = Next();
        return _pipeline.Analyse(_pixels[i], Size, Size, _metadata[i])!.Value.Metrics.ClusterCount;
    }

    [Benchmark(Description = "pipeline without cell masks")]
    public int PipelineWithoutCells()
    {
        int i = Next();
        return _pipelineNoCells.Analyse(_pixels[i], Size, Size, _metadata[i])!.Value.Metrics.ClusterCount;
    }

    [Benchmark(Description = "pipeline writing CSV rows (no previews after the first)")]
    public int PipelineWithCsv()
    {
        int i = Next();
        return _pipelineCsv.Analyse(_pixels[i], Size, Size, _metadata[i])!.Value.Metrics.ClusterCount;
    }

    [Benchmark(Description = "stage: detect")]
    public int Detect()
    {
        int i = Next();
        return _detector.Detect(_pixels[i], Size, Size, _metadata[i].PixelSizeUm).ClusterCount;
    }

    [Benchmark(Description = "stage: segment cells (one call; the pipeline makes one per 20 frames)")]
    public int Segment()
    {
        _segmenter.Bin(_pixels[Next()], Size, Size, default, _binned);
        (_current, _spare) = (_segmenter.Segment(_binned, _segmentationBuffers, _spare), _current);
        return _current.CellCount;
    }

    [Benchmark(Description = "stage: binning alone (the pipeline bins in the metrics' pass when it can)")]
    public int SegmentOnFramePath()
    {
        _segmenter.Bin(_pixels[Next()], Size, Size, default, _binned);
        return _binned.BinnedWidth;
    }

    [Benchmark(Description = "stage: track")]
    public int Track()
    {
        int i = Next();
        _tracker.Add(_trackFrame, 0.01 * _trackFrame++, _clusters[i], _metadata[i].PixelSizeUm);
        return _tracker.LastTrackIds.Length;
    }

    [Benchmark(Description = "stage: cell and frame metrics")]
    public int Metrics()
    {
        int i = Next();
        _cellRows.Clear();
        return _metrics.Compute(_pixels[i], Size, Size, _masks, _clusters[i], _metadata[i].PixelSizeUm, _detections[i].DiameterPx / 2,
            i, 0.01 * i, _detections[i].Threshold, _cellRows).ClustersInCells;
    }

    [Benchmark(Description = "stage: cell and frame metrics binning the frame (a re-segmentation's frame)")]
    public int MetricsAndBinning()
    {
        int i = Next();
        _cellRows.Clear();
        return _metrics.Compute(_pixels[i], Size, Size, _masks, _clusters[i], _metadata[i].PixelSizeUm, _detections[i].DiameterPx / 2,
            i, 0.01 * i, _detections[i].Threshold, _cellRows, _binned).ClustersInCells;
    }

    [Benchmark(Description = "stage: CSV rows of one frame")]
    public int Csv()
    {
        int i = Next();
        var clusters = _clusters[i];
        for (int c = 0; c < clusters.Length; c++)
        {
            var k = clusters[c];
            _csv.Write(new ClusterMeasurement(i, 0.01 * i, c, c + 1, k.X, k.Y, k.X * 0.1, k.Y * 0.1, k.Response, k.PeakIntensity,
                k.Background, k.IntegratedIntensity, k.AreaPx, k.Circularity, _masks.CellAt(k.X, k.Y), _masks.CompartmentAt(k.X, k.Y)));
        }
        foreach (var row in _csvCellRows) _csv.Write(row);
        _csv.Write(new FrameMetrics(i, 0.01 * i, clusters.Length, 0, _masks.CellCount, 1, 1, 1, 1, 1, 1, 1));
        return clusters.Length;
    }
}
