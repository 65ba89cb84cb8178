using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Core.Hardware;
using Microsoft.Extensions.Logging;

namespace LiveScope.Acquisition.Engine;

public sealed record EngineOptions
{
    public int PipelineCapacity { get; init; } = 32;
    /// <summary>How long acquisition waits for a full pipeline before a frame is dropped (and counted).</summary>
    public TimeSpan MaxPipelineWait { get; init; } = TimeSpan.FromSeconds(2);
    public ResilienceOptions Resilience { get; init; } = new();
    /// <summary>
    /// Before each event, wait until every acquired frame is stored and analysed. For a simulated clock that runs as
    /// fast as possible: otherwise the clock races ahead of the analysis, adaptive rules act on the past, and a run
    /// depends on thread timing (it does not repeat itself). Never on real time, where analysis must not hold up the camera.
    /// </summary>
    public bool LockstepSubscribers { get; init; }
    /// <summary>
    /// Frames that may wait for analysis; when analysis is behind, the oldest waiting frame is not analysed (it is
    /// still stored). In lockstep, acquisition waits for analysis instead.
    /// </summary>
    public int AnalysisQueueCapacity { get; init; } = 8;
}

/// <summary>
/// Runs a plan on a microscope: waits for each event's due time on the microscope clock (no cumulative drift: every
/// due time is absolute from the run start, shifted only by the actual moment of stimulation), executes it through
/// per-device resilience pipelines, and hands frames to storage and subscribers. Whatever happens — completion,
/// cancellation, a device or storage failure — the microscope is made safe before <see cref="RunAsync"/> returns.
/// </summary>
public sealed partial class AcquisitionEngine
{
    private readonly Microscope _scope;
    private readonly EngineOptions _options;
    private readonly ILogger _log;
    private readonly IRunEventLog _events;
    private readonly IOperatorPrompt _operator;
    private readonly DeviceResilience _resilience;

    public AcquisitionEngine(Microscope microscope, EngineOptions options, ILogger log, IRunEventLog events,
        IOperatorPrompt operatorPrompt)
    {
        _scope = microscope;
        _options = options;
        _log = log;
        _events = events;
        _operator = operatorPrompt;
        _resilience = new DeviceResilience(options.Resilience, log, (kind, e, attempt) =>
            Log("retry", new() { ["device_kind"] = kind.ToString(), ["attempt"] = attempt, ["error"] = e.Message }));
    }

    /// <summary>Chooses bleach targets for <c>target: analysis</c> FRAP steps; without one such steps are skipped.</summary>
    public IBleachTargetChooser? TargetChooser { get; set; }

    /// <summary>
    /// Writes to the run's event log and never throws: a full disk must not stop the run from making the rig safe.
    /// </summary>
    private void Log(string type, Dictionary<string, object?> fields)
    {
        try
        {
            _events.Write(type, _scope.Clock.Now, fields);
        }
        catch (Exception e)
        {
            _log.LogError(e, "Could not write {Type} to the event log", type);
        }
    }

    public async Task<RunResult> RunAsync(AcquisitionPlan plan, EventQueue queue, IFrameStore store,
        IReadOnlyList<IFrameSubscriber> subscribers, IProgress<RunProgress>? progress, CancellationToken ct)
    {
        queue.Timeline.MarkStart(_scope.Clock.Now);
        var run = new RunState(plan, queue, queue.Timeline.Start);
        var pipeline = new FramePipeline(store, subscribers, _options.PipelineCapacity, _options.MaxPipelineWait, _log,
            _options.AnalysisQueueCapacity, skipAnalysisWhenBehind: !_options.LockstepSubscribers);
        var status = RunStatus.Completed;
        Exception? error = null;
        Log("run.start", new() { ["protocol"] = plan.Protocol.Name, ["events"] = queue.Count, ["microscope"] = _scope.Name });
        try
        {
            await ExecuteAllAsync(run, pipeline, progress, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            status = RunStatus.Cancelled;
            _log.LogWarning("Run cancelled; making the microscope safe");
        }
        catch (Exception e)
        {
            status = RunStatus.Failed;
            error = e;
            _log.LogError(e, "Run failed; making the microscope safe");
            Log("fault", new() { ["error"] = e.Message, ["type"] = e.GetType().Name, ["fatal"] = true });
        }
        // Safety first, then the data: lasers and pumps must not wait for a disk.
        var safety = await _scope.MakeSafeAsync().ConfigureAwait(false);
        Log("safety", new() { ["failures"] = safety.Count });
        await pipeline.CompleteAsync().ConfigureAwait(false);
        if (pipeline.Fault is { } storageFault && error is null)
        {
            // The store failed after the last event was acquired (its thread runs behind): the same failure, said the same way.
            status = RunStatus.Failed;
            error = new IOException($"storage failed ({storageFault.Message})", storageFault);
        }
        var timing = run.Timing.Summarise();
        var result = new RunResult(status, PlanAccounting.Totals(plan, run.Done), pipeline.Written, pipeline.Dropped,
            run.PositionsSkipped, run.BleachesSkipped, timing, safety, error)
        {
            LatenessMs = run.Timing.LatenessMs.ToList(),
            FramesNotAnalysed = pipeline.NotAnalysed,
        };
        Log("run.end", new()
        {
            ["status"] = status.ToString(), ["frames"] = result.FramesAcquired, ["dropped"] = result.FramesDropped,
            ["not_analysed"] = result.FramesNotAnalysed,
            ["positions_skipped"] = result.PositionsSkipped, ["lateness_p50_ms"] = timing.P50.TotalMilliseconds,
            ["lateness_p99_ms"] = timing.P99.TotalMilliseconds, ["lateness_max_ms"] = timing.Max.TotalMilliseconds,
        });
        return result;
    }

    /// <summary>Mutable bookkeeping of one run, kept in one place.</summary>
    private sealed class RunState(AcquisitionPlan plan, EventQueue queue, TimeSpan start)
    {
        public AcquisitionPlan Plan { get; } = plan;
        public EventQueue Queue { get; } = queue;
        public TimeSpan Start { get; } = start;
        /// <summary>Actual minus planned time zero: operator delays move everything after the stimulation.</summary>
        public TimeSpan TimeZeroShift => Queue.Timeline.TimeZeroShift;
        public TimingStats Timing { get; } = new();
        public List<PlannedEvent> Done { get; } = new();
        public int PositionsSkipped { get; set; }
        public int BleachesSkipped { get; set; }
        public TimeSpan? LastDue { get; set; }
        public StagePositionUm? StageAt { get; set; }
        public Dictionary<int, double> FocusUm { get; } = new();
        public string? ChannelSet { get; set; }
        public double? ExposureSet { get; set; }
        public double? PowerSet { get; set; }

        public TimeSpan DueOf(PlannedEvent e) => Queue.Timeline.DueOf(e);
    }

    private async Task ExecuteAllAsync(RunState run, FramePipeline pipeline, IProgress<RunProgress>? progress, CancellationToken ct)
    {
        var planned = run.Plan.Totals().Duration;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (pipeline.Fault is { } fault) throw new IOException($"storage failed ({fault.Message}); the run stops here", fault);
            var changed = run.Queue.Changed;
            if (!run.Queue.TryPeek(out var next)) break;
            var due = run.DueOf(next);
            if (_options.LockstepSubscribers)
            {
                // Before every event, not only before the clock moves: the next position's frame (due at the same
                // timepoint) would otherwise be taken while this one's rules run, and a rule reads the clock to place
                // what it queues — so a simulated run would depend on thread timing and not repeat itself.
                await pipeline.WhenIdleAsync(ct).ConfigureAwait(false);
                if (changed.IsCancellationRequested) continue; // the analysis changed the plan: look at the head again
            }
            if (_scope.Clock.Now < due)
            {
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(ct, changed);
                try
                {
                    await _scope.Clock.WaitUntilAsync(due, wake.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    continue; // the plan changed while waiting: look at the head again
                }
            }
            if (!run.Queue.TryTake(next)) continue; // the plan changed after the peek: look at the head again
            var e = next;
            // Lateness is measured for the first event of each due time; the rest run back to back by design.
            if (run.LastDue != e.DueAt)
            {
                var lateness = _scope.Clock.Now - run.DueOf(e);
                run.Timing.Add(lateness);
                Log("timing", new() { ["due_s"] = run.DueOf(e).TotalSeconds, ["lateness_ms"] = lateness.TotalMilliseconds, ["phase"] = e.Phase });
            }
            run.LastDue = e.DueAt;

            if (await ExecuteAsync(run, e, pipeline, ct).ConfigureAwait(false)) run.Done.Add(e);
            progress?.Report(new RunProgress(e.Phase, (e as FrameEvent)?.TimeIndex ?? -1, PositionName(e),
                pipeline.Written, pipeline.Dropped, run.Done.Count, run.Done.Count + run.Queue.Count, _scope.Clock.Now - run.Start, planned));
        }
    }

    private static string PositionName(PlannedEvent e) => e switch
    {
        FrameEvent f => f.Position.Name,
        AutofocusEvent a => a.Position.Name,
        BleachEvent b => b.Position.Name,
        _ => "",
    };

    /// <summary>Runs one event; false when it was skipped (a failing position, a bleach with no target).</summary>
    private async Task<bool> ExecuteAsync(RunState run, PlannedEvent e, FramePipeline pipeline, CancellationToken ct)
    {
        try
        {
            switch (e)
            {
                case FrameEvent f:
                    await AcquireAsync(run, f, pipeline, ct).ConfigureAwait(false);
                    return true;
                case AutofocusEvent a:
                    await AutofocusAsync(run, a, ct).ConfigureAwait(false);
                    return true;
                case StimulationEvent s:
                    await StimulateAsync(run, s, ct).ConfigureAwait(false);
                    return true;
                case BleachEvent b:
                    return await BleachAsync(run, b, ct).ConfigureAwait(false);
                default:
                    return false;
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && DeviceResilience.IsDeviceFault(ex)
                                   && run.Plan.Protocol.SkipFailingPositions && e is FrameEvent or AutofocusEvent)
        {
            SkipPosition(run, e, ex);
            return false;
        }
    }

    /// <summary>Drops the rest of this position's frames for this timepoint (or FRAP series) and says so.</summary>
    private void SkipPosition(RunState run, PlannedEvent failed, Exception why)
    {
        int position = failed is FrameEvent f ? f.PositionIndex : ((AutofocusEvent)failed).PositionIndex;
        var removed = run.Queue.RemoveWhere(x => x is FrameEvent o && o.PositionIndex == position && o.DueAt == failed.DueAt
                                                 && o.Series == (failed as FrameEvent)?.Series);
        run.PositionsSkipped++;
        run.StageAt = null; // the stage may be anywhere now
        _log.LogWarning(why, "Skipping position {Position} at {Due}: {Error}", position, failed.DueAt, why.Message);
        Log("skip", new()
        {
            ["position"] = PositionName(failed), ["due_s"] = failed.DueAt.TotalSeconds, ["frames_skipped"] = removed.Count + 1,
            ["error"] = why.Message,
        });
    }
}
