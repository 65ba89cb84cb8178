using LiveScope.Acquisition.Planning;

namespace LiveScope.Acquisition.Engine;

/// <summary>
/// Holds back part of a run's plan and hands it to the <see cref="EventQueue"/> as the engine goes. A long
/// time-lapse then sits in the queue only a few timepoints deep, so an adaptive change to its future rewrites a
/// handful of events, not thousands (issue #6's decision latency).
/// </summary>
public interface IQueueFeed
{
    /// <summary>
    /// Called under the queue's lock right after the engine took <paramref name="taken"/>: adds to
    /// <paramref name="into"/> the events to queue now. They are queued as they are, so new ones are numbered from the
    /// queue's <see cref="EventQueue.NextSequence"/> on.
    /// </summary>
    void Taken(PlannedEvent taken, List<PlannedEvent> into);

    /// <summary>How many events the feed will still add (called under the queue's lock).</summary>
    int Pending { get; }
}
