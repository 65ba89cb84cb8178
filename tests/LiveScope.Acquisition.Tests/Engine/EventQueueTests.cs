using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;

namespace LiveScope.Acquisition.Tests.Engine;

public class EventQueueTests
{
    private static EventQueue Queue(int n) => new(Enumerable.Range(0, n).Select(i => (PlannedEvent)new StimulationEvent
    {
        DueAt = TimeSpan.FromSeconds(i), Phase = $"e{i}",
        Stimulation = new StimulationPhaseSpec("s", "insulin", 1, "nM", StimulationBy.Operator),
    }));

    [Fact]
    public async Task A_waiter_woken_by_a_reschedule_sees_every_event_already_back_in_the_queue()
    {
        var queue = Queue(5);
        var seen = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = queue.Changed.Register(() => seen.TrySetResult(queue.Count));
        queue.Reschedule(e => e.Phase is "e3" or "e4", e => e with { DueAt = TimeSpan.FromMilliseconds(500) });
        (await seen.Task.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(5, "the wake-up comes after the rescheduled events are back, never in between");
        queue.Snapshot().Select(e => e.Phase).Should().Equal("e0", "e3", "e4", "e1", "e2");
    }

    [Fact]
    public void The_token_reads_as_changed_at_once_but_the_waiters_wake_up_never_runs_on_the_changing_thread()
    {
        // The adaptive controller changes the queue on the analysis thread: if the engine's wake-up ran there, its
        // loop (up to the next snap) would run on it too, inside the decision's latency.
        var queue = Queue(3);
        var changed = queue.Changed;
        using var returned = new ManualResetEventSlim();
        bool sawReturned = false;
        using var woken = new ManualResetEventSlim();
        using var registration = changed.Register(() =>
        {
            sawReturned = returned.Wait(TimeSpan.FromSeconds(10)); // inline, this would wait for itself (and fail)
            woken.Set();
        });
        queue.RemoveWhere(e => e.Phase == "e1");
        changed.IsCancellationRequested.Should().BeTrue("an engine checking the token must see the change");
        returned.Set();
        woken.Wait(TimeSpan.FromSeconds(20)).Should().BeTrue();
        sawReturned.Should().BeTrue("the change returned before the waiter ran");
    }

    [Fact]
    public void Taking_the_head_fails_once_the_plan_changed_after_the_peek()
    {
        var queue = Queue(3);
        queue.TryPeek(out var head).Should().BeTrue();
        queue.RemoveWhere(e => ReferenceEquals(e, head));
        queue.TryTake(head).Should().BeFalse();
        queue.TryPeek(out var next).Should().BeTrue();
        queue.TryTake(next).Should().BeTrue();
        queue.Count.Should().Be(1);
    }

    /// <summary>Holds back events numbered from a reserved block and hands one over after each take.</summary>
    private sealed class OneAtATime(EventQueue queue, int count) : IQueueFeed
    {
        private readonly long _block = queue.Reserve(count);
        private int _next;

        public int Pending => count - _next;

        public void Taken(PlannedEvent taken, List<PlannedEvent> into)
        {
            if (_next == count) return;
            into.Add(new StimulationEvent
            {
                DueAt = TimeSpan.FromSeconds(10), Phase = $"fed{_next}", Sequence = _block + _next,
                Stimulation = new StimulationPhaseSpec("s", "insulin", 1, "nM", StimulationBy.Operator),
            });
            _next++;
        }
    }

    [Fact]
    public void A_feed_adds_its_events_as_the_engine_takes_them_and_they_keep_the_place_reserved_for_them()
    {
        var queue = Queue(1);   // e0 at 0 s
        queue.Attach(new OneAtATime(queue, 2));
        // Added after the reservation, due at the same time as the fed events: it sorts after them.
        queue.Add(new StimulationEvent
        {
            DueAt = TimeSpan.FromSeconds(10), Phase = "late", Stimulation = new StimulationPhaseSpec("s", "insulin", 1, "nM", StimulationBy.Operator),
        });
        queue.Count.Should().Be(4, "two queued and two the feed holds back");

        var taken = new List<string>();
        while (queue.TryPeek(out var head))
        {
            queue.TryTake(head).Should().BeTrue();
            taken.Add(head.Phase);
        }
        taken.Should().Equal("e0", "fed0", "fed1", "late");
        queue.Count.Should().Be(0);
    }
}

public class PlannerFrapTests
{
    [Fact]
    public void Recovery_starts_right_after_the_bleach_and_pre_bleach_frames_come_before_it()
    {
        var protocol = new Protocol
        {
            Name = "frap", SourceFile = "frap.yaml", Positions = [new("a", 0, 0, 50)], Channels = [new("GFP", 20, 0.3)],
            Phases = [new ImagingPhaseSpec("base", 10, 60)],
            Frap = [new FrapSpec("f", 30, "a", "GFP", new FrapRoiTarget(new Core.Devices.BleachPoint(new(5, 5))), 2, 1, 3, 0.5, 0.8)],
        };
        var steps = Planner.Plan(protocol, 64, 64).Events.Where(e => e.Phase == "f").ToList();
        steps.Select(e => (e.GetType().Name, e.DueAt.TotalSeconds)).Should().Equal(
            ("FrameEvent", 28.0), ("FrameEvent", 29.0), ("BleachEvent", 30.0),
            ("FrameEvent", 30.0), ("FrameEvent", 31.0), ("FrameEvent", 32.0));
    }
}
