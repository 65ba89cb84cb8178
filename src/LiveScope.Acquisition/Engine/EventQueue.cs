using System.Runtime.CompilerServices;
using LiveScope.Acquisition.Planning;

namespace LiveScope.Acquisition.Engine;

/// <summary>
/// The plan as a live stream: events in due order that the adaptive controller may add to, remove from or
/// reschedule while the engine runs. Thread-safe; <see cref="Changed"/> wakes an engine waiting for a later event.
/// Part of the plan may be held back by a <see cref="IQueueFeed"/>, which adds it as the engine takes events.
/// </summary>
public sealed class EventQueue
{
    private readonly object _gate = new();
    private readonly PriorityQueue<PlannedEvent, (TimeSpan, long)> _queue = new();
    private readonly List<PlannedEvent> _removed = [];                        // Split's buffers, kept between calls
    private readonly List<(PlannedEvent, (TimeSpan, long))> _kept = [];
    private readonly List<PlannedEvent> _fed = [];                            // what the feed adds after a take
    private IQueueFeed? _feed;
    private long _nextSequence;
    private CancellationTokenSource _changed = new();

    public EventQueue(IEnumerable<PlannedEvent> events)
    {
        foreach (var e in events) Add(e);
    }

    /// <summary>How this queue's plan times map onto the microscope clock (set by the engine that runs it).</summary>
    public RunTimeline Timeline { get; } = new();

    /// <summary>Events still to run: those queued and those a feed holds back.</summary>
    public int Count
    {
        get { lock (_gate) return _queue.Count + (_feed?.Pending ?? 0); }
    }

    /// <summary>
    /// Lets <paramref name="feed"/> hold back part of the plan: after each event the engine takes, under this queue's
    /// lock, it adds what should now be queued. One feed per queue.
    /// </summary>
    public void Attach(IQueueFeed feed)
    {
        lock (_gate)
        {
            if (_feed is not null) throw new InvalidOperationException("the queue already has a feed");
            _feed = feed;
        }
    }

    /// <summary>Cancelled (and replaced) whenever the queue changes; an engine waiting on it re-reads the head.</summary>
    public CancellationToken Changed
    {
        get { lock (_gate) return _changed.Token; }
    }

    /// <summary>Adds an event; its sequence number is kept if larger than any seen, else a new one is given.</summary>
    public PlannedEvent Add(PlannedEvent e)
    {
        PlannedEvent added;
        lock (_gate)
        {
            var sequence = Math.Max(e.Sequence, _nextSequence);
            _nextSequence = sequence + 1;
            added = e with { Sequence = sequence };
            _queue.Enqueue(added, (added.DueAt, added.Sequence));
        }
        Signal();
        return added;
    }

    /// <summary>Adds events in the order given (same-time events keep it), as one change: one wake-up of the engine.</summary>
    public void AddRange(IEnumerable<PlannedEvent> events)
    {
        lock (_gate)
            foreach (var e in events)
            {
                var added = e with { Sequence = _nextSequence++ };
                _queue.Enqueue(added, (added.DueAt, added.Sequence));
            }
        Signal();
    }

    /// <summary>
    /// The first sequence number not yet given out or set aside. Events a <see cref="Replace"/> callback or a feed makes
    /// are queued as they are, so they number new events from here on (read inside the callback: the lock is held).
    /// </summary>
    public long NextSequence
    {
        get { lock (_gate) return _nextSequence; }
    }

    /// <summary>
    /// Sets aside <paramref name="count"/> sequence numbers from <see cref="NextSequence"/> on and returns the first: a
    /// feed that numbers a stream now and queues it later has its events sort, among same-time events, as if they had
    /// all been added now.
    /// </summary>
    public long Reserve(long count)
    {
        lock (_gate)
        {
            var first = _nextSequence;
            _nextSequence += count;
            return first;
        }
    }

    /// <summary>
    /// Removes every event matching <paramref name="match"/> and adds what <paramref name="replacement"/> makes of the
    /// removed ones, as one change (one wake-up of the engine, which never sees the half-done plan). The events given
    /// are queued as they are: the callback numbers new ones from <see cref="NextSequence"/> on, and may put back removed
    /// or planned events with their own numbers. The list the callback gets is the queue's own buffer, valid only during
    /// the call. Returns how many were removed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Replace(Func<PlannedEvent, bool> match, Func<IReadOnlyList<PlannedEvent>, IEnumerable<PlannedEvent>> replacement)
    {
        int removed;
        lock (_gate)
        {
            Split(match);
            removed = _removed.Count;
            foreach (var e in replacement(_removed))
            {
                _nextSequence = Math.Max(_nextSequence, e.Sequence + 1);
                _kept.Add((e, (e.DueAt, e.Sequence)));
            }
            // One heap build over kept and new events (linear), not one sift per new event.
            Rebuild();
            _removed.Clear();
        }
        Signal();
        return removed;
    }

    public bool TryPeek(out PlannedEvent next)
    {
        lock (_gate) return _queue.TryPeek(out next!, out _);
    }

    /// <summary>
    /// Takes <paramref name="expected"/> if it is still the head; false if the plan changed meanwhile. The feed, if
    /// any, adds what follows it before the lock is let go, so the engine's next look at the head finds it.
    /// </summary>
    public bool TryTake(PlannedEvent expected)
    {
        lock (_gate)
        {
            if (!_queue.TryPeek(out var head, out _) || !ReferenceEquals(head, expected)) return false;
            _queue.Dequeue();
            if (_feed is null) return true;
            _feed.Taken(expected, _fed);
            foreach (var e in _fed)
            {
                _nextSequence = Math.Max(_nextSequence, e.Sequence + 1);
                _queue.Enqueue(e, (e.DueAt, e.Sequence));
            }
            _fed.Clear();
            return true;
        }
    }

    /// <summary>Removes every event matching <paramref name="match"/>; returns them.</summary>
    public IReadOnlyList<PlannedEvent> RemoveWhere(Func<PlannedEvent, bool> match)
    {
        IReadOnlyList<PlannedEvent> removed;
        lock (_gate) removed = RemoveLocked(match);
        if (removed.Count > 0) Signal();
        return removed;
    }

    /// <summary>Replaces matching events by what <paramref name="change"/> makes of them (e.g. a new due time), in one step.</summary>
    public int Reschedule(Func<PlannedEvent, bool> match, Func<PlannedEvent, PlannedEvent> change)
    {
        int count;
        lock (_gate)
        {
            var removed = RemoveLocked(match);
            foreach (var e in removed)
            {
                var changed = change(e);
                _queue.Enqueue(changed, (changed.DueAt, changed.Sequence));
            }
            count = removed.Count;
        }
        if (count > 0) Signal();
        return count;
    }

    /// <summary>
    /// One pass over the heap's items: matching ones out, the rest back in with their priorities. The passes are
    /// compiled fully optimised at once: they run for the few adaptive decisions of a run (too rarely to be tiered
    /// up), over the whole plan, and their time is the decision's latency.
    /// </summary>
    private List<PlannedEvent> RemoveLocked(Func<PlannedEvent, bool> match)
    {
        Split(match);
        if (_removed.Count > 0) Rebuild();
        else _kept.Clear();
        List<PlannedEvent> removed = [.. _removed];
        _removed.Clear();
        return removed;
    }

    /// <summary>The heap made anew from <see cref="_kept"/>, in one linear build. Call under the lock.</summary>
    private void Rebuild()
    {
        _queue.Clear();
        _queue.EnqueueRange(_kept);
        _kept.Clear();
    }

    /// <summary>
    /// Sorts the heap's items into <see cref="_removed"/> (matching) and <see cref="_kept"/> (the rest, with their
    /// priorities); the heap itself is left as it is. Call under the lock. The two lists are kept between calls: at
    /// thousands of events each would otherwise be a new large-object array per interval change, and those are
    /// reclaimed only by generation-2 collections (several per run in the replay benchmark).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Split(Func<PlannedEvent, bool> match)
    {
        _removed.Clear();
        _kept.Clear();
        _kept.EnsureCapacity(_queue.Count + 64);
        foreach (var item in _queue.UnorderedItems)
        {
            if (match(item.Element)) _removed.Add(item.Element);
            else _kept.Add(item);
        }
    }

    public IReadOnlyList<PlannedEvent> Snapshot()
    {
        lock (_gate) return _queue.UnorderedItems.Select(x => x.Element).OrderBy(e => e.DueAt).ThenBy(e => e.Sequence).ToList();
    }

    /// <summary>
    /// Wakes whoever waits on <see cref="Changed"/>, after the change is complete and outside the lock. CancelAsync:
    /// the token reads as cancelled at once, but its callbacks (the engine's wake-up, and with it the engine's loop up
    /// to its next real wait — possibly a whole snap) run on the thread pool, not on the thread that changed the
    /// queue (the analysis thread, whose decision latency would include them).
    /// </summary>
    private void Signal()
    {
        CancellationTokenSource old;
        lock (_gate)
        {
            old = _changed;
            _changed = new CancellationTokenSource();
        }
        _ = old.CancelAsync();
    }
}
