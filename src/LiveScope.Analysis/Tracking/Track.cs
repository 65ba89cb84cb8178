namespace LiveScope.Analysis.Tracking;

/// <summary>One observation of a tracked cluster.</summary>
public readonly record struct TrackPoint(int FrameIndex, double TimeS, double X, double Y, double Intensity);

/// <summary>Mean squared displacement at one lag: px², averaged over the point pairs that lag apart.</summary>
public readonly record struct MsdPoint(int LagFrames, double LagS, double MsdPx2, int Pairs);

/// <summary>
/// A cluster followed over time (gaps allowed). Its memory is bounded whatever the run's length: a 2048² field at
/// 100 frames/s holds thousands of tracks, and keeping every point (40 B each) would pass a gigabyte within a minute.
/// So the track keeps its first point, the points of its last <see cref="MaxMsdLagFrames"/> frames, and running sums
/// for path length and MSD. Pairs are added as their later point arrives, which for each lag is the same order the
/// whole-list computation summed them in, so the figures are bit-identical to it.
/// </summary>
public sealed class Track
{
    private readonly TrackPoint[] _recent;   // ring of the newest points: at most one per frame of the MSD window
    private int _recentStart, _recentCount;
    private readonly double[] _msdSum, _msdLagTime;
    private readonly int[] _msdPairs;
    private double _pathLengthPx;

    public Track(int id, int maxMsdLagFrames = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxMsdLagFrames);
        Id = id;
        MaxMsdLagFrames = maxMsdLagFrames;
        _recent = new TrackPoint[maxMsdLagFrames + 1];
        _msdSum = new double[maxMsdLagFrames + 1];
        _msdLagTime = new double[maxMsdLagFrames + 1];
        _msdPairs = new int[maxMsdLagFrames + 1];
    }

    public int Id { get; }
    /// <summary>Longest lag <see cref="Msd"/> can report, frames.</summary>
    public int MaxMsdLagFrames { get; }
    public int PointCount { get; private set; }
    public TrackPoint First { get; private set; }
    public TrackPoint Last => _recent[(_recentStart + _recentCount - 1) % _recent.Length];
    public double LifetimeS => Last.TimeS - First.TimeS;
    public double NetDisplacementPx => Math.Sqrt(Sq(Last.X - First.X) + Sq(Last.Y - First.Y));
    public double PathLengthPx => _pathLengthPx;

    /// <summary>The points of the last <see cref="MaxMsdLagFrames"/> frames up to the newest, oldest first.</summary>
    public IReadOnlyList<TrackPoint> RecentPoints =>
        Enumerable.Range(0, _recentCount).Select(i => _recent[(_recentStart + i) % _recent.Length]).ToArray();

    internal void Add(TrackPoint point)
    {
        if (PointCount == 0) First = point;
        else
        {
            var last = Last;
            if (point.FrameIndex <= last.FrameIndex)
                throw new ArgumentException($"frame {point.FrameIndex} is not after the track's last frame {last.FrameIndex}", nameof(point));
            _pathLengthPx += Math.Sqrt(Sq(point.X - last.X) + Sq(point.Y - last.Y));
            AddMsdPairsEndingAt(point);
        }
        if (_recentCount == _recent.Length) { _recentStart = (_recentStart + 1) % _recent.Length; _recentCount--; }
        _recent[(_recentStart + _recentCount) % _recent.Length] = point;
        _recentCount++;
        PointCount++;
    }

    private void AddMsdPairsEndingAt(in TrackPoint point)
    {
        for (int i = 0; i < _recentCount; i++)
        {
            ref readonly var earlier = ref _recent[(_recentStart + i) % _recent.Length];
            int lag = point.FrameIndex - earlier.FrameIndex;
            if (lag < 1 || lag > MaxMsdLagFrames) continue;
            _msdSum[lag] += Sq(point.X - earlier.X) + Sq(point.Y - earlier.Y);
            _msdLagTime[lag] += point.TimeS - earlier.TimeS;
            _msdPairs[lag]++;
        }
    }

    /// <summary>MSD at lags 1 … <paramref name="maxLagFrames"/> (at most <see cref="MaxMsdLagFrames"/>); lags with no pair are left out.</summary>
    public IReadOnlyList<MsdPoint> Msd(int maxLagFrames)
    {
        var result = new List<MsdPoint>();
        for (int lag = 1; lag <= Math.Min(maxLagFrames, MaxMsdLagFrames); lag++)
            if (_msdPairs[lag] > 0)
                result.Add(new MsdPoint(lag, _msdLagTime[lag] / _msdPairs[lag], _msdSum[lag] / _msdPairs[lag], _msdPairs[lag]));
        return result;
    }

    private static double Sq(double v) => v * v;
}
