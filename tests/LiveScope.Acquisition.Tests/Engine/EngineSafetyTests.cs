using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Core.Devices;

namespace LiveScope.Acquisition.Tests.Engine;

/// <summary>Every way a run can end leaves the laser off, the shutter closed and the pump stopped.</summary>
public class EngineSafetyTests
{
    /// <summary>A short protocol built in code: 2 positions, 6 timepoints, insulin by the pump, a FRAP step at +20 s.</summary>
    private static Protocol Small(bool skipFailing = true) => new()
    {
        Name = "small",
        SourceFile = "small.yaml",
        Positions = [new("a", 0, 0, 50), new("b", 100, 0, 50)],
        Channels = [new("GFP", 20, 0.3)],
        Phases =
        [
            new ImagingPhaseSpec("baseline", 10, 30),
            new StimulationPhaseSpec("insulin", "insulin", 100, "nM", StimulationBy.LiquidHandler),
            new ImagingPhaseSpec("after", 10, 30),
        ],
        Frap =
        [
            new FrapSpec("bleach", 20, "a", "GFP", new FrapRoiTarget(new BleachCircle(new(100, 100), 3)), 2, 1, 5, 0.5, 0.8),
        ],
        SkipFailingPositions = skipFailing,
    };

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(9)]  // just after the stimulation
    [InlineData(20)] // around the bleach
    public async Task Cancelling_at_any_point_leaves_every_device_safe(int cancelAfterEvents)
    {
        await using var scope = await EngineRig.OpenAsync();
        var plan = EngineRig.Plan(scope, Small());
        using var cts = new CancellationTokenSource();
        var progress = new CancelAfter(cancelAfterEvents, cts);
        var store = new RecordingStore();

        var result = await EngineRig.Engine(scope).RunAsync(plan, new EventQueue(plan.Events), store, [], progress, cts.Token);

        result.Status.Should().Be(RunStatus.Cancelled);
        result.SafetyFailures.Should().BeEmpty();
        var safety = EngineRig.Safety(scope);
        safety.IsSafe.Should().BeTrue($"laser {safety.LaserOn}, shutter {safety.ShutterOpen}, pump {safety.Pumping}");
        safety.MakeSafeCalls.Should().BeGreaterThan(0);
        store.Frames.Should().HaveCount((int)result.FramesAcquired, "frames acquired before the cancel are kept");
    }

    [Fact]
    public async Task A_flaky_camera_is_retried_and_a_failing_position_is_skipped_not_the_run()
    {
        await using var scope = await EngineRig.OpenAsync(
            new("backends.simulated.faults.enabled", "true"),
            new("backends.simulated.faults.camera_timeout_probability", "0.5"),
            new("backends.simulated.faults.stage_error_probability", "0"));
        var plan = EngineRig.Plan(scope, Small() with { Frap = [] });
        var log = new ListEventLog();
        var options = new EngineOptions { Resilience = new ResilienceOptions { MaxRetries = 1, FirstRetryDelay = TimeSpan.FromMilliseconds(1), BreakMinimumThroughput = 1000 } };

        var result = await EngineRig.Engine(scope, log, options: options)
            .RunAsync(plan, new EventQueue(plan.Events), new RecordingStore(), [], null, CancellationToken.None);

        result.Status.Should().Be(RunStatus.Completed);
        log.Lines.Should().Contain(l => l.Type == "retry");
        result.PositionsSkipped.Should().BeGreaterThan(0, "with half the snaps failing, some fail twice in a row");
        log.Lines.Count(l => l.Type == "skip").Should().Be(result.PositionsSkipped);
        result.FramesAcquired.Should().BeLessThan(plan.Totals().Frames).And.BeGreaterThan(0);
        result.Done.Frames.Should().Be((int)result.FramesAcquired, "skipped frames are not counted as done");
        EngineRig.Safety(scope).IsSafe.Should().BeTrue();
    }

    [Fact]
    public async Task When_skipping_is_not_allowed_a_device_fault_ends_the_run_safely()
    {
        await using var scope = await EngineRig.OpenAsync(
            new("backends.simulated.faults.enabled", "true"),
            new("backends.simulated.faults.camera_timeout_probability", "1"));
        var plan = EngineRig.Plan(scope, Small(skipFailing: false));
        var options = new EngineOptions { Resilience = new ResilienceOptions { MaxRetries = 1, FirstRetryDelay = TimeSpan.FromMilliseconds(1) } };

        var result = await EngineRig.Engine(scope, options: options)
            .RunAsync(plan, new EventQueue(plan.Events), new RecordingStore(), [], null, CancellationToken.None);

        result.Status.Should().Be(RunStatus.Failed);
        result.Error.Should().BeAssignableTo<DeviceException>();
        EngineRig.Safety(scope).IsSafe.Should().BeTrue();
    }

    [Fact]
    public async Task A_storage_failure_stops_the_run_keeps_what_was_written_and_leaves_the_rig_safe()
    {
        await using var scope = await EngineRig.OpenAsync();
        var plan = EngineRig.Plan(scope, Small());
        var store = new RecordingStore(failOnFrame: n => n == 5 ? new IOException("disk full") : null);

        var result = await EngineRig.Engine(scope).RunAsync(plan, new EventQueue(plan.Events), store, [], null, CancellationToken.None);

        result.Status.Should().Be(RunStatus.Failed);
        // Whether the engine sees the failure before its last event or after depends on the store's thread.
        result.Error!.Message.Should().StartWith("storage failed (disk full)");
        store.Frames.Should().HaveCount(5);
        result.FramesAcquired.Should().Be(5);
        EngineRig.Safety(scope).IsSafe.Should().BeTrue();
    }

    [Fact]
    public async Task Frames_storage_cannot_take_in_time_are_dropped_and_counted()
    {
        await using var scope = await EngineRig.OpenAsync();
        var plan = EngineRig.Plan(scope, Small() with { Frap = [] });
        var slow = new RecordingStore(delay: TimeSpan.FromMilliseconds(300));
        var options = new EngineOptions { PipelineCapacity = 1, MaxPipelineWait = TimeSpan.FromMilliseconds(5) };
        var log = new ListEventLog();

        var result = await EngineRig.Engine(scope, log, options: options)
            .RunAsync(plan, new EventQueue(plan.Events), slow, [], null, CancellationToken.None);

        result.Status.Should().Be(RunStatus.Completed);
        result.FramesDropped.Should().BeGreaterThan(0);
        (result.FramesAcquired + result.FramesDropped).Should().Be(plan.Totals().Frames, "every frame is either kept or counted as dropped");
        log.Lines.Count(l => l.Type == "frame.dropped").Should().Be((int)result.FramesDropped);
    }

    [Fact]
    public async Task The_plan_can_change_while_the_run_is_going()
    {
        await using var scope = await EngineRig.OpenAsync();
        var plan = EngineRig.Plan(scope, Small() with { Frap = [] });
        var queue = new EventQueue(plan.Events);
        var extra = (FrameEvent)plan.Events.OfType<FrameEvent>().First() with { DueAt = TimeSpan.FromSeconds(15), TimeIndex = 99, Phase = "added" };
        var store = new RecordingStore();
        var changer = new OnEvent(3, () =>
        {
            queue.Add(extra);
            queue.RemoveWhere(e => e is FrameEvent f && f.Phase == "after" && f.PositionIndex == 1);
        });

        var result = await EngineRig.Engine(scope).RunAsync(plan, queue, store, [], changer, CancellationToken.None);

        result.Status.Should().Be(RunStatus.Completed);
        store.Frames.Should().Contain(f => f.Planned.Phase == "added");
        store.Frames.Should().NotContain(f => f.Planned.Phase == "after" && f.Planned.PositionIndex == 1);
    }

    [Fact]
    public async Task An_event_log_that_fails_cannot_stop_the_run_from_making_the_rig_safe()
    {
        await using var scope = await EngineRig.OpenAsync();
        var plan = EngineRig.Plan(scope, Small());
        var store = new RecordingStore(failOnFrame: n => n == 3 ? new IOException("disk full") : null);

        var result = await EngineRig.Engine(scope, new FullDiskLog())
            .RunAsync(plan, new EventQueue(plan.Events), store, [], null, CancellationToken.None);

        result.Status.Should().Be(RunStatus.Failed);
        result.SafetyFailures.Should().BeEmpty();
        EngineRig.Safety(scope).IsSafe.Should().BeTrue();
        EngineRig.Safety(scope).MakeSafeCalls.Should().BeGreaterThan(0);
    }

    /// <summary>Events added while the run goes on (as adaptive rules add them) raise the total; done never passes it.</summary>
    [Fact]
    public async Task Progress_counts_events_added_during_the_run()
    {
        await using var scope = await EngineRig.OpenAsync();
        var plan = EngineRig.Plan(scope, Small());
        var queue = new EventQueue(plan.Events);
        int planned = queue.Count;
        var extra = plan.Events.OfType<FrameEvent>().Take(3).ToArray();
        var reports = new List<RunProgress>();
        var progress = new Recording(reports, after: 5, () =>
        {
            foreach (var e in extra) queue.Add(e with { DueAt = e.DueAt + TimeSpan.FromSeconds(1) });
        });

        var result = await EngineRig.Engine(scope).RunAsync(plan, queue, new RecordingStore(), [], progress, CancellationToken.None);

        result.Status.Should().Be(RunStatus.Completed);
        reports.Should().OnlyContain(r => r.EventsDone <= r.EventsTotal);
        reports[0].EventsTotal.Should().Be(planned);
        reports[^1].EventsTotal.Should().Be(planned + extra.Length);
        reports[^1].EventsDone.Should().Be(reports[^1].EventsTotal);
    }

    private sealed class Recording(List<RunProgress> reports, int after, Action action) : IProgress<RunProgress>
    {
        public void Report(RunProgress value)
        {
            reports.Add(value);
            if (value.EventsDone == after) action();
        }
    }

    private sealed class FullDiskLog : IRunEventLog
    {
        public void Write(string type, TimeSpan at, IReadOnlyDictionary<string, object?> fields) => throw new IOException("disk full");
    }

    private sealed class CancelAfter(int events, CancellationTokenSource cts) : IProgress<RunProgress>
    {
        public void Report(RunProgress value)
        {
            if (value.EventsDone >= events) cts.Cancel();
        }
    }

    private sealed class OnEvent(int events, Action action) : IProgress<RunProgress>
    {
        private bool _done;

        public void Report(RunProgress value)
        {
            if (_done || value.EventsDone < events) return;
            _done = true;
            action();
        }
    }
}
