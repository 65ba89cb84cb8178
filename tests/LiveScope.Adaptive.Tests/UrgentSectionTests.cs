using LiveScope.Core.Timing;

namespace LiveScope.Adaptive.Tests;

/// <summary>Decisions run in an urgent section (issue #6): the thread is raised while in it, and only while in it.</summary>
public class UrgentSectionTests
{
    [Fact]
    public void An_urgent_section_raises_the_threads_priority_and_restores_it()
    {
        var before = Scheduling();
        using (UrgentSection.Enter())
        {
            // Root (CI, this machine) may use the real-time class; elsewhere nice, or nothing — and it says which.
            var inside = Scheduling();
            switch (UrgentSection.Raising)
            {
                case UrgentSection.Method.RealTime: inside.Policy.Should().Be(1, "SCHED_FIFO"); inside.RtPriority.Should().Be(UrgentSection.RealTimePriority); break;
                case UrgentSection.Method.Nice: inside.Nice.Should().Be(Math.Min(before.Nice, UrgentSection.UrgentNice)); break;
                default: inside.Should().Be(before); break;
            }
            // A thread started from inside (the runtime starts pool workers from whichever thread asks) starts ordinary.
            (int Nice, int RtPriority, int Policy) child = default;
            var thread = new Thread(() => child = Scheduling());
            thread.Start();
            thread.Join();
            child.Policy.Should().Be(0, "SCHED_OTHER: real-time priority is not inherited");
            child.Nice.Should().BeGreaterThanOrEqualTo(0, "nor a raised nice value");
        }
        Scheduling().Should().Be(before);
    }

    /// <summary>The calling thread's nice value, real-time priority and policy, from /proc (fields 19, 40, 41 of its stat line).</summary>
    private static (int Nice, int RtPriority, int Policy) Scheduling()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');   // the first field after the command is field 3
        int Field(int n) => int.Parse(fields[n - 3], System.Globalization.CultureInfo.InvariantCulture);
        return (Field(19), Field(40), Field(41));
    }
}
