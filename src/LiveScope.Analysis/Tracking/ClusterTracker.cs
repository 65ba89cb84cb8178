using LiveScope.Analysis.Detection;

namespace LiveScope.Analysis.Tracking;

/// <summary>Tracks of a whole series and the turnover rates.</summary>
public sealed record TrackingSummary(IReadOnlyList<Track> Tracks, double DurationS, int Births, int Deaths, double BirthsPerMinute, double DeathsPerMinute);

/// <summary>
/// Links clusters frame to frame by linear assignment. Tracks missing for at most MaxGapFrames frames and MaxGapS
/// seconds compete for the new detections. Each track's gate r comes from the time since it was last seen (frame timestamps, not frame
/// counts: <see cref="TrackingOptions.LinkDistancePx"/>), so it widens with the imaging interval and across gaps. The
/// cost of a link is (distance / r)², and a track may instead stay unlinked at cost 1 (the gate). The problem is split
/// into connected groups of tracks and detections within reach, so each assignment stays small.
/// </summary>
public sealed class ClusterTracker
{
    private readonly TrackingOptions _options;
    private readonly List<Track> _tracks = [];
    private readonly List<Track> _active = [];
    private readonly LinearAssignment _assignment = new();
    private int[] _trackIds = [];
    private int _lastFrame = -1, _firstFrame = -1;
    private double _firstTimeS, _lastTimeS;

    public ClusterTracker(TrackingOptions? options = null)
    {
        _options = options ?? new TrackingOptions();
        _options.Validate();
    }

    public IReadOnlyList<Track> Tracks => _tracks;

    /// <summary>The track id of each cluster of the last frame added, in the order given.</summary>
    public ReadOnlySpan<int> LastTrackIds => _trackIds;

    /// <summary>Adds a frame whose pixel size is unknown (<see cref="TrackingOptions.DefaultPixelSizeUm"/> is used).</summary>
    public void Add(int frameIndex, double timeS, ReadOnlySpan<Cluster> clusters) => Add(frameIndex, timeS, clusters, 0);

    /// <summary>Adds a frame's clusters; <paramref name="pixelSizeUm"/> (0: unknown) turns the expected diffusion into pixels.</summary>
    public void Add(int frameIndex, double timeS, ReadOnlySpan<Cluster> clusters, double pixelSizeUm)
    {
        if (frameIndex <= _lastFrame) throw new ArgumentException($"frame {frameIndex} is not after frame {_lastFrame}", nameof(frameIndex));
        if (_firstFrame < 0) { _firstFrame = frameIndex; _firstTimeS = timeS; }
        // A track has been missing since its last sighting until the previous frame: 0 s if it was seen there.
        double previousTimeS = _lastTimeS;
        _active.RemoveAll(t => frameIndex - t.Last.FrameIndex > _options.MaxGapFrames + 1 || previousTimeS - t.Last.TimeS > _options.MaxGapS);
        _lastFrame = frameIndex; _lastTimeS = timeS;
        if (_trackIds.Length != clusters.Length) _trackIds = new int[clusters.Length];

        var detectionTrack = Link(timeS, pixelSizeUm, clusters);
        for (int d = 0; d < clusters.Length; d++)
        {
            var c = clusters[d];
            var track = detectionTrack[d];
            if (track is null)
            {
                track = new Track(_tracks.Count + 1);
                _tracks.Add(track); _active.Add(track);
            }
            track.Add(new TrackPoint(frameIndex, timeS, c.X, c.Y, c.IntegratedIntensity));
            _trackIds[d] = track.Id;
        }
    }

    private Track?[] Link(double timeS, double pixelSizeUm, ReadOnlySpan<Cluster> clusters)
    {
        var result = new Track?[clusters.Length];
        int tracks = _active.Count;
        if (tracks == 0 || clusters.Length == 0) return result;
        // Candidate edges within each track's gate; groups by union-find over tracks (0..T-1) and detections (T..).
        var edges = new List<(int T, int D, double Cost)>();
        var parent = Enumerable.Range(0, tracks + clusters.Length).ToArray();
        int Find(int a) { while (parent[a] != a) a = parent[a] = parent[parent[a]]; return a; }
        var xs = new double[clusters.Length];
        var order = new int[clusters.Length];
        for (int i = 0; i < xs.Length; i++) { xs[i] = clusters[i].X; order[i] = i; }
        Array.Sort(xs, order);
        for (int t = 0; t < tracks; t++)
        {
            var last = _active[t].Last;
            double gate = _options.LinkDistancePx(timeS - last.TimeS, pixelSizeUm), gateSq = gate * gate;
            int k = LowerBound(xs, last.X - gate);
            for (; k < order.Length && xs[k] <= last.X + gate; k++)
            {
                int d = order[k];
                double dx = clusters[d].X - last.X, dy = clusters[d].Y - last.Y, d2 = dx * dx + dy * dy;
                if (d2 > gateSq) continue;
                edges.Add((t, d, d2 / gateSq));
                parent[Find(t)] = Find(tracks + d);
            }
        }
        const double gateCost = 1, forbidden = 1e12;
        foreach (var group in edges.GroupBy(e => Find(e.T)))
        {
            var rows = group.Select(e => e.T).Distinct().ToArray();
            var cols = group.Select(e => e.D).Distinct().ToArray();
            int n = rows.Length, m = cols.Length + n;   // one "stay unlinked" column per track
            var cost = new double[n * m];
            Array.Fill(cost, forbidden);
            var rowOf = rows.Select((r, i) => (r, i)).ToDictionary(p => p.r, p => p.i);
            var colOf = cols.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
            foreach (var e in group) cost[rowOf[e.T] * m + colOf[e.D]] = e.Cost;
            for (int i = 0; i < n; i++) cost[i * m + cols.Length + i] = gateCost;
            var assignment = new int[n];
            _assignment.Solve(cost, n, m, assignment);
            for (int i = 0; i < n; i++)
                if (assignment[i] < cols.Length && cost[i * m + assignment[i]] < forbidden)
                    result[cols[assignment[i]]] = _active[rows[i]];
        }
        return result;
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) / 2; if (sorted[mid] < value) lo = mid + 1; else hi = mid; }
        return lo;
    }

    /// <summary>Births are tracks starting after the first frame, deaths tracks ending before the last one.</summary>
    public TrackingSummary Summarise()
    {
        double duration = _lastTimeS - _firstTimeS;
        int births = _tracks.Count(t => t.First.FrameIndex > _firstFrame);
        int deaths = _tracks.Count(t => t.Last.FrameIndex < _lastFrame);
        double minutes = duration / 60;
        return new TrackingSummary(_tracks, duration, births, deaths,
            minutes > 0 ? births / minutes : 0, minutes > 0 ? deaths / minutes : 0);
    }
}
