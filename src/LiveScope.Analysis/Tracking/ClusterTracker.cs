using LiveScope.Analysis.Detection;

namespace LiveScope.Analysis.Tracking;

/// <summary>
/// What tracking knows of one cluster of the last frame: its track, in how many frames the track has been seen (this
/// one included; frames it was missing in are not counted) and when it was first seen.
/// </summary>
public readonly record struct TrackSighting(int TrackId, int FramesSeen, double FirstSeenS);

/// <summary>A whole series' tracks in figures: how many, their mean lifetime, and the turnover rates.</summary>
public sealed record TrackingSummary(int Tracks, double MeanLifetimeS, double DurationS, int Births, int Deaths, double BirthsPerMinute, double DeathsPerMinute);

/// <summary>
/// Links clusters frame to frame by linear assignment. Tracks missing for at most MaxGapFrames frames and MaxGapS
/// seconds compete for the new detections. Each track's gate r comes from the time since it was last seen (frame timestamps, not frame
/// counts: <see cref="TrackingOptions.LinkDistancePx"/>), so it widens with the imaging interval and across gaps. The
/// cost of a link is (distance / r)², and a track may instead stay unlinked at cost 1 (the gate). The problem is split
/// into connected groups of tracks and detections within reach, so each assignment stays small.
/// Ended tracks (lost for longer than the gap allows) are either kept, all of them, for <see cref="Tracks"/>, or handed to
/// a handler as they end (the live pipeline writes them to tracks.csv and reuses the object): a dense field at 100
/// frames/s ends ~150 tracks per frame, which kept to the run's end were ~0.45 KB each, 200 MB in 30 s and the garbage
/// collector's main work.
/// </summary>
public sealed class ClusterTracker
{
    private readonly TrackingOptions _options;
    private readonly List<Track> _tracks = [];   // every track, when there is no handler for ended ones
    private readonly List<Track> _active = [];
    private readonly Action<Track>? _ended;
    private readonly Stack<TrackPoint[]> _freeRings = new();   // given back by ended tracks that are kept, for new ones
    private readonly Stack<Track> _freeTracks = new();         // ended tracks the handler is done with, for new ones
    private readonly List<Track> _ending = [];                 // tracks ended by this frame, handed over once the state is consistent
    private int _trackCount, _births, _deaths;                 // deaths: tracks ended so far (all ended before the last frame)
    private double _endedLifetimeSumS;
    private bool _finished;
    // The last point of each active track, in _active's order: linking reads these in one flat array instead of
    // going through each track's object and point list (cache misses that were most of the linking time).
    private TrackPoint[] _activeLast = [];
    private readonly LinearAssignment _assignment = new();
    private int[] _trackIds = [];
    private TrackSighting[] _sightings = [];
    private int _trackIdCount;
    // Per-frame work buffers, grown as needed and kept (see Link).
    private int[] _linked = [];   // per detection: the index in _active of the track it continues, or −1
    private double[] _xs = [], _cost = [];
    private int[] _order = [], _parent = [], _groupStart = [], _edgeRoot = [], _rowOfTrack = [], _colOfDetection = [],
        _rowTrack = [], _colDetection = [], _assignmentOfRow = [];
    private Edge[] _edges = [], _sortedEdges = [];

    private readonly record struct Edge(int T, int D, double Cost);
    private int _lastFrame = -1, _firstFrame = -1;
    private double _firstTimeS, _lastTimeS;

    /// <param name="options">Linking and MSD options.</param>
    /// <param name="ended">
    /// Called with each track as it ends (during <see cref="Add"/>, and for the rest at <see cref="Finish"/>). The track
    /// is reused after the handler returns, so the handler must copy what it needs. Null: every track is kept in
    /// <see cref="Tracks"/>.
    /// </param>
    public ClusterTracker(TrackingOptions? options = null, Action<Track>? ended = null)
    {
        _options = options ?? new TrackingOptions();
        _options.Validate();
        _ended = ended;
    }

    /// <summary>Every track of the series in id order, when there is no handler for ended tracks; otherwise empty.</summary>
    public IReadOnlyList<Track> Tracks => _tracks;

    /// <summary>Index of the first frame added (−1 before any).</summary>
    public int FirstFrame => _firstFrame;

    /// <summary>Index of the last frame added (−1 before any); while a track is handed over in <see cref="Add"/>, the frame being added.</summary>
    public int LastFrame => _lastFrame;

    /// <summary>The track id of each cluster of the last frame added, in the order given.</summary>
    public ReadOnlySpan<int> LastTrackIds => _trackIds.AsSpan(0, _trackIdCount);

    /// <summary>
    /// Each cluster of the last frame added, in the order given, with its track's age and first sighting: written while
    /// the tracks are in hand, so readers (the adaptive rules, on the decision path) need no lookup by track id.
    /// </summary>
    public ReadOnlySpan<TrackSighting> LastSightings => _sightings.AsSpan(0, _trackIdCount);

    /// <summary>Adds a frame whose pixel size is unknown (<see cref="TrackingOptions.DefaultPixelSizeUm"/> is used).</summary>
    public void Add(int frameIndex, double timeS, ReadOnlySpan<Cluster> clusters) => Add(frameIndex, timeS, clusters, 0);

    /// <summary>Adds a frame's clusters; <paramref name="pixelSizeUm"/> (0: unknown) turns the expected diffusion into pixels.</summary>
    public void Add(int frameIndex, double timeS, ReadOnlySpan<Cluster> clusters, double pixelSizeUm)
    {
        if (_finished) throw new InvalidOperationException("the series is finished");
        if (frameIndex <= _lastFrame) throw new ArgumentException($"frame {frameIndex} is not after frame {_lastFrame}", nameof(frameIndex));
        if (_firstFrame < 0) { _firstFrame = frameIndex; _firstTimeS = timeS; }
        // A track has been missing since its last sighting until the previous frame: 0 s if it was seen there.
        double previousTimeS = _lastTimeS;
        _lastFrame = frameIndex; _lastTimeS = timeS;
        _ending.EnsureCapacity(_active.Count);   // grows with the active list, not whenever more tracks end at once
        int kept = 0;   // drop tracks lost for good, in place (RemoveAll's predicate would allocate a closure per frame)
        for (int i = 0; i < _active.Count; i++)
        {
            var last = _activeLast[i];
            if (frameIndex - last.FrameIndex > _options.MaxGapFrames + 1 || previousTimeS - last.TimeS > _options.MaxGapS)
            {
                _ending.Add(_active[i]);
                continue;
            }
            _activeLast[kept] = last;
            _active[kept++] = _active[i];
        }
        _active.RemoveRange(kept, _active.Count - kept);
        RetireEnding(lastSeenBeforeLastFrame: true);
        Grow(ref _trackIds, clusters.Length);
        Grow(ref _sightings, clusters.Length);
        _trackIdCount = clusters.Length;

        Link(timeS, pixelSizeUm, clusters);
        if (_activeLast.Length < _active.Count + clusters.Length)   // kept points are copied (Grow does not)
            Array.Resize(ref _activeLast, Math.Max(_active.Count + clusters.Length, 2 * _activeLast.Length));
        for (int d = 0; d < clusters.Length; d++)
        {
            var c = clusters[d];
            int index = _linked[d];
            if (index < 0)
            {
                index = _active.Count;
                _active.Add(NewTrack(frameIndex));
            }
            var track = _active[index];
            var point = new TrackPoint(frameIndex, timeS, c.X, c.Y, c.IntegratedIntensity);
            track.Add(point);
            _activeLast[index] = point;
            _trackIds[d] = track.Id;
            _sightings[d] = new TrackSighting(track.Id, track.PointCount, track.First.TimeS);
        }
    }

    private Track NewTrack(int frameIndex)
    {
        int id = ++_trackCount;
        if (frameIndex > _firstFrame) _births++;
        if (_freeTracks.TryPop(out var reused)) { reused.Restart(id); return reused; }
        var track = new Track(id, _options.MaxMsdLagFrames, _freeRings.TryPop(out var ring) ? ring : null);
        if (_ended is null) _tracks.Add(track);
        return track;
    }

    /// <summary>
    /// The tracks in <see cref="_ending"/> are over: counted, then kept (their rings freed for new tracks) or handed to
    /// the handler and reused. Runs once the active list is consistent, so a handler that throws (a full disk under the
    /// CSV writer) loses only the tracks not yet handed over, never the tracker's state.
    /// </summary>
    private void RetireEnding(bool lastSeenBeforeLastFrame)
    {
        try
        {
            foreach (var track in _ending)
            {
                if (lastSeenBeforeLastFrame || track.Last.FrameIndex < _lastFrame) _deaths++;
                _endedLifetimeSumS += track.LifetimeS;
                if (_ended is null) { _freeRings.Push(track.End()); continue; }
                _ended(track);
                _freeTracks.Push(track);
            }
        }
        finally { _ending.Clear(); }
    }

    /// <summary>
    /// Ends the series: with a handler, hands it every track still active (a death if it was last seen before the last
    /// frame). No frame can be added afterwards. Without a handler the tracks stay as they are in <see cref="Tracks"/>.
    /// </summary>
    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        if (_ended is null) return;
        _ending.AddRange(_active);
        _active.Clear();
        RetireEnding(lastSeenBeforeLastFrame: false);
    }

    /// <summary>
    /// Fills <see cref="_linked"/>[d] with the active track continued by detection d (−1: a new track). Candidate edges are the
    /// track–detection pairs within the track's gate (found through the detections sorted by x); union-find over tracks
    /// (0..T-1) and detections (T..) splits them into connected groups, and each group gets its own small cost matrix.
    /// Every buffer is kept between frames, so a steady stream of frames allocates nothing here.
    /// </summary>
    private void Link(double timeS, double pixelSizeUm, ReadOnlySpan<Cluster> clusters)
    {
        int detections = clusters.Length, tracks = _active.Count;
        Grow(ref _linked, detections);
        Array.Fill(_linked, -1, 0, detections);
        if (tracks == 0 || detections == 0) return;
        Grow(ref _xs, detections); Grow(ref _order, detections);
        Grow(ref _parent, tracks + detections);
        var parent = _parent;
        for (int i = 0; i < tracks + detections; i++) parent[i] = i;
        for (int i = 0; i < detections; i++) { _xs[i] = clusters[i].X; _order[i] = i; }
        Array.Sort(_xs, _order, 0, detections);

        int edges = 0;
        for (int t = 0; t < tracks; t++)
        {
            var last = _activeLast[t];
            double gate = _options.LinkDistancePx(timeS - last.TimeS, pixelSizeUm), gateSq = gate * gate;
            for (int k = LowerBound(_xs.AsSpan(0, detections), last.X - gate); k < detections && _xs[k] <= last.X + gate; k++)
            {
                int d = _order[k];
                double dx = clusters[d].X - last.X, dy = clusters[d].Y - last.Y, d2 = dx * dx + dy * dy;
                if (d2 > gateSq) continue;
                if (edges == _edges.Length) Array.Resize(ref _edges, Math.Max(64, 2 * edges));
                _edges[edges++] = new Edge(t, d, d2 / gateSq);
                parent[Find(parent, t)] = Find(parent, tracks + d);
            }
        }
        if (edges == 0) return;

        // Edges bucketed by their group's root, each bucket in the order the edges were found (a stable counting sort),
        // so rows and columns are numbered in order of first appearance as before.
        Grow(ref _groupStart, tracks + detections + 1);
        Grow(ref _edgeRoot, edges); Grow(ref _sortedEdges, edges);
        Array.Clear(_groupStart, 0, tracks + detections + 1);
        for (int e = 0; e < edges; e++) { int root = Find(parent, _edges[e].T); _edgeRoot[e] = root; _groupStart[root + 1]++; }
        for (int r = 0; r < tracks + detections; r++) _groupStart[r + 1] += _groupStart[r];
        for (int e = 0; e < edges; e++) _sortedEdges[_groupStart[_edgeRoot[e]]++] = _edges[e];   // _groupStart[r] now ends group r

        Grow(ref _rowOfTrack, tracks); Grow(ref _colOfDetection, detections);
        Array.Fill(_rowOfTrack, -1, 0, tracks); Array.Fill(_colOfDetection, -1, 0, detections);
        Grow(ref _rowTrack, tracks); Grow(ref _colDetection, detections);
        int begin = 0;
        while (begin < edges)
        {
            int end = _groupStart[Find(parent, _sortedEdges[begin].T)];
            SolveGroup(_sortedEdges.AsSpan(begin, end - begin));
            begin = end;
        }
    }

    private void SolveGroup(ReadOnlySpan<Edge> group)
    {
        const double gateCost = 1, forbidden = 1e12;
        if (IsOneTrack(group))
        {
            // Most groups are one track (alone in its gate, or with a few detections in it). Its optimum is its
            // cheapest edge, the first found of equal ones, as the solver picks it (columns in order of appearance,
            // first strict minimum); edges never cost more than staying unlinked (d ≤ gate), and on a tie the solver
            // also takes the detection, whose column comes first.
            int best = 0;
            for (int e = 1; e < group.Length; e++) if (group[e].Cost < group[best].Cost) best = e;
            _linked[group[best].D] = group[best].T;
            return;
        }
        int n = 0, columns = 0;
        foreach (var e in group)
        {
            if (_rowOfTrack[e.T] < 0) { _rowOfTrack[e.T] = n; _rowTrack[n++] = e.T; }
            if (_colOfDetection[e.D] < 0) { _colOfDetection[e.D] = columns; _colDetection[columns++] = e.D; }
        }
        int m = columns + n;   // one "stay unlinked" column per track
        Grow(ref _cost, n * m); Grow(ref _assignmentOfRow, n);
        var cost = _cost.AsSpan(0, n * m);
        cost.Fill(forbidden);
        foreach (var e in group) cost[_rowOfTrack[e.T] * m + _colOfDetection[e.D]] = e.Cost;
        for (int i = 0; i < n; i++) cost[i * m + columns + i] = gateCost;
        var assignment = _assignmentOfRow.AsSpan(0, n);
        _assignment.Solve(cost, n, m, assignment);
        for (int i = 0; i < n; i++)
            if (assignment[i] < columns && cost[i * m + assignment[i]] < forbidden)
                _linked[_colDetection[assignment[i]]] = _rowTrack[i];
    }

    private static bool IsOneTrack(ReadOnlySpan<Edge> group)
    {
        foreach (var e in group) if (e.T != group[0].T) return false;
        return true;
    }

    private static int Find(int[] parent, int a)
    {
        while (parent[a] != a) a = parent[a] = parent[parent[a]];
        return a;
    }

    private static void Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[Math.Max(length, buffer.Length * 2)];
    }

    private static int LowerBound(ReadOnlySpan<double> sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) / 2; if (sorted[mid] < value) lo = mid + 1; else hi = mid; }
        return lo;
    }

    /// <summary>Births are tracks starting after the first frame, deaths tracks ending before the last one.</summary>
    public TrackingSummary Summarise()
    {
        double duration = _lastTimeS - _firstTimeS;
        // Tracks still active (none after Finish with a handler; every one not ended without) count as they stand.
        int deaths = _deaths;
        double lifetimeSumS = _endedLifetimeSumS;
        foreach (var track in _active)
        {
            if (track.Last.FrameIndex < _lastFrame) deaths++;
            lifetimeSumS += track.LifetimeS;
        }
        double minutes = duration / 60;
        return new TrackingSummary(_trackCount, _trackCount > 0 ? lifetimeSumS / _trackCount : double.NaN, duration, _births, deaths,
            minutes > 0 ? _births / minutes : 0, minutes > 0 ? deaths / minutes : 0);
    }
}
