using LiveScope.Acquisition.Protocols;
using LiveScope.Analysis.Metrics;

namespace LiveScope.Adaptive.Rules;

/// <summary>A cluster in the latest analysed frame of a position, with what tracking knows of it.</summary>
public readonly record struct WatchedCluster(int TrackId, double XPx, double YPx, double Intensity, int CellId, int AgeFrames, double BornAtS);

/// <summary>
/// What the rules know about one position's regular time-lapse: the latest frame's metrics (whole field and per
/// cell), its clusters with their track ids, when each track was first seen and how many frames it has lived, and
/// recent births. Updated once per analysed frame on the analysis thread.
/// </summary>
public sealed class PositionWatch
{
    /// <summary>Births are counted over this trailing window of frame time.</summary>
    public const double BirthWindowS = 60;

    private sealed class TrackSeen
    {
        public int FirstFrame;
        public double FirstTimeS;
        public int Frames;
        public int LastFrame;
    }

    private readonly Dictionary<int, TrackSeen> _tracks = new();
    private readonly Queue<(double TimeS, int CellId)> _births = new();
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
            if (!_tracks.TryGetValue(id, out var seen))
            {
                seen = new TrackSeen { FirstFrame = frame, FirstTimeS = timeS };
                _tracks.Add(id, seen);
                // Tracks already there when watching starts were not born here: only later ones count as births.
                if (frame > 0) _births.Enqueue((timeS, cell));
            }
            seen.Frames++;
            seen.LastFrame = frame;
            _clusters.Add(new WatchedCluster(id, c.X, c.Y, c.IntegratedIntensity, cell, seen.Frames, seen.FirstFrame == 0 ? double.NaN : seen.FirstTimeS));
        }
        while (_births.Count > 0 && _births.Peek().TimeS < timeS - BirthWindowS) _births.Dequeue();
        // Forget tracks long gone so the table stays small over hours.
        if (frame % 50 == 49)
            foreach (var id in _tracks.Where(t => frame - t.Value.LastFrame > 20).Select(t => t.Key).ToList()) _tracks.Remove(id);
    }

    /// <summary>Births per minute over the trailing window (or the time watched so far, if shorter); cell 0 = the whole field.</summary>
    public double BirthsPerMinute(int cellId = 0)
    {
        double span = Math.Min(BirthWindowS, LastTimeS - _firstTimeS);
        if (!(span > 0)) return 0;
        int n = cellId == 0 ? _births.Count : _births.Count(b => b.CellId == cellId);
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
