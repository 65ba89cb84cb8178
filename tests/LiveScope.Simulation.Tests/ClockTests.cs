using LiveScope.Core.Timing;
using LiveScope.Simulation.Timing;

namespace LiveScope.Simulation.Tests;

public class ClockTests
{
    [Fact]
    public async Task At_time_scale_zero_waits_jump_the_clock_and_it_never_runs_backwards()
    {
        var clock = new SimulatedClock(0);
        clock.Now.Should().Be(TimeSpan.Zero);
        await clock.WaitUntilAsync(TimeSpan.FromMinutes(35), default);
        clock.Now.Should().Be(TimeSpan.FromMinutes(35));
        await clock.WaitUntilAsync(TimeSpan.FromMinutes(1), default);
        clock.Now.Should().Be(TimeSpan.FromMinutes(35));
        await clock.AdvanceAsync(TimeSpan.FromMilliseconds(50), default);
        clock.Now.Should().Be(TimeSpan.FromMinutes(35) + TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task A_scaled_clock_ends_exactly_at_the_requested_time_and_honours_cancellation()
    {
        var clock = new SimulatedClock(10_000);
        await clock.WaitAsync(TimeSpan.FromSeconds(3), default);
        clock.Now.Should().Be(TimeSpan.FromSeconds(3));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await clock.Invoking(c => c.WaitAsync(TimeSpan.FromHours(1), cts.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        clock.Now.Should().Be(TimeSpan.FromSeconds(3));
    }
}
