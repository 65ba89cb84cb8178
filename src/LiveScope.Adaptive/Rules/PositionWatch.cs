using System.Runtime.CompilerServices;
using LiveScope.Acquisition.Protocols;
using LiveScope.Analysis.Metrics;
using LiveScope.Analysis.Tracking;

namespace LiveScope.Adaptive.Rules;

/// <summary>A cluster in the latest analysed frame of a position, with what tracking knows of it.</summary>
public readonly record struct WatchedCluster(int TrackId, double XPx, double YPx, double Intensity, int CellId, int AgeFrames, double BornAtS);

/// <summary>
/// What the rules know about one position's regular time-lapse: the latest frame's metrics (whole field and per
/// cell), its clusters with their track ids, when each track was first seen and how many frames it has lived, and
/// recent births. Updated once per analysed frame on the analysis thread, before the rules run, so it is on the
/// decision path. It is fed what the analysis already worked out for each cluster — its track's age and first
/// sighting (<see cref="TrackSighting"/>) and its cell — as flat arrays in the clusters' order: one sequential pass,
/// no lookup by track id or pixel. (A table of tracks keyed by id took 1–3 ms of CPU per 2048² frame in a run,
/// ten times its benchmark figure: by the time the rules run, the frame's detection has pushed it out of the cache.)
/// Nothing is allocated per frame once its lists have grown; decision-path methods are compiled fully optimised
/// from their first call (the first frames of a run would otherwise run unoptimised code, at milliseconds a frame).
/// </summary>
public sealed class PositionWatch
{
    /// <summary>Births are counted over this trailing window of frame time.</summary>
    public const double BirthWindowS = 60;

    private readonly Queue<(double TimeS, int CellId)> _births = new();
    private int[] _birthsInCell = new int[64];   // of _births, by the cell each was born in (cell ids are small labels)
    private readonly List<WatchedCluster> _clusters;
    private readonly List<CellFrameMetrics> _cells = [];
    private double _firstTimeS = double.NaN;

    /// <param name="expectedClusters">Clusters per frame to make room for now, so the first frames do not grow the
    /// list on the decision path (a 2048² frame holds thousands).</param>
    public PositionWatch(int expectedClusters = 0)
    {
        _clusters = new List<WatchedCluster>(expectedClusters);
        // Written once now, so the run's first frame does not take the page faults of fresh memory on the decision
        // path (the list is a large object; its pages are only mapped in when first written).
        for (int i = 0; i < expectedClusters; i++) _clusters.Add(default);
        _clusters.Clear();
    }

    /// <summary>Room for a dense field's clusters (about one per 1 000 px², as simulated IR-GFP cells give).</summary>
    public static int ExpectedClusters(int width, int height) => (int)Math.Min(20_000, (long)width * height / 1000);

    public int FramesAnalysed { get; private set; }
    public double LastTimeS { get; private set; }
    public FrameMetrics Field { get; private set; }
    public IReadOnlyList<WatchedCluster> Clusters => _clusters;
    public IReadOnlyList<CellFrameMetrics> Cells => _cells;

    /// <summary>
    /// Takes in one analysed frame: its clusters, what tracking knows of each (<paramref name="tracks"/>) and the cell
    /// (0 = none) each is in (<paramref name="clusterCells"/>), all in the same order. Tracks first seen at or before
    /// the first frame watched were there already: they are not births, and their <see cref="WatchedCluster.BornAtS"/> is NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Update(double timeS, FrameMetrics field, IReadOnlyList<CellFrameMetrics> cells,
        ReadOnlySpan<Analysis.Detection.Cluster> clusters, ReadOnlySpan<TrackSighting> tracks, ReadOnlySpan<int> clusterCells)
    {
        if (tracks.Length != clusters.Length || clusterCells.Length != clusters.Length)
            throw new ArgumentException($"{clusters.Length} clusters need as many track sightings ({tracks.Length}) and cells ({clusterCells.Length})");
        if (FramesAnalysed++ == 0) _firstTimeS = timeS;
        LastTimeS = timeS;
        Field = field;
        _cells.Clear();
        _cells.AddRange(cells);
        _clusters.Clear();
        _clusters.EnsureCapacity(clusters.Length);
        for (int i = 0; i < clusters.Length; i++)
        {
            var c = clusters[i];
            var track = tracks[i];
            int cell = clusterCells[i];
            bool bornWhileWatched = track.FirstSeenS > _firstTimeS;
            if (bornWhileWatched && track.FramesSeen == 1) AddBirth(timeS, cell);
            _clusters.Add(new WatchedCluster(track.TrackId, c.X, c.Y, c.IntegratedIntensity, cell, track.FramesSeen,
                bornWhileWatched ? track.FirstSeenS : double.NaN));
        }
        while (_births.Count > 0 && _births.Peek().TimeS < timeS - BirthWindowS)
            _birthsInCell[_births.Dequeue().CellId]--;
    }

    private void AddBirth(double timeS, int cell)
    {
        if (cell >= _birthsInCell.Length) Array.Resize(ref _birthsInCell, Math.Max(cell + 1, 2 * _birthsInCell.Length));
        _births.Enqueue((timeS, cell));
        _birthsInCell[cell]++;
    }

    /// <summary>Births per minute over the trailing window (or the time watched so far, if shorter); cell 0 = the whole field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double BirthsPerMinute(int cellId = 0)
    {
        double span = Math.Min(BirthWindowS, LastTimeS - _firstTimeS);
        if (!(span > 0)) return 0;
        // Per cell from running counts: with hundreds of births a minute, counting the queue for each of 150 cells
        // took most of a frame's decision time.
        int n = cellId == 0 ? _births.Count : cellId < _birthsInCell.Length ? _birthsInCell[cellId] : 0;
        return n / (span / 60);
    }

    /// <summary>The metric over the whole field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double FieldValue(AdaptMetric metric) => metric switch
    {
        AdaptMetric.ClusterCount => Field.ClusterCount,
        AdaptMetric.Density => Field.DensityPerUm2,
        AdaptMetric.PartitionRatio => Field.PartitionRatio,
        AdaptMetric.CondensedFraction => Field.CondensedFraction,
        AdaptMetric.BirthsPerMin => BirthsPerMinute(),
        _ => double.NaN,
    };

    /// <summary>The metric in one cell of the latest frame.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double CellValue(AdaptMetric metric, CellFrameMetrics cell) => metric switch
    {
        AdaptMetric.ClusterCount => cell.ClusterCount,
        AdaptMetric.Density => cell.DensityPerUm2,
        AdaptMetric.PartitionRatio => cell.PartitionRatio,
        AdaptMetric.CondensedFraction => cell.CondensedFraction,
        AdaptMetric.BirthsPerMin => BirthsPerMinute(cell.CellId),
        _ => double.NaN,
    };
}
