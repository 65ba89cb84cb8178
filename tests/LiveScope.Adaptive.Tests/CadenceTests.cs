using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Adaptive.Actions;

namespace LiveScope.Adaptive.Tests;

public class CadenceTests
{
    private static AcquisitionPlan TwoChannelPlan() => Planner.Plan(new Protocol
    {
        Name = "c", SourceFile = "c.yaml", Positions = [new("a", 0, 0, 50)],
        Channels = [new("GFP", 20, 0.3), new("mCherry", 20, 0.3)],
        Phases = [new ImagingPhaseSpec("watch", 30, 300)],
    }, 64, 64);

    [Fact]
    public void A_timepoint_the_engine_has_started_stays_whole_and_no_time_index_is_given_twice()
    {
        var plan = TwoChannelPlan();
        var queue = new EventQueue(plan.Events);
        var cadence = new Cadence(plan, queue);
        // The engine has taken T0 and the first channel of T1 (due at 30 s); the rule decides just before 30 s.
        for (int i = 0; i < 3; i++)
        {
            queue.TryPeek(out var head).Should().BeTrue();
            queue.TryTake(head).Should().BeTrue();
        }

        cadence.GoFast(0, intervalS: 10, minFrames: 2, maxS: 60, now: TimeSpan.FromSeconds(29.9)).Should().BeGreaterThan(0);

        var frames = queue.Snapshot().OfType<FrameEvent>().ToList();
        frames.Should().Contain(f => f.TimeIndex == 1 && f.ChannelIndex == 1 && f.DueAt == TimeSpan.FromSeconds(30),
            "the started timepoint's second channel is still taken as planned");
        frames.Where(f => f.TimeIndex == 1).Should().ContainSingle();
        frames.GroupBy(f => (f.TimeIndex, f.ChannelIndex)).Should().OnlyContain(g => g.Count() == 1);
        frames.Where(f => f.TimeIndex > 1).GroupBy(f => f.TimeIndex).Should().OnlyContain(g => g.Count() == 2, "every new timepoint has both channels");
        frames.Select(f => f.DueAt.TotalSeconds).Where(s => s > 30 && s < 90).Distinct().Should().Equal(39.9, 49.9, 59.9, 69.9, 79.9);
        queue.Snapshot().Select(e => e.Sequence).Should().OnlyHaveUniqueItems("the rewrite numbers its events itself, the queue keeps them");
        frames.Where(f => f.TimeIndex > 1).Select(f => f.ChannelIndex).Should().Equal(
            Enumerable.Range(0, frames.Count(f => f.TimeIndex > 1) / 2).SelectMany(_ => new[] { 0, 1 }), "each timepoint takes its channels in order");
    }

    [Fact]
    public void Going_back_to_normal_restores_the_protocols_timepoints_after_the_minimum_fast_frames()
    {
        var plan = TwoChannelPlan();
        var queue = new EventQueue(plan.Events);
        var cadence = new Cadence(plan, queue);
        cadence.GoFast(0, 10, minFrames: 3, maxS: 200, now: TimeSpan.FromSeconds(1));
        cadence.GoNormal(0, TimeSpan.FromSeconds(5)).Should().BeTrue();

        var due = queue.Snapshot().OfType<FrameEvent>().Select(f => f.DueAt.TotalSeconds).Distinct().ToList();
        due.Should().Equal([0, 11, 21, 31, 60, 90, 120, 150, 180, 210, 240, 270], "three fast frames (the minimum), then the plan's own 30 s grid");
        cadence.IsFast(0, TimeSpan.FromSeconds(40)).Should().BeFalse();
        cadence.FastUsedS(0).Should().BeApproximately(30, 1e-9, "only the part of the window used counts against max_fast_imaging");
    }
}
