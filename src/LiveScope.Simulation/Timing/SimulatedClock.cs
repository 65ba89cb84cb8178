using LiveScope.Core.Timing;

namespace LiveScope.Simulation.Timing;

/// <summary>
/// Simulated time. It moves only when something happens: a device acts (an exposure, a stage move) or someone waits.
/// With time scale 0 every wait returns at once and the clock jumps; otherwise a wait of Δ sleeps Δ/scale of wall time.
/// Either way the clock ends exactly at the requested time, so results never depend on wall-clock timing.
/// </summary>
public sealed class SimulatedClock : IMicroscopeClock
{
    private readonly double _timeScale;
    private readonly TimeProvider _wall;
    private long _ticks;

    public SimulatedClock(double timeScale, TimeProvider? wall = null)
    {
        if (timeScale < 0 || double.IsNaN(timeScale)) throw new ArgumentOutOfRangeException(nameof(timeScale), "time scale must be ≥ 0");
        _timeScale = timeScale;
        _wall = wall ?? TimeProvider.System;
        StartedAt = _wall.GetUtcNow();
    }

    public double TimeScale => _timeScale;
    public TimeSpan Now => new(Interlocked.Read(ref _ticks));
    public DateTimeOffset StartedAt { get; }

    public async ValueTask WaitUntilAsync(TimeSpan time, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var remaining = time - Now;
        if (remaining <= TimeSpan.Zero) return;
        if (_timeScale > 0)
            await Task.Delay(remaining / _timeScale, _wall, ct).ConfigureAwait(false);
        MoveTo(time);
    }

    /// <summary>A device acting for <paramref name="duration"/> (exposure, travel, settle): the clock passes that time.</summary>
    public ValueTask AdvanceAsync(TimeSpan duration, CancellationToken ct) =>
        duration <= TimeSpan.Zero ? ValueTask.CompletedTask : WaitUntilAsync(Now + duration, ct);

    /// <summary>Never moves backwards: concurrent waiters each leave the clock at least at their own target.</summary>
    private void MoveTo(TimeSpan time)
    {
        long target = time.Ticks;
        long seen = Interlocked.Read(ref _ticks);
        while (seen < target)
        {
            long previous = Interlocked.CompareExchange(ref _ticks, target, seen);
            if (previous == seen) return;
            seen = previous;
        }
    }
}
