using BenchmarkDotNet.Attributes;
using LiveScope.Acquisition.Protocols;
using LiveScope.Adaptive.Rules;
using LiveScope.Analysis.Cells;
using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Metrics;
using LiveScope.Analysis.Pipeline;
using LiveScope.Analysis.Tracking;
using LiveScope.Core.Imaging;
using LiveScope.Replay;

namespace LiveScope.Benchmarks;

/// <summary>
/// The adaptive layer's own work per analysed frame at 2048² (issue #6's decision latency without contention): taking
/// in a frame's clusters, tracks and cell metrics (<see cref="PositionWatch.Update"/>), then evaluating rules of every
/// kind — field and per-cell metrics, births, new clusters — that do not fire, as on most frames. The inputs are the
/// live pipeline's results on the replay benchmark's simulator frames (3 600 clusters, 145 cells per frame). Here
/// they stay warm in the caches; in a run the frame's detection has just pushed them out (the replay benchmark
/// measures that case).
/// Run: dotnet run -c Release --project bench/LiveScope.Benchmarks -- --filter '*DecisionBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private const int Size = 2048, Frames = 16;
    private readonly Cluster[][] _clusters = new Cluster[Frames][];
    private readonly TrackSighting[][] _tracks = new TrackSighting[Frames][];
    private readonly int[][] _clusterCells = new int[Frames][];
    private readonly FrameMetrics[] _field = new FrameMetrics[Frames];
    private readonly CellFrameMetrics[][] _cells = new CellFrameMetrics[Frames][];
    private PositionWatch _watch = new();
    private RuleEvaluator _rules = null!;
    private int _frame;

    private static readonly AdaptRule[] QuietRules =
    [
        new("field_count", new MetricCondition(AdaptMetric.ClusterCount, MetricScope.Field, true, 1e9, 2), [new IntervalAction(0.01, 10)], 5),
        new("cell_partition", new MetricCondition(AdaptMetric.PartitionRatio, MetricScope.Cell, true, 1e9, 2), [new StopAction("never")], 0),
        new("cell_births", new MetricCondition(AdaptMetric.BirthsPerMin, MetricScope.Cell, true, 1e9, 1), [new StopAction("never")], 0),
        new("new_clusters", new NewClusterCondition(1_000_000), [new ZStackAction(0, 1)], 0),
    ];

    [GlobalSetup]
    public void Setup()
    {
        var path = ReplayThroughput.EnsureRecordingAsync(64, Size).GetAwaiter().GetResult();
        var pool = new FramePool();
        using var recording = ReplayRecording.Open(path);
        using var pipeline = new AnalysisPipeline();
        // Two passes over the frames, so the second one's tracks have histories; the second is kept.
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < Frames; i++)
            {
                using var frame = recording.Read(i, pool);
                var metadata = frame.Metadata with { Timestamp = TimeSpan.FromSeconds(0.01 * (pass * Frames + i)) };
                var result = pipeline.Analyse(frame.Pixels[..(Size * Size)], Size, Size, metadata)!.Value;
                _clusters[i] = pipeline.LastClusters.ToArray();
                _tracks[i] = pipeline.LastSightings.ToArray();
                _clusterCells[i] = pipeline.LastClusterCells.ToArray();
                _field[i] = result.Metrics;
                _cells[i] = pipeline.LastCellMetrics.ToArray();
            }
        _rules = new RuleEvaluator(QuietRules);
        for (int i = 0; i < 3 * Frames; i++) Decide();   // tables grown, as after the first seconds of a run
        Console.WriteLine($"// decision bench: {_clusters.Average(c => c.Length):0} clusters, {_cells.Average(c => c.Length):0} cells per frame");
    }

    [Benchmark(Description = "watch update + 4 quiet rules, one 2048² frame")]
    public int Decide()
    {
        int i = _frame % Frames;
        _watch.Update(0.01 * _frame++, _field[i], _cells[i], _clusters[i], _tracks[i], _clusterCells[i]);
        return _rules.Evaluate(0, _watch).Count;
    }

    [Benchmark(Description = "watch update alone")]
    public int Update()
    {
        int i = _frame % Frames;
        _watch.Update(0.01 * _frame++, _field[i], _cells[i], _clusters[i], _tracks[i], _clusterCells[i]);
        return _watch.Clusters.Count;
    }
}
