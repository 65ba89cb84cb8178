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
/// A tracker that keeps its ended tracks (no handler for them) takes back an ended track's ring of recent points for
/// a new track, leaving it its sums, first and last points; a tracker that hands them to a handler reuses the whole
/// track (<see cref="Restart"/>) once the handler has written it out.
/// </summary>
public sealed class Track
{
    private TrackPoint[]? _recent;   // ring of the newest points: at most one per frame of the MSD window; null once ended
    private int _recentStart, _recentCount;
    private readonly MsdSums[] _msd;   // by lag
    private TrackPoint _last;
    private double _pathLengthPx;

    private struct MsdSums
    {
        public double SumPx2, LagTimeS;
        public int Pairs;
    }

    public Track(int id, int maxMsdLagFrames = 10) : this(id, maxMsdLagFrames, null) { }

    /// <summary>A track whose ring of recent points is <paramref name="ring"/> (one given back by an ended track) when it fits.</summary>
    internal Track(int id, int maxMsdLagFrames, TrackPoint[]? ring)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxMsdLagFrames);
        Id = id;
        MaxMsdLagFrames = maxMsdLagFrames;
        _recent = ring is not null && ring.Length == maxMsdLagFrames + 1 ? ring : new TrackPoint[maxMsdLagFrames + 1];
        _msd = new MsdSums[maxMsdLagFrames + 1];
    }

    public int Id { get; private set; }
    /// <summary>Longest lag <see cref="Msd"/> can report, frames.</summary>
    public int MaxMsdLagFrames { get; }
    public int PointCount { get; private set; }
    public TrackPoint First { get; private set; }
    public TrackPoint Last => _last;
    public double LifetimeS => Last.TimeS - First.TimeS;
    public double NetDisplacementPx => Math.Sqrt(Sq(Last.X - First.X) + Sq(Last.Y - First.Y));
    public double PathLengthPx => _pathLengthPx;
    /// <summary>The tracker has given the track up: no point is added any more, and its recent points are gone.</summary>
    public bool Ended => _recent is null;

    /// <summary>The points of the last <see cref="MaxMsdLagFrames"/> frames up to the newest, oldest first (none once <see cref="Ended"/>).</summary>
    public IReadOnlyList<TrackPoint> RecentPoints =>
        _recent is not { } ring ? [] : Enumerable.Range(0, _recentCount).Select(i => ring[(_recentStart + i) % ring.Length]).ToArray();

    internal void Add(TrackPoint point)
    {
        if (_recent is not { } ring) throw new InvalidOperationException($"track {Id} has ended");
        if (PointCount == 0) First = point;
        else
        {
            var last = Last;
            if (point.FrameIndex <= last.FrameIndex)
                throw new ArgumentException($"frame {point.FrameIndex} is not after the track's last frame {last.FrameIndex}", nameof(point));
            _pathLengthPx += Math.Sqrt(Sq(point.X - last.X) + Sq(point.Y - last.Y));
            AddMsdPairsEndingAt(ring, point);
        }
        if (_recentCount == ring.Length) { _recentStart = (_recentStart + 1) % ring.Length; _recentCount--; }
        ring[(_recentStart + _recentCount) % ring.Length] = point;
        _recentCount++;
        _last = point;
        PointCount++;
    }

    /// <summary>
    /// Makes this track a new, empty one with id <paramref name="id"/>, keeping its buffers: for a tracker whose ended
    /// tracks have been written out, so a dense field's ~150 new tracks per frame allocate nothing.
    /// </summary>
    internal void Restart(int id)
    {
        if (_recent is null) throw new InvalidOperationException($"track {Id} has ended; its ring is gone");
        Id = id;
        _recentStart = _recentCount = 0;
        Array.Clear(_msd);
        First = default; _last = default;
        _pathLengthPx = 0;
        PointCount = 0;
    }

    /// <summary>Ends the track and returns its ring of recent points for reuse.</summary>
    internal TrackPoint[] End()
    {
        var ring = _recent ?? throw new InvalidOperationException($"track {Id} has ended");
        _recent = null;
        _recentStart = _recentCount = 0;
        return ring;
    }

    private void AddMsdPairsEndingAt(TrackPoint[] ring, in TrackPoint point)
    {
        for (int i = 0; i < _recentCount; i++)
        {
            ref readonly var earlier = ref ring[(_recentStart + i) % ring.Length];
            int lag = point.FrameIndex - earlier.FrameIndex;
            if (lag < 1 || lag > MaxMsdLagFrames) continue;
            ref var msd = ref _msd[lag];
            msd.SumPx2 += Sq(point.X - earlier.X) + Sq(point.Y - earlier.Y);
            msd.LagTimeS += point.TimeS - earlier.TimeS;
            msd.Pairs++;
        }
    }

    /// <summary>MSD at lags 1 … <paramref name="maxLagFrames"/> (at most <see cref="MaxMsdLagFrames"/>); lags with no pair are left out.</summary>
    public IReadOnlyList<MsdPoint> Msd(int maxLagFrames)
    {
        var result = new List<MsdPoint>();
        for (int lag = 1; lag <= Math.Min(maxLagFrames, MaxMsdLagFrames); lag++)
            if (TryGetMsd(lag, out var m)) result.Add(m);
        return result;
    }

    /// <summary>The MSD at one lag, if some pair of points is that far apart (no allocation, for writers).</summary>
    public bool TryGetMsd(int lagFrames, out MsdPoint point)
    {
        point = default;
        if (lagFrames < 1 || lagFrames > MaxMsdLagFrames || _msd[lagFrames] is not { Pairs: > 0 } m) return false;
        point = new MsdPoint(lagFrames, m.LagTimeS / m.Pairs, m.SumPx2 / m.Pairs, m.Pairs);
        return true;
    }

    private static double Sq(double v) => v * v;
}
