using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LiveScope.Acquisition.Protocols;
using LiveScope.Analysis.Metrics;

namespace LiveScope.Adaptive.Rules;

/// <summary>A cluster in the latest analysed frame of a position, with what tracking knows of it.</summary>
public readonly record struct WatchedCluster(int TrackId, double XPx, double YPx, double Intensity, int CellId, int AgeFrames, double BornAtS);

/// <summary>
/// What the rules know about one position's regular time-lapse: the latest frame's metrics (whole field and per
/// cell), its clusters with their track ids, when each track was first seen and how many frames it has lived, and
/// recent births. Updated once per analysed frame on the analysis thread, before the rules run, so it is on the
/// decision path: one hash lookup per cluster and nothing allocated per frame once its tables have grown (a 2048²
/// frame holds thousands of clusters). Decision-path methods are compiled fully optimised from their first call: the
/// first frames of a run would otherwise run unoptimised code, at several milliseconds a frame.
/// </summary>
public sealed class PositionWatch
{
    /// <summary>Births are counted over this trailing window of frame time.</summary>
    public const double BirthWindowS = 60;

    private struct TrackSeen
    {
        public int FirstFrame;
        public double FirstTimeS;
        public int Frames;
        public int LastFrame;
    }

    /// <summary>A track not seen for this many frames (up to twice as many) is forgotten. A power of 2.</summary>
    public const int ForgetAfterFrames = 16;

    private readonly Dictionary<int, TrackSeen> _tracks = new();
    // When to look at each track again, by frame (a wheel of 2 × ForgetAfterFrames slots: every check is due within
    // that many frames): one not seen for ForgetAfterFrames by then is forgotten, one still seen is looked at again a
    // period later. So the table stays small over hours at the cost of one look per track per period, and no frame
    // makes a pass over thousands of entries (that pass cost 2 ms at 2048²).
    private readonly Queue<int>[] _checks = Enumerable.Range(0, 2 * ForgetAfterFrames).Select(_ => new Queue<int>()).ToArray();
    private readonly Queue<(double TimeS, int CellId)> _births = new();
    private readonly Dictionary<int, int> _birthsInCell = new();   // of _births, by the cell each was born in
    private readonly List<WatchedCluster> _clusters = [];
    private readonly List<CellFrameMetrics> _cells = [];
    private double _firstTimeS = double.NaN;

    public int FramesAnalysed { get; private set; }
    public double LastTimeS { get; private set; }
    public FrameMetrics Field { get; private set; }
    public IReadOnlyList<WatchedCluster> Clusters => _clusters;
    public IReadOnlyList<CellFrameMetrics> Cells => _cells;

    /// <summary>Takes in one analysed frame. <paramref name="cellOf"/> gives the cell (0 = none) at a pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Update(double timeS, FrameMetrics field, IReadOnlyList<CellFrameMetrics> cells,
        ReadOnlySpan<Analysis.Detection.Cluster> clusters, ReadOnlySpan<int> trackIds, Func<double, double, int> cellOf)
    {
        int frame = FramesAnalysed++;
        if (frame == 0) _firstTimeS = timeS;
        LastTimeS = timeS;
        Field = field;
        _cells.Clear();
        _cells.AddRange(cells);
        _clusters.Clear();
        // Grown once for all of this frame's clusters, not step by step (a first 2048² frame's thousands of tracks
        // took ten resizes of the table).
        _clusters.EnsureCapacity(clusters.Length);
        _tracks.EnsureCapacity(_tracks.Count + clusters.Length);
        for (int i = 0; i < clusters.Length; i++)
        {
            var c = clusters[i];
            int id = trackIds[i];
            int cell = cellOf(c.X, c.Y);
            ref var seen = ref CollectionsMarshal.GetValueRefOrAddDefault(_tracks, id, out bool known);
            if (!known)
            {
                seen = new TrackSeen { FirstFrame = frame, FirstTimeS = timeS };
                // Staggered by id: the thousands of tracks of one frame (the first, above all) are not all looked at
                // again on one later frame (1.5 ms at 2048²).
                CheckAt(frame + ForgetAfterFrames + (id & (ForgetAfterFrames - 1)), id);
                // Tracks already there when watching starts were not born here: only later ones count as births.
                if (frame > 0)
                {
                    _births.Enqueue((timeS, cell));
                    CollectionsMarshal.GetValueRefOrAddDefault(_birthsInCell, cell, out _)++;
                }
            }
            seen.Frames++;
            seen.LastFrame = frame;
            _clusters.Add(new WatchedCluster(id, c.X, c.Y, c.IntegratedIntensity, cell, seen.Frames, seen.FirstFrame == 0 ? double.NaN : seen.FirstTimeS));
        }
        while (_births.Count > 0 && _births.Peek().TimeS < timeS - BirthWindowS)
        {
            int cell = _births.Dequeue().CellId;
            if (--CollectionsMarshal.GetValueRefOrNullRef(_birthsInCell, cell) == 0) _birthsInCell.Remove(cell);
        }
        var due = _checks[frame % _checks.Length];
        while (due.Count > 0)
        {
            int id = due.Dequeue();
            if (frame - _tracks[id].LastFrame >= ForgetAfterFrames) _tracks.Remove(id);
            else CheckAt(frame + ForgetAfterFrames, id);
        }
    }

    private void CheckAt(int frame, int trackId) => _checks[frame % _checks.Length].Enqueue(trackId);

    /// <summary>Births per minute over the trailing window (or the time watched so far, if shorter); cell 0 = the whole field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double BirthsPerMinute(int cellId = 0)
    {
        double span = Math.Min(BirthWindowS, LastTimeS - _firstTimeS);
        if (!(span > 0)) return 0;
        // Per cell from running counts: with hundreds of births a minute, counting the queue for each of 150 cells
        // took most of a frame's decision time.
        int n = cellId == 0 ? _births.Count : _birthsInCell.GetValueOrDefault(cellId);
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
