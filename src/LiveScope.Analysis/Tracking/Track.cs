namespace LiveScope.Analysis.Tracking;

/// <summary>One observation of a tracked cluster.</summary>
public readonly record struct TrackPoint(int FrameIndex, double TimeS, double X, double Y, double Intensity);

/// <summary>Mean squared displacement at one lag: px², averaged over the point pairs that lag apart.</summary>
public readonly record struct MsdPoint(int LagFrames, double LagS, double MsdPx2, int Pairs);

/// <summary>A cluster followed over time; points in frame order (gaps allowed).</summary>
public sealed class Track(int id)
{
    private readonly List<TrackPoint> _points = [];

    public int Id { get; } = id;
    public IReadOnlyList<TrackPoint> Points => _points;
    public TrackPoint First => _points[0];
    public TrackPoint Last => _points[^1];
    public double LifetimeS => Last.TimeS - First.TimeS;
    public double NetDisplacementPx => Math.Sqrt(Sq(Last.X - First.X) + Sq(Last.Y - First.Y));

    public double PathLengthPx
    {
        get
        {
            double s = 0;
            for (int i = 1; i < _points.Count; i++) s += Math.Sqrt(Sq(_points[i].X - _points[i - 1].X) + Sq(_points[i].Y - _points[i - 1].Y));
            return s;
        }
    }

    internal void Add(TrackPoint point) => _points.Add(point);

    public IReadOnlyList<MsdPoint> Msd(int maxLagFrames)
    {
        var result = new List<MsdPoint>();
        for (int lag = 1; lag <= maxLagFrames; lag++)
        {
            double sum = 0, lagTime = 0; int pairs = 0, j = 0;
            for (int i = 0; i < _points.Count; i++)
            {
                int target = _points[i].FrameIndex + lag;
                while (j < _points.Count && _points[j].FrameIndex < target) j++;
                if (j == _points.Count) break;
                if (_points[j].FrameIndex != target) continue;
                sum += Sq(_points[j].X - _points[i].X) + Sq(_points[j].Y - _points[i].Y);
                lagTime += _points[j].TimeS - _points[i].TimeS;
                pairs++;
            }
            if (pairs > 0) result.Add(new MsdPoint(lag, lagTime / pairs, sum / pairs, pairs));
        }
        return result;
    }

    private static double Sq(double v) => v * v;
}
