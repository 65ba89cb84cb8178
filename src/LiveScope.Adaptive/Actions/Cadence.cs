using System.Runtime.CompilerServices;
using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;

namespace LiveScope.Adaptive.Actions;

/// <summary>
/// The imaging cadence of each position: the protocol's timepoints, or a fast interval for a while. Changing the
/// interval rewrites the position's future regular frames in the queue (the ones not yet due): fast timepoints
/// from now until the fast window ends, then the protocol's own timepoints again. Time indices are renumbered so a
/// position's file keeps one plane per T. Frames already due or taken by the engine are left alone.
/// </summary>
public sealed class Cadence
{
    /// <summary>One timepoint of a position as planned: its frames (and autofocus), all due together.</summary>
    private sealed record Timepoint(PlannedEvent First, PlannedEvent[] Events);

    private sealed class PositionCadence
    {
        public required List<Timepoint> Baseline { get; init; }
        public required int FramesPerTimepoint { get; init; }
        public int MaxTimeIndex;
        public double? FastIntervalS;
        public TimeSpan FastSince, FastUntil, MinFramesUntil;
        public double FastUsedS;
        public bool Finished;
    }

    private readonly EventQueue _queue;
    private readonly Dictionary<int, PositionCadence> _positions = new();
    private readonly List<PlannedEvent> _added = [];   // a rewrite's new events (thousands: not a new large array each time)

    public Cadence(AcquisitionPlan plan, EventQueue queue)
    {
        _queue = queue;
        foreach (var group in plan.Events.Where(IsRegular).GroupBy(PositionOf))
        {
            var timepoints = group.GroupBy(e => e.DueAt).OrderBy(g => g.Key)
                .Select(g => new Timepoint(g.First(), g.OrderBy(e => e.Sequence).ToArray())).ToList();
            _positions[group.Key] = new PositionCadence
            {
                Baseline = timepoints,
                FramesPerTimepoint = timepoints[0].Events.Count(e => e is FrameEvent),
                MaxTimeIndex = group.OfType<FrameEvent>().Select(f => f.TimeIndex).DefaultIfEmpty(-1).Max(),
            };
        }
    }

    /// <summary>Whether the position is inside a fast window at <paramref name="now"/> (clock).</summary>
    public bool IsFast(int position, TimeSpan now) => _positions.TryGetValue(position, out var p) && p.FastIntervalS is not null && now < p.FastUntil;
    public double FastUsedS(int position) => _positions.TryGetValue(position, out var p) ? p.FastUsedS : 0;

    /// <summary>Regular frames and autofocus of a position (not FRAP steps or z-stacks, which are series of their own).</summary>
    private static bool IsRegular(PlannedEvent e) => e is FrameEvent { Series: null } or AutofocusEvent;

    private static int PositionOf(PlannedEvent e) => e switch
    {
        FrameEvent f => f.PositionIndex,
        AutofocusEvent a => a.PositionIndex,
        _ => -1,
    };

    /// <summary>
    /// Images <paramref name="position"/> every <paramref name="intervalS"/> from <paramref name="now"/> (clock) for at
    /// most <paramref name="maxS"/>; returns the number of fast frames scheduled (0: nothing to do).
    /// </summary>
    public int GoFast(int position, double intervalS, int minFrames, double maxS, TimeSpan now)
    {
        if (!_positions.TryGetValue(position, out var p) || p.Finished) return 0;
        if (p.FastIntervalS == intervalS && now < p.FastUntil) return 0; // already there
        if (p.FastIntervalS is not null && now < p.FastUntil) p.FastUsedS -= (p.FastUntil - now).TotalSeconds; // a new window replaces the rest of the old one
        p.FastIntervalS = intervalS;
        p.FastSince = now;
        p.FastUntil = now + TimeSpan.FromSeconds(maxS);
        p.MinFramesUntil = now + TimeSpan.FromSeconds(minFrames * intervalS);
        p.FastUsedS += maxS;
        int frames = Rebuild(position, p, now);
        if (frames == 0) p.FastUsedS -= maxS; // nothing left to image fast (the run is ending): nothing spent
        return frames;
    }

    /// <summary>Back to the protocol's timepoints, once the minimum number of fast frames is taken. False if not fast.</summary>
    public bool GoNormal(int position, TimeSpan now)
    {
        if (!_positions.TryGetValue(position, out var p) || p.Finished || p.FastIntervalS is null || now >= p.FastUntil) return false;
        var end = now > p.MinFramesUntil ? now : p.MinFramesUntil;
        p.FastUsedS -= (p.FastUntil - end).TotalSeconds; // the unused part of the window goes back to the budget
        p.FastUntil = end;
        Rebuild(position, p, now);
        return true;
    }

    /// <summary>Drops every future regular frame of the position; it is not rescheduled again.</summary>
    public int Finish(int position, TimeSpan now)
    {
        if (!_positions.TryGetValue(position, out var p) || p.Finished) return 0;
        p.Finished = true;
        return _queue.RemoveWhere(e => IsFutureRegular(e, position, now)).Count;
    }

    /// <summary>The position's regular frames and autofocus not yet due: what an interval change may rewrite.</summary>
    private bool IsFutureRegular(PlannedEvent e, int position, TimeSpan now) =>
        IsRegular(e) && PositionOf(e) == position && _queue.Timeline.DueOf(e) > now;

    /// <summary>
    /// Rewrites the position's future as one queue change. It touches every future frame of the position (the T
    /// indices after a change all move), so it is written as plain loops and compiled fully optimised on first use:
    /// it runs a handful of times per run, never often enough for tiered compilation to optimise it, and its time is
    /// the decision's latency (issue #6).
    /// </summary>
    private int Rebuild(int position, PositionCadence p, TimeSpan now)
    {
        int fastFrames = 0;
        _queue.Replace(e => IsFutureRegular(e, position, now), removed => Rewrite(p, removed, now, out fastFrames));
        _added.Clear();   // the queue holds them now; taken frames should not stay reachable from here
        return fastFrames;
    }

    /// <summary>The events that replace <paramref name="removed"/> (the position's future events).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private List<PlannedEvent> Rewrite(PositionCadence p, IReadOnlyList<PlannedEvent> removed, TimeSpan now, out int fastFrames)
    {
        fastFrames = 0;
        // A timepoint the engine has already started (some of its channels taken) stays whole: its other frames
        // go back as they were, so no T index is handed out twice (the file would refuse the second plane). Only the
        // earliest remaining timepoint can be started: the engine takes events in due order, and a timepoint's
        // frames share one due time.
        var earliest = TimeSpan.MaxValue;
        int atEarliest = 0;
        for (int i = 0; i < removed.Count; i++)
        {
            if (removed[i] is not FrameEvent f || f.DueAt > earliest) continue;
            atEarliest = f.DueAt == earliest ? atEarliest + 1 : 1;
            earliest = f.DueAt;
        }
        var started = new List<FrameEvent>();
        int firstUnstarted = int.MaxValue;
        for (int i = 0; i < removed.Count; i++)
        {
            if (removed[i] is not FrameEvent f) continue;
            if (f.DueAt == earliest && atEarliest < p.FramesPerTimepoint) started.Add(f);
            else firstUnstarted = Math.Min(firstUnstarted, f.TimeIndex);
        }
        // The heap hands removed events back in no particular order: a started timepoint keeps its channels' order.
        started.Sort((a, b) => a.DueAt != b.DueAt ? a.DueAt.CompareTo(b.DueAt) : a.Sequence.CompareTo(b.Sequence));
        var startedDue = new HashSet<TimeSpan>();
        int lastStarted = -1;
        foreach (var f in started)
        {
            startedDue.Add(f.DueAt);
            lastStarted = Math.Max(lastStarted, f.TimeIndex);
        }
        int t = firstUnstarted != int.MaxValue ? firstUnstarted : Math.Max(p.MaxTimeIndex, lastStarted) + 1;
        // Numbered here, in order, so the queue takes them as they are (EventQueue.NextSequence; we are inside its lock).
        long sequence = _queue.NextSequence;
        var added = _added;   // reused: Replace takes the events out at once
        added.Clear();
        added.EnsureCapacity(removed.Count + 64);
        foreach (var f in started) added.Add(f with { Sequence = sequence++ });
        var timeline = _queue.Timeline;
        TimeSpan last = now;
        // A fast window never runs past the position's last planned timepoint: the run's length is the protocol's.
        var lastPlanned = timeline.DueOf(p.Baseline[^1].First);
        if (p.FastIntervalS is { } interval && now < p.FastUntil)
        {
            var step = TimeSpan.FromSeconds(interval);
            var template = p.Baseline.FirstOrDefault(tp => timeline.DueOf(tp.First) > now) ?? p.Baseline[^1];
            // The fast grid keeps the phase it started with; the minimum number of fast frames is always taken.
            for (var at = p.FastSince + step; (at < p.FastUntil || at <= p.MinFramesUntil) && at <= lastPlanned; at += step)
            {
                if (at <= now) continue;
                var (due, afterZero) = timeline.DueAtClock(at);
                Copy(template, due, afterZero, t++, includeAutofocus: false, added, ref sequence);
                last = at;
                fastFrames++;
            }
        }
        if (fastFrames == 0) p.FastIntervalS = null;
        // The protocol's own timepoints resume after the fast window (none closer than one fast interval to the last fast frame).
        var gap = TimeSpan.FromSeconds(p.FastIntervalS ?? 0);
        var resumeAfter = p.FastIntervalS is null ? now : p.FastUntil;
        foreach (var tp in p.Baseline)
        {
            var at = timeline.DueOf(tp.First);
            if (at <= resumeAfter || (fastFrames > 0 && at < last + gap) || startedDue.Contains(tp.First.DueAt)) continue;
            Copy(tp, tp.First.DueAt, tp.First.AfterTimeZero, t++, includeAutofocus: true, added, ref sequence);
        }
        p.MaxTimeIndex = Math.Max(p.MaxTimeIndex, t - 1);
        return added;
    }

    private static void Copy(Timepoint template, TimeSpan due, bool afterZero, int timeIndex, bool includeAutofocus, List<PlannedEvent> into,
        ref long sequence)
    {
        foreach (var e in template.Events) // an array: no enumerator per timepoint
        {
            switch (e)
            {
                case FrameEvent f:
                    into.Add(f with { DueAt = due, AfterTimeZero = afterZero, TimeIndex = timeIndex, Sequence = sequence++ });
                    break;
                case AutofocusEvent a when includeAutofocus:
                    into.Add(a with { DueAt = due, AfterTimeZero = afterZero, Sequence = sequence++ });
                    break;
            }
        }
    }
}
