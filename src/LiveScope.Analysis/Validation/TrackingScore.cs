namespace LiveScope.Analysis.Validation;

/// <summary>
/// Tracks against true identities. Only truth tracks observed (matched to a detection) in at least two frames are
/// scored. <see cref="Splits"/>: for each truth track, the tracker tracks it was cut into, minus one. <see cref="Merges"/>:
/// for each tracker track, the truth tracks it mixes, minus one. A truth track is <see cref="RecoveredWhole"/> when all
/// its observations carry one tracker id that no other truth track shares. <see cref="LinkRecall"/>: of the pairs of
/// consecutive observations of a truth track, the share the tracker put in the same track.
/// </summary>
public readonly record struct TrackingScore(int TruthTracks, int RecoveredWhole, int Splits, int Merges, int Links, int LinksKept)
{
    public double RecoveredFraction => TruthTracks == 0 ? 1 : (double)RecoveredWhole / TruthTracks;
    public double LinkRecall => Links == 0 ? 1 : (double)LinksKept / Links;

    public override string ToString() => FormattableString.Invariant(
        $"truth tracks {TruthTracks}, recovered whole {RecoveredFraction:0.000}, splits {Splits}, merges {Merges}, link recall {LinkRecall:0.000}");
}

/// <summary>Collects, frame by frame, which truth identity and which tracker track each detection has.</summary>
public sealed class TrackingScorer
{
    private readonly Dictionary<long, List<int>> _trackerIdsOfTruth = [];
    private readonly Dictionary<int, HashSet<long>> _truthIdsOfTrack = [];

    /// <param name="truthIds">Per detection, the truth identity it matched, or −1.</param>
    /// <param name="trackIds">Per detection, the tracker's track id.</param>
    public void Add(ReadOnlySpan<long> truthIds, ReadOnlySpan<int> trackIds)
    {
        if (truthIds.Length != trackIds.Length) throw new ArgumentException("one truth id and one track id per detection");
        for (int i = 0; i < truthIds.Length; i++)
        {
            long truth = truthIds[i];
            if (truth < 0) continue;
            if (!_trackerIdsOfTruth.TryGetValue(truth, out var tracks)) _trackerIdsOfTruth[truth] = tracks = [];
            tracks.Add(trackIds[i]);
            if (!_truthIdsOfTrack.TryGetValue(trackIds[i], out var truths)) _truthIdsOfTrack[trackIds[i]] = truths = [];
            truths.Add(truth);
        }
    }

    public TrackingScore Score()
    {
        // Only scored truth tracks count as mixed into a track, so a one-frame truth cluster picked up by a track is no merge.
        int ScoredTruths(int track) => _truthIdsOfTrack[track].Count(t => _trackerIdsOfTruth[t].Count >= 2);
        int truthTracks = 0, whole = 0, splits = 0, links = 0, kept = 0;
        foreach (var (_, tracks) in _trackerIdsOfTruth)
        {
            if (tracks.Count < 2) continue;
            truthTracks++;
            for (int i = 1; i < tracks.Count; i++) { links++; if (tracks[i] == tracks[i - 1]) kept++; }
            int distinct = tracks.Distinct().Count();
            splits += distinct - 1;
            if (distinct == 1 && ScoredTruths(tracks[0]) == 1) whole++;
        }
        int merges = _truthIdsOfTrack.Keys.Sum(track => Math.Max(0, ScoredTruths(track) - 1));
        return new TrackingScore(truthTracks, whole, splits, merges, links, kept);
    }
}
