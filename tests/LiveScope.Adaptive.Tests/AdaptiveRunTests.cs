using System.Text.Json;
using LiveScope.Acquisition.Engine;

namespace LiveScope.Adaptive.Tests;

/// <summary>Each action and limit, through the real engine on the simulated microscope.</summary>
public class AdaptiveRunTests
{
    private static string Protocol(string adapt, string positions = "[ { name: a, x_um: 0, y_um: 0, z_um: 50 } ]", string duration = "5 min") => $$"""
        name: adaptive-test
        positions: {{positions}}
        channels: [ { preset: GFP, exposure_ms: 50, power: 0.3 } ]
        phases:
          - { name: watch, interval: 30 s, duration: {{duration}} }
        adapt:
        {{adapt}}
        """;

    private static List<double> RegularTimes(AdaptRig rig, int position = 0) => rig.Store.Frames
        .Where(f => f.Planned.Series is null && f.Planned.PositionIndex == position)
        .Select(f => f.Metadata.Timestamp.TotalSeconds).ToList();

    [Fact]
    public async Task Fast_imaging_lasts_its_window_then_the_protocol_cadence_resumes_and_the_limit_refuses_more()
    {
        await using var rig = await AdaptRig.OpenAsync();
        var (result, controller) = await rig.RunAsync(rig.Load(Protocol("""
              limits: { max_fast_imaging: 1 min }
              rules:
                - name: fast
                  when: { metric: cluster_count, above: 0 }
                  then: { interval: 10 s, min_frames: 3 }
            """)));

        result.Status.Should().Be(RunStatus.Completed);
        var times = RegularTimes(rig);
        var steps = times.Zip(times.Skip(1), (a, b) => Math.Round(b - a)).ToList();
        steps.Take(5).Should().AllBeEquivalentTo(10, "the first frame fires the rule: 10 s frames within the 1 min window");
        steps[5].Should().Be(40, "the next protocol timepoint after the window is at 90 s");
        steps.Skip(6).Should().AllBeEquivalentTo(30, "then the protocol's own 30 s timepoints");
        rig.Store.Frames.Where(f => f.Planned.Series is null).Select(f => f.Planned.TimeIndex)
            .Should().BeInAscendingOrder().And.OnlyHaveUniqueItems("renumbered so each plane has its own T");
        controller.Decisions.Where(d => d.RefusedBy is null).Should().ContainSingle()
            .Which.Metrics.Should().ContainKey("cluster_count");
        controller.Decisions.Where(d => d.RefusedBy == "max_fast_imaging").Should().ContainSingle("a repeated refusal is logged once");

        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(rig.Folder, "adaptive.json"))).RootElement;
        var decision = summary.GetProperty("decision_latency_ms");
        var fromFrame = summary.GetProperty("frame_to_decision_ms");
        decision.GetProperty("count").GetInt32().Should().Be(1);
        decision.GetProperty("from").GetString().Should().Be("analysis result");
        fromFrame.GetProperty("count").GetInt32().Should().Be(1);
        fromFrame.GetProperty("from").GetString().Should().Be("camera frame handed to the engine");
        fromFrame.GetProperty("max").GetDouble().Should().BeGreaterThanOrEqualTo(decision.GetProperty("max").GetDouble(),
            "the frame was handed over before its analysis result existed");
        summary.GetProperty("rule_evaluation_ms").GetProperty("count").GetInt32().Should().BeGreaterThan(0);
        summary.GetProperty("decision_priority").GetString().Should().NotBeNullOrEmpty("the latencies depend on it");
        rig.Lines("adapt.decision").Should().ContainSingle("decisions are logged (off the analysis thread) before the controller is disposed")
            .Which.Should().ContainKeys("frame_t", "metrics", "latency_ms", "frame_to_queued_ms");
    }

    [Fact]
    public async Task The_light_budget_refuses_a_fast_window_it_cannot_pay_for()
    {
        await using var rig = await AdaptRig.OpenAsync();
        // One frame is 50 ms × 0.3 = 0.015 s of light; 0.05 s leaves room for three frames, fewer than min_frames.
        var (_, controller) = await rig.RunAsync(rig.Load(Protocol("""
              limits: { light_dose_per_position: 0.05 s }
              rules:
                - name: fast
                  when: { metric: cluster_count, above: 0 }
                  then: { interval: 10 s, min_frames: 5 }
            """, duration: "1 min")));

        controller.Decisions.Should().ContainSingle().Which.RefusedBy.Should().Be("light_dose_per_position");
        RegularTimes(rig).Should().HaveCount(2);
    }

    [Fact]
    public async Task Stop_ends_the_run_as_completed_after_the_frames_that_held()
    {
        await using var rig = await AdaptRig.OpenAsync();
        var (result, controller) = await rig.RunAsync(rig.Load(Protocol("""
              rules:
                - name: enough
                  when: { metric: cluster_count, above: 0, for_frames: 3 }
                  then: { stop: seen enough }
            """)));

        result.Status.Should().Be(RunStatus.Completed);
        RegularTimes(rig).Should().HaveCount(3);
        controller.Decisions.Should().ContainSingle().Which.Detail.Should().StartWith("seen enough");
    }

    [Fact]
    public async Task Next_position_drops_each_fields_remaining_frames_when_its_own_frames_hold()
    {
        await using var rig = await AdaptRig.OpenAsync();
        var (result, _) = await rig.RunAsync(rig.Load(Protocol("""
              rules:
                - name: leave
                  when: { metric: cluster_count, above: 0, for_frames: 2 }
                  then: { next_position: true }
            """, positions: "[ { name: a, x_um: 0, y_um: 0, z_um: 50 }, { name: b, x_um: 60, y_um: 0, z_um: 50 } ]")));

        result.Status.Should().Be(RunStatus.Completed);
        RegularTimes(rig, 0).Should().HaveCount(2, "position a was left after its two frames that held");
        RegularTimes(rig, 1).Should().HaveCount(2, "b counts its own frames, not a's");
    }

    [Fact]
    public async Task A_z_stack_is_taken_once_as_its_own_series_around_the_focus()
    {
        await using var rig = await AdaptRig.OpenAsync();
        var (_, controller) = await rig.RunAsync(rig.Load(Protocol("""
              rules:
                - name: stack
                  when: { metric: cluster_count, above: 0 }
                  then: { z_stack: { range_um: 2, step_um: 0.5 } }
                  cooldown: 1 h
            """, duration: "2 min")));

        var stack = rig.Store.Frames.Where(f => f.Planned.Series == "zstack_01").ToList();
        stack.Select(f => f.Planned.ZIndex).Should().Equal(0, 1, 2, 3, 4);
        stack.Select(f => f.Metadata.StageZUm).Should().Equal(49, 49.5, 50, 50.5, 51);
        controller.Decisions.Should().ContainSingle();
        RegularTimes(rig).Should().HaveCount(4, "the time-lapse itself is untouched");
    }
}
