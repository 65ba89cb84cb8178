using LiveScope.Analysis.Tracking;

namespace LiveScope.Adaptive.Tests;

/// <summary>
/// Stands in for the tracker where a test gives track ids by hand: turns each frame's ids into the sightings
/// <see cref="ClusterTracker.LastSightings"/> reports (frames seen so far, this one included, and the first sighting's time).
/// </summary>
internal sealed class TrackBook
{
    private readonly Dictionary<int, (int Frames, double FirstS)> _seen = new();

    public TrackSighting[] Sight(double timeS, IReadOnlyList<int> ids) => ids.Select(id =>
    {
        var (frames, first) = _seen.TryGetValue(id, out var s) ? s : (0, timeS);
        _seen[id] = (frames + 1, first);
        return new TrackSighting(id, frames + 1, first);
    }).ToArray();
}
