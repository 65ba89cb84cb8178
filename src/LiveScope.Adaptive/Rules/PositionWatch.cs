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
/// frame holds thousands of clusters).
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

    private readonly Dictionary<int, TrackSeen> _tracks = new();
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
        for (int i = 0; i < clusters.Length; i++)
        {
            var c = clusters[i];
            int id = trackIds[i];
            int cell = cellOf(c.X, c.Y);
            ref var seen = ref CollectionsMarshal.GetValueRefOrAddDefault(_tracks, id, out bool known);
            if (!known)
            {
                seen = new TrackSeen { FirstFrame = frame, FirstTimeS = timeS };
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
        // Forget tracks long gone so the table stays small over hours (removing while enumerating is allowed).
        if (frame % 50 == 49)
            foreach (var (id, seen) in _tracks)
                if (frame - seen.LastFrame > 20) _tracks.Remove(id);
    }

    /// <summary>Births per minute over the trailing window (or the time watched so far, if shorter); cell 0 = the whole field.</summary>
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
