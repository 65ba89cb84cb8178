using LiveScope.Acquisition.Planning;

namespace LiveScope.Acquisition.Engine;

/// <summary>
/// How a run's plan times map onto the microscope clock: plan time 0 is the run start, and events after the
/// stimulation also move by the time-zero shift (an operator who adds insulin late moves everything after it).
/// The engine sets it as the run goes; the adaptive controller reads it to schedule new events "now".
/// </summary>
public sealed class RunTimeline
{
    private long _startTicks = -1, _shiftTicks;
    private int _stimulated;

    // Volatile, not Interlocked, reads: 64-bit reads are atomic in the 64-bit processes LiveScope runs in, and an
    // interval change reads these for every event of the plan (Interlocked.Read is a locked instruction each time).
    public TimeSpan Start => TimeSpan.FromTicks(Math.Max(0, Volatile.Read(ref _startTicks)));
    /// <summary>Actual minus planned time zero (never negative).</summary>
    public TimeSpan TimeZeroShift => TimeSpan.FromTicks(Volatile.Read(ref _shiftTicks));
    /// <summary>True once the stimulation (time zero) has happened.</summary>
    public bool Stimulated => Volatile.Read(ref _stimulated) != 0;

    internal void MarkStart(TimeSpan clockNow) => Interlocked.Exchange(ref _startTicks, clockNow.Ticks);

    internal void MarkTimeZero(TimeSpan shift)
    {
        Interlocked.Exchange(ref _shiftTicks, shift.Ticks);
        Volatile.Write(ref _stimulated, 1);
    }

    /// <summary>When <paramref name="e"/> is due on the microscope clock.</summary>
    public TimeSpan DueOf(PlannedEvent e) => Start + e.DueAt + (e.AfterTimeZero ? TimeZeroShift : TimeSpan.Zero);

    /// <summary>
    /// The plan time and time-zero flag an event needs to be due at <paramref name="clockTime"/>: after the
    /// stimulation, new events move with time zero like the planned ones around them.
    /// </summary>
    public (TimeSpan DueAt, bool AfterTimeZero) DueAtClock(TimeSpan clockTime) => Stimulated
        ? (clockTime - Start - TimeZeroShift, true)
        : (clockTime - Start, false);
}
