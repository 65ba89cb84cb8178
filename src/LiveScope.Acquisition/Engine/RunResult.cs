using LiveScope.Acquisition.Planning;

namespace LiveScope.Acquisition.Engine;

public enum RunStatus { Completed, Cancelled, Failed }

/// <summary>Lateness of timed events against the plan, on the microscope clock.</summary>
public sealed record TimingSummary(int Events, TimeSpan P50, TimeSpan P99, TimeSpan Max, TimeSpan Jitter);

public sealed record RunResult(
    RunStatus Status,
    PlanTotals Done,
    long FramesAcquired,
    long FramesDropped,
    int PositionsSkipped,
    int BleachesSkipped,
    TimingSummary Timing,
    IReadOnlyList<Exception> SafetyFailures,
    Exception? Error)
{
    /// <summary>Lateness of each timed event in run order, ms (the samples behind <see cref="Timing"/>).</summary>
    public IReadOnlyList<double> LatenessMs { get; init; } = [];
    /// <summary>Frames stored but skipped by live analysis because it was behind (0 in lockstep).</summary>
    public long FramesNotAnalysed { get; init; }
}

/// <summary>
/// What a progress display shows; reported after every event. <see cref="EventsTotal"/> is the events done plus those
/// still queued, so it follows the plan as adaptive rules add frames (faster imaging, FRAP series) or drop them: a total
/// fixed at the start let the bar pass 100 %.
/// </summary>
public sealed record RunProgress(
    string Phase,
    int TimeIndex,
    string Position,
    long FramesAcquired,
    long FramesDropped,
    int EventsDone,
    int EventsTotal,
    TimeSpan Elapsed,
    TimeSpan PlannedDuration);
