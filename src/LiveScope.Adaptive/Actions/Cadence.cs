using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;

namespace LiveScope.Adaptive.Actions;

/// <summary>
/// The imaging cadence of each position: the protocol's timepoints, or a fast interval for a while. The cadence owns
/// the positions' regular frames: the queue holds only each position's next <see cref="Lookahead"/> timepoints, and
/// the cadence queues the following one whenever the engine starts one (<see cref="IQueueFeed"/>). Changing the
/// interval therefore rewrites a handful of queued events however long the run — it used to rewrite every future
/// frame of the position, milliseconds of decision latency in a long run (issue #6). Time indices are handed out as
/// timepoints are queued, so a position's file keeps one plane per T. Frames already due or taken are left alone.
/// State that the engine's thread reads is only changed under the queue's lock (inside <see cref="EventQueue.Replace"/>).
/// </summary>
public sealed partial class Cadence : IQueueFeed
{
    /// <summary>Timepoints of each position kept queued ahead of the engine.</summary>
    public const int Lookahead = 4;

    private readonly EventQueue _queue;
    private readonly Dictionary<int, PositionCadence> _positions = new();

    public Cadence(AcquisitionPlan plan, EventQueue queue)
    {
        _queue = queue;
        foreach (var group in plan.Events.Where(IsRegular).GroupBy(PositionOf))
        {
            var timepoints = group.GroupBy(e => e.DueAt).OrderBy(g => g.Key)
                .Select(g => new Timepoint(g.First(), g.OrderBy(e => e.Sequence).ToArray(), g.OfType<FrameEvent>().Select(f => f.TimeIndex).DefaultIfEmpty(-1).Min()))
                .ToList();
            _positions[group.Key] = new PositionCadence
            {
                Baseline = timepoints,
                FramesPerTimepoint = timepoints[0].Events.Count(e => e is FrameEvent),
                EventsPerTimepoint = timepoints.Max(tp => tp.Events.Length),
                Template = timepoints[0],
                Next = new Cursor { TimeIndex = Math.Max(0, timepoints[0].TimeIndex), Sequence = -1 },
            };
        }
        if (_positions.Count == 0) return;
        // From here on the cadence queues the regular frames: the plan's own events, a few timepoints ahead.
        queue.Attach(this);
        queue.Replace(IsRegular, _ => QueueFirstTimepoints());
    }

    /// <summary>Whether the position is inside a fast window at <paramref name="now"/> (clock).</summary>
    public bool IsFast(int position, TimeSpan now) => _positions.TryGetValue(position, out var p) && p.FastIntervalS is not null && now < p.FastUntil;
    public double FastUsedS(int position) => _positions.TryGetValue(position, out var p) ? p.FastUsedS : 0;

    /// <summary>
    /// Images <paramref name="position"/> every <paramref name="intervalS"/> from <paramref name="now"/> (clock) for at
    /// most <paramref name="maxS"/>; returns the number of fast frames scheduled (0: nothing to do).
    /// </summary>
    public int GoFast(int position, double intervalS, int minFrames, double maxS, TimeSpan now)
    {
        if (!_positions.TryGetValue(position, out var p) || p.Finished) return 0;
        if (p.FastIntervalS == intervalS && now < p.FastUntil) return 0; // already there
        int frames = 0;
        _queue.Replace(e => IsQueuedRegular(e, position, now), removed =>
        {
            var added = CatchUp(p, now);
            if (p.FastIntervalS is not null && now < p.FastUntil) p.FastUsedS -= (p.FastUntil - now).TotalSeconds; // a new window replaces the rest of the old one
            p.FastIntervalS = intervalS;
            p.FastSince = now;
            p.FastUntil = now + TimeSpan.FromSeconds(maxS);
            p.MinFramesUntil = now + TimeSpan.FromSeconds(minFrames * intervalS);
            p.FastUsedS += maxS;
            Rewrite(p, removed, now, added, out frames);
            if (frames == 0) p.FastUsedS -= maxS; // nothing left to image fast (the run is ending): nothing spent
            return added;
        });
        return frames;
    }

    /// <summary>Back to the protocol's timepoints, once the minimum number of fast frames is taken. False if not fast.</summary>
    public bool GoNormal(int position, TimeSpan now)
    {
        if (!_positions.TryGetValue(position, out var p) || p.Finished || p.FastIntervalS is null || now >= p.FastUntil) return false;
        _queue.Replace(e => IsQueuedRegular(e, position, now), removed =>
        {
            var added = CatchUp(p, now);
            var end = now > p.MinFramesUntil ? now : p.MinFramesUntil;
            p.FastUsedS -= (p.FastUntil - end).TotalSeconds; // the unused part of the window goes back to the budget
            p.FastUntil = end;
            return Rewrite(p, removed, now, added, out _);
        });
        return true;
    }

    /// <summary>Drops every future regular frame of the position; it is not rescheduled again. Returns how many.</summary>
    public int Finish(int position, TimeSpan now)
    {
        if (!_positions.TryGetValue(position, out var p) || p.Finished) return 0;
        int dropped = 0;
        _queue.Replace(e => IsQueuedRegular(e, position, now), removed =>
        {
            var added = CatchUp(p, now); // what was due by now is still taken, as with any change
            dropped = removed.Count + PendingOf(p);
            p.Finished = true;
            return added;
        });
        return dropped;
    }

    /// <summary>Drops every position's regular frames, queued or not yet (the run stops). Returns how many.</summary>
    public int FinishAll() => _positions.Keys.ToList().Sum(p => Finish(p, TimeSpan.MinValue));

    /// <summary>The engine started a timepoint of a position: its next one not yet queued goes in (queue's lock held).</summary>
    void IQueueFeed.Taken(PlannedEvent taken, List<PlannedEvent> into)
    {
        if (!IsRegular(taken) || !_positions.TryGetValue(PositionOf(taken), out var p) || p.Finished) return;
        if (taken.DueAt == p.LastStartedDue) return; // another channel of a timepoint already started
        p.LastStartedDue = taken.DueAt;
        p.Ahead = Math.Max(0, p.Ahead - 1);
        while (p.Ahead < Lookahead && QueueNext(p, ref p.Next, into)) p.Ahead++;
    }

    int IQueueFeed.Pending
    {
        get
        {
            int pending = 0;
            foreach (var p in _positions.Values) pending += PendingOf(p);
            return pending;
        }
    }

    /// <summary>Regular frames and autofocus of a position (not FRAP steps or z-stacks, which are series of their own).</summary>
    private static bool IsRegular(PlannedEvent e) => e is FrameEvent { Series: null } or AutofocusEvent;

    private static int PositionOf(PlannedEvent e) => e switch
    {
        FrameEvent f => f.PositionIndex,
        AutofocusEvent a => a.PositionIndex,
        _ => -1,
    };

    /// <summary>The position's queued regular frames and autofocus not yet due: what an interval change rewrites.</summary>
    private bool IsQueuedRegular(PlannedEvent e, int position, TimeSpan now) =>
        IsRegular(e) && PositionOf(e) == position && _queue.Timeline.DueOf(e) > now;
}
