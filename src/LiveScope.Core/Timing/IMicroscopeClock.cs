using System.Diagnostics;

namespace LiveScope.Core.Timing;

/// <summary>
/// The time a run is planned and stamped against. On hardware it is monotonic wall time; on the simulator it is
/// simulated time, which may pass faster than wall time. Nothing that schedules may read DateTime.Now.
/// </summary>
public interface IMicroscopeClock
{
    /// <summary>Time since the clock started.</summary>
    TimeSpan Now { get; }
    /// <summary>Wall-clock instant the clock started, for file metadata.</summary>
    DateTimeOffset StartedAt { get; }
    /// <summary>Returns once <see cref="Now"/> ≥ <paramref name="time"/>; immediately if already past.</summary>
    ValueTask WaitUntilAsync(TimeSpan time, CancellationToken ct);
}

public static class MicroscopeClockExtensions
{
    public static ValueTask WaitAsync(this IMicroscopeClock clock, TimeSpan duration, CancellationToken ct)
        => clock.WaitUntilAsync(clock.Now + duration, ct);
}

/// <summary>Monotonic wall time (Stopwatch), for real microscopes.</summary>
public sealed class SystemClock : IMicroscopeClock
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public TimeSpan Now => Stopwatch.GetElapsedTime(_start);
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public async ValueTask WaitUntilAsync(TimeSpan time, CancellationToken ct)
    {
        // Sleep most of the way, then spin the last stretch: Task.Delay alone is late by up to a timer tick.
        var remaining = time - Now;
        if (remaining > TimeSpan.FromMilliseconds(20))
            await Task.Delay(remaining - TimeSpan.FromMilliseconds(15), ct).ConfigureAwait(false);
        while (Now < time)
        {
            ct.ThrowIfCancellationRequested();
            if (time - Now > TimeSpan.FromMilliseconds(2)) await Task.Yield();
            else Thread.SpinWait(50);
        }
    }
}
