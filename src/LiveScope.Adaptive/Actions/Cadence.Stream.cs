using System.Runtime.CompilerServices;
using LiveScope.Acquisition.Planning;

namespace LiveScope.Adaptive.Actions;

/// <summary>The stream of a position's timepoints: what the cadence queues next, and how a change restarts it.</summary>
public sealed partial class Cadence
{
    /// <summary>One timepoint of a position as planned: its frames (and autofocus), all due together, and their T.</summary>
    private sealed record Timepoint(PlannedEvent First, PlannedEvent[] Events, int TimeIndex);

    /// <summary>Where a position's stream stands: a value, so it can be copied to count what is left without queueing it.</summary>
    private struct Cursor
    {
        public int Baseline;       // index of the next protocol timepoint to consider
        public TimeSpan FastAt;    // the next fast timepoint (clock), while a window is open
        public TimeSpan LastFast;  // the last fast timepoint queued (clock)
        public int FastQueued;     // fast timepoints queued since the last change
        public int TimeIndex;      // the T the next queued timepoint gets
        public long Sequence;      // the number the next queued event gets, from the block set aside at the last change; -1: the plan's own
    }

    private sealed class PositionCadence
    {
        public required List<Timepoint> Baseline { get; init; }
        public required int FramesPerTimepoint { get; init; }
        public required int EventsPerTimepoint { get; init; }  // the most in any timepoint (autofocus included)
        // The window, changed only by decisions.
        public double? FastIntervalS;
        public TimeSpan FastSince, FastUntil, MinFramesUntil;
        public double FastUsedS;
        public bool Finished;
        // How the stream goes on after the last change.
        public required Timepoint Template;   // the channels a fast timepoint takes
        public TimeSpan ResumeAfter = TimeSpan.MinValue; // the protocol's timepoints resume after this (clock), not within Gap of the last fast one
        public TimeSpan Gap => TimeSpan.FromSeconds(FastIntervalS ?? 0);
        public TimeSpan? StartedDue;          // a timepoint the engine had started at the change: the rest of it is queued as it was
        public Cursor Next;
        // What is queued.
        public int Ahead;                     // timepoints queued that the engine has not started
        public TimeSpan? LastStartedDue;
    }

    /// <summary>Every position's first timepoints: the plan's own events, in the plan's order (its sequence numbers).</summary>
    private List<PlannedEvent> QueueFirstTimepoints()
    {
        var added = new List<PlannedEvent>();
        foreach (var p in _positions.Values)
            while (p.Ahead < Lookahead && QueueNext(p, ref p.Next, added)) p.Ahead++;
        return added;
    }

    /// <summary>
    /// After a change of the window: what replaces <paramref name="removed"/> (the position's queued future events) —
    /// the rest of a timepoint the engine has started, then the first timepoints of the new stream. Touches only the
    /// few queued events, so it is quick and allocates little; compiled fully optimised, as it runs too rarely to be
    /// tiered up and its time is the decision's latency. The whole new stream is numbered now, from a block of sequence
    /// numbers set aside for it, so among same-time events (another position's, a FRAP step's) it keeps the place it
    /// would have had if all of it had been queued at once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private List<PlannedEvent> Rewrite(PositionCadence p, IReadOnlyList<PlannedEvent> removed, TimeSpan now, List<PlannedEvent> added, out int fastFrames)
    {
        // A timepoint the engine has already started (some of its channels taken) stays whole: its other frames go
        // back as they were, so no T index is handed out twice (the file would refuse the second plane). Only the
        // earliest remaining timepoint can be started: the engine takes events in due order, and a timepoint's frames
        // share one due time.
        var earliest = TimeSpan.MaxValue;
        int atEarliest = 0;
        for (int i = 0; i < removed.Count; i++)
        {
            if (removed[i] is not FrameEvent f || f.DueAt > earliest) continue;
            atEarliest = f.DueAt == earliest ? atEarliest + 1 : 1;
            earliest = f.DueAt;
        }
        bool startedOne = atEarliest > 0 && atEarliest < p.FramesPerTimepoint;
        var started = new List<PlannedEvent>(p.FramesPerTimepoint);
        int firstUnstarted = p.Next.TimeIndex;
        for (int i = 0; i < removed.Count; i++)
        {
            if (removed[i] is not FrameEvent f) continue;
            if (startedOne && f.DueAt == earliest) started.Add(f);
            else firstUnstarted = Math.Min(firstUnstarted, f.TimeIndex);
        }
        // The heap hands removed events back in no particular order: a started timepoint keeps its channels' order.
        started.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        p.StartedDue = startedOne ? earliest : null;
        p.Ahead = Math.Max(0, p.Ahead - UnstartedTimepoints(removed, p.StartedDue));

        var timeline = _queue.Timeline;
        fastFrames = 0;
        var fastAt = TimeSpan.Zero;
        if (p.FastIntervalS is { } interval && now < p.FastUntil)
        {
            // The fast grid keeps the phase it started with; the minimum number of fast frames is always taken.
            var step = TimeSpan.FromSeconds(interval);
            var lastPlanned = timeline.DueOf(p.Baseline[^1].First); // a fast window never runs past the protocol's last timepoint
            fastAt = TimeSpan.FromTicks(p.FastSince.Ticks + step.Ticks * Math.Max(1, (now - p.FastSince).Ticks / step.Ticks + 1));
            // The last fast time is the latest one in the window (InWindow) and not after the protocol's end.
            var last = TimeSpan.FromTicks(Math.Min(lastPlanned.Ticks, Math.Max(p.FastUntil.Ticks - 1, p.MinFramesUntil.Ticks)));
            if (last >= fastAt) fastFrames = (int)((last - fastAt).Ticks / step.Ticks) + 1;
        }
        if (fastFrames == 0) p.FastIntervalS = null;
        p.ResumeAfter = p.FastIntervalS is null ? now : p.FastUntil;
        int firstAfterNow = FirstDueAfter(p, now);
        p.Template = firstAfterNow < p.Baseline.Count ? p.Baseline[firstAfterNow] : p.Baseline[^1];
        int firstBaseline = FirstDueAfter(p, p.ResumeAfter);
        long block = _queue.Reserve(started.Count + (long)(fastFrames + p.Baseline.Count - firstBaseline) * p.EventsPerTimepoint);
        for (int i = 0; i < started.Count; i++) added.Add(started[i] with { Sequence = block + i });
        p.Next = new Cursor { Baseline = firstBaseline, FastAt = fastAt, TimeIndex = firstUnstarted, Sequence = block + started.Count };
        while (p.Ahead < Lookahead && QueueNext(p, ref p.Next, added)) p.Ahead++;
        return added;
    }

    /// <summary>
    /// Before a change: queues, as they would have been, the timepoints the stream has due by <paramref name="now"/>
    /// but not yet queued. An engine running more than <see cref="Lookahead"/> timepoints late has not asked for them
    /// yet, and they were planned before the change, so they are still taken (late), not dropped.
    /// </summary>
    private List<PlannedEvent> CatchUp(PositionCadence p, TimeSpan now)
    {
        var added = new List<PlannedEvent>();
        while (true)
        {
            var probe = p.Next;
            if (!QueueNext(p, ref probe, null, out _, out var at) || at > now) return added;
            QueueNext(p, ref p.Next, added);
            p.Ahead++;
        }
    }

    /// <summary>How many timepoints the removed events hold, besides one the engine has started.</summary>
    private static int UnstartedTimepoints(IReadOnlyList<PlannedEvent> removed, TimeSpan? started)
    {
        int count = 0;
        for (int i = 0; i < removed.Count; i++)
        {
            var due = removed[i].DueAt;
            if (due == started) continue;
            bool seen = false;
            for (int j = 0; j < i && !seen; j++) seen = removed[j].DueAt == due;
            if (!seen) count++;
        }
        return count;
    }

    private static bool InWindow(PositionCadence p, TimeSpan at) => at < p.FastUntil || at <= p.MinFramesUntil;

    /// <summary>
    /// Queues the position's next timepoint into <paramref name="into"/> (or, when null, only moves the cursor past it);
    /// false when the position has none left. Until the first change the protocol's timepoints go in as the plan's own
    /// events, with the plan's numbers, so a run no rule changes runs exactly as planned.
    /// </summary>
    private bool QueueNext(PositionCadence p, ref Cursor c, List<PlannedEvent>? into) => QueueNext(p, ref c, into, out _, out _);

    /// <param name="events">How many events the timepoint has.</param>
    /// <param name="at">When it is due (clock).</param>
    private bool QueueNext(PositionCadence p, ref Cursor c, List<PlannedEvent>? into, out int events, out TimeSpan at)
    {
        events = 0;
        at = TimeSpan.Zero;
        if (p.Finished) return false;
        var timeline = _queue.Timeline;
        if (p.FastIntervalS is { } interval && InWindow(p, c.FastAt) && c.FastAt <= timeline.DueOf(p.Baseline[^1].First))
        {
            at = c.FastAt;
            var (due, afterZero) = timeline.DueAtClock(c.FastAt);
            events = Copy(p.Template, due, afterZero, c.TimeIndex++, includeAutofocus: false, into, ref c.Sequence);
            c.LastFast = c.FastAt;
            c.FastAt += TimeSpan.FromSeconds(interval);
            c.FastQueued++;
            return true;
        }
        while (c.Baseline < p.Baseline.Count)
        {
            var tp = p.Baseline[c.Baseline++];
            at = timeline.DueOf(tp.First);
            if (at <= p.ResumeAfter || (c.FastQueued > 0 && at < c.LastFast + p.Gap) || tp.First.DueAt == p.StartedDue) continue;
            if (c.Sequence < 0 && tp.TimeIndex == c.TimeIndex)
            {
                c.TimeIndex++;
                into?.AddRange(tp.Events);
                events = tp.Events.Length;
                return true;
            }
            if (c.Sequence < 0) c.Sequence = into is null ? 0 : _queue.Reserve((long)(p.Baseline.Count - c.Baseline + 1) * p.EventsPerTimepoint);
            events = Copy(tp, tp.First.DueAt, tp.First.AfterTimeZero, c.TimeIndex++, includeAutofocus: true, into, ref c.Sequence);
            return true;
        }
        return false;
    }

    /// <summary>How many events the position's stream will still queue (a copy of its cursor is run to the end).</summary>
    private int PendingOf(PositionCadence p)
    {
        var c = p.Next;
        int pending = 0;
        while (QueueNext(p, ref c, null, out int events, out _)) pending += events;
        return pending;
    }

    /// <summary>
    /// Index of the first protocol timepoint due after <paramref name="clock"/>. Binary search: due times only grow along
    /// the plan (events after time zero move by the same, never negative, shift).
    /// </summary>
    private int FirstDueAfter(PositionCadence p, TimeSpan clock)
    {
        var timeline = _queue.Timeline;
        int lo = 0, hi = p.Baseline.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (timeline.DueOf(p.Baseline[mid].First) > clock) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    private static int Copy(Timepoint template, TimeSpan due, bool afterZero, int timeIndex, bool includeAutofocus, List<PlannedEvent>? into,
        ref long sequence)
    {
        int count = 0;
        foreach (var e in template.Events) // an array: no enumerator per timepoint
        {
            switch (e)
            {
                case FrameEvent f:
                    into?.Add(f with { DueAt = due, AfterTimeZero = afterZero, TimeIndex = timeIndex, Sequence = sequence });
                    break;
                case AutofocusEvent a when includeAutofocus:
                    into?.Add(a with { DueAt = due, AfterTimeZero = afterZero, Sequence = sequence });
                    break;
                default:
                    continue;
            }
            sequence++;
            count++;
        }
        return count;
    }
}
