using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Adaptive.Actions;

namespace LiveScope.Adaptive.Tests;

public class CadenceTests
{
    private static AcquisitionPlan TwoChannelPlan(int seconds = 300) => Planner.Plan(new Protocol
    {
        Name = "c", SourceFile = "c.yaml", Positions = [new("a", 0, 0, 50)],
        Channels = [new("GFP", 20, 0.3), new("mCherry", 20, 0.3)],
        Phases = [new ImagingPhaseSpec("watch", 30, seconds)],
    }, 64, 64);

    [Fact]
    public void A_timepoint_the_engine_has_started_stays_whole_and_no_time_index_is_given_twice()
    {
        var plan = TwoChannelPlan();
        var queue = new EventQueue(plan.Events);
        var cadence = new Cadence(plan, queue);
        // The engine has taken T0 and the first channel of T1 (due at 30 s); the rule decides just before 30 s.
        EngineLike.TakeAll(queue, max: 3);

        cadence.GoFast(0, intervalS: 10, minFrames: 2, maxS: 60, now: TimeSpan.FromSeconds(29.9)).Should().BeGreaterThan(0);

        var rest = EngineLike.TakeAll(queue);
        var frames = rest.OfType<FrameEvent>().ToList();
        frames[0].Should().Match<FrameEvent>(f => f.TimeIndex == 1 && f.ChannelIndex == 1 && f.DueAt == TimeSpan.FromSeconds(30),
            "the started timepoint's second channel is still taken as planned");
        frames.Where(f => f.TimeIndex == 1).Should().ContainSingle();
        frames.GroupBy(f => (f.TimeIndex, f.ChannelIndex)).Should().OnlyContain(g => g.Count() == 1);
        frames.Where(f => f.TimeIndex > 1).GroupBy(f => f.TimeIndex).Should().OnlyContain(g => g.Count() == 2, "every new timepoint has both channels");
        frames.Select(f => f.DueAt.TotalSeconds).Where(s => s > 30 && s < 90).Distinct().Should().Equal(39.9, 49.9, 59.9, 69.9, 79.9);
        frames.Select(f => f.TimeIndex).Should().BeInAscendingOrder("T indices follow the order the frames are taken in");
        rest.Select(e => e.Sequence).Should().OnlyHaveUniqueItems("the rewrite numbers its events itself, the queue keeps them");
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

        var due = EngineLike.TakeAll(queue).OfType<FrameEvent>().Select(f => f.DueAt.TotalSeconds).Distinct().ToList();
        due.Should().Equal([0, 11, 21, 31, 60, 90, 120, 150, 180, 210, 240, 270], "three fast frames (the minimum), then the plan's own 30 s grid");
        cadence.IsFast(0, TimeSpan.FromSeconds(40)).Should().BeFalse();
        cadence.FastUsedS(0).Should().BeApproximately(30, 1e-9, "only the part of the window used counts against max_fast_imaging");
    }

    [Fact]
    public void A_run_no_rule_changes_runs_exactly_as_planned()
    {
        // Two positions taken channel-first (their frames interleave within a timepoint), a stimulation and a planned
        // FRAP step at the same times as regular frames: the order of same-time events must survive the cadence.
        var plan = Planner.Plan(new Protocol
        {
            Name = "p", SourceFile = "p.yaml", Positions = [new("a", 0, 0, 50), new("b", 60, 0, 50)], AxisOrder = AxisOrder.ChannelPositionZ,
            Channels = [new("GFP", 20, 0.3), new("mCherry", 20, 0.3)],
            Phases = [new ImagingPhaseSpec("baseline", 10, 60), new StimulationPhaseSpec("insulin", "insulin", 100, "nM", StimulationBy.LiquidHandler),
                      new ImagingPhaseSpec("response", 10, 120)],
            Frap = [new FrapSpec("f", 30, "a", "GFP", new FrapAnalysisTarget(FrapTargetChoice.Newest, 3), 2, 10, 40, 5, 1)],
            Autofocus = new AutofocusSpec(3, PerPosition: true),
        }, 64, 64);
        var queue = new EventQueue(plan.Events);
        _ = new Cadence(plan, queue);

        queue.Snapshot().Count.Should().BeLessThan(plan.Events.Count, "the cadence queues only a few timepoints ahead");
        queue.Count.Should().Be(plan.Events.Count, "the count includes what the cadence holds back");
        EngineLike.TakeAll(queue).Should().Equal(plan.Events);
    }

    [Fact]
    public void An_interval_change_rewrites_a_few_queued_events_however_long_the_run()
    {
        var plan = TwoChannelPlan(seconds: 30 * 3000); // 3 000 timepoints
        var queue = new EventQueue(plan.Events);
        var cadence = new Cadence(plan, queue);
        EngineLike.TakeAll(queue, max: 8); // timepoints 0 to 90 s
        var before = queue.Snapshot().Count;

        cadence.GoFast(0, intervalS: 10, minFrames: 2, maxS: 600, now: TimeSpan.FromSeconds(100)).Should().Be(59, "every 10 s from 110 s up to the window's end at 700 s");
        var rewritten = queue.Snapshot().Count;

        before.Should().BeLessThanOrEqualTo(2 * Cadence.Lookahead);
        rewritten.Should().BeLessThanOrEqualTo(2 * Cadence.Lookahead, "only the next few timepoints are queued, fast or not");
        int expected = queue.Count;
        var frames = EngineLike.TakeAll(queue).OfType<FrameEvent>().ToList();
        frames.Should().HaveCount(expected, "the count said what was still to come");
        frames.Count(f => f.DueAt > TimeSpan.FromSeconds(100) && f.DueAt <= TimeSpan.FromSeconds(700)).Should().Be(2 * 59,
            "the fast window's 59 timepoints of two channels, and no protocol timepoint inside it");
        frames.Select(f => f.TimeIndex).Distinct().Should().HaveCount(frames.Count / 2).And.BeInAscendingOrder();
        frames[^1].DueAt.Should().Be(plan.Events[^1].DueAt, "the run still ends with the protocol's last timepoint");
    }

    [Fact]
    public void A_change_while_the_engine_runs_late_keeps_every_timepoint_planned_before_it()
    {
        // The engine has taken T0 only, but the decision comes at 200 s (a camera or disk stall): the timepoints due by
        // then are not queued yet (the cadence keeps only a few ahead) and must still be taken, late, as planned.
        var plan = TwoChannelPlan();
        var queue = new EventQueue(plan.Events);
        var cadence = new Cadence(plan, queue);
        EngineLike.TakeAll(queue, max: 2);

        cadence.GoFast(0, intervalS: 10, minFrames: 2, maxS: 40, now: TimeSpan.FromSeconds(200)).Should().Be(3, "210, 220 and 230 s: the window ends at 240 s");

        var frames = EngineLike.TakeAll(queue).OfType<FrameEvent>().ToList();
        frames.Select(f => f.DueAt.TotalSeconds).Distinct().Should().Equal([30, 60, 90, 120, 150, 180, 210, 220, 230, 270],
            "the plan up to 200 s, three fast frames, then the plan again after the window");
        frames.Where(f => f.DueAt <= TimeSpan.FromSeconds(200)).Should().OnlyContain(f => f.TimeIndex == (int)(f.DueAt.TotalSeconds / 30),
            "timepoints planned before the change keep their T");
        frames.Select(f => f.TimeIndex).Distinct().Should().HaveCount(frames.Count / 2).And.BeInAscendingOrder();
        queue.Count.Should().Be(0);
    }

    [Fact]
    public void Leaving_a_position_or_stopping_drops_the_frames_not_yet_queued_too()
    {
        var plan = TwoChannelPlan(seconds: 3000); // 100 timepoints, 200 frames
        var queue = new EventQueue(plan.Events);
        var cadence = new Cadence(plan, queue);
        EngineLike.TakeAll(queue, max: 2);

        cadence.Finish(0, TimeSpan.FromSeconds(1)).Should().Be(198);
        EngineLike.TakeAll(queue).Should().BeEmpty();
        queue.Count.Should().Be(0);
        cadence.GoFast(0, 10, 2, 60, TimeSpan.FromSeconds(2)).Should().Be(0, "a position left is not imaged again");
    }
}
