using System.Globalization;
using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Adaptive;
using LiveScope.Core.Hardware;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.Benchmarks;

/// <summary>
/// The rules the replay benchmark runs: evaluated on every analysed frame, and acting now and then — a fast
/// interval (which rewrites the position's queued timepoints, the most expensive action) and the return to the
/// protocol's cadence — so the decision path is measured at full frame size. They act often (a few dozen decisions
/// in 30 s), so p99 is not just the slowest one.
/// </summary>
internal static class ReplayRules
{
    public static readonly AdaptSpec Spec = new()
    {
        Limits = new AdaptLimits { MaxFastImagingS = 1e6 },
        Rules =
        [
            new AdaptRule("speed_up", new MetricCondition(AdaptMetric.ClusterCount, MetricScope.Field, true, 0, 1), [new IntervalAction(0.01, 50)], 1),
            new AdaptRule("calm_down", new MetricCondition(AdaptMetric.ClusterCount, MetricScope.Field, true, 0, 10), [new IntervalAction(null, 0)], 0),
            new AdaptRule("busy_cells", new MetricCondition(AdaptMetric.PartitionRatio, MetricScope.Cell, true, 1e9, 2), [new StopAction("never")], 0),
            new AdaptRule("new_clusters", new NewClusterCondition(3), [new ZStackAction(0, 1)], 1e9),
        ],
    };

    public static AdaptiveController Controller(AcquisitionPlan plan, Microscope scope, EventQueue queue, string folder)
    {
        var run = Path.Combine(folder, "adaptive-run");
        Directory.CreateDirectory(run);
        return new AdaptiveController(plan, queue, new AdaptiveSetup(run, scope.Clock, new NullEventLog(), null), NullLogger.Instance);
    }

    public static void Print(AdaptiveController controller, string folder)
    {
        var decisions = controller.Decisions.Where(d => d.RefusedBy is null).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  rules: {decisions.Count} decisions ({string.Join(", ", decisions.GroupBy(d => d.Rule).Select(g => $"{g.Key} ×{g.Count()}"))}); " +
            $"summary in {Path.Combine(folder, "adaptive-run", "adaptive.json")} after dispose"));
        Console.WriteLine("  slowest decisions: " + string.Join(", ", decisions.OrderByDescending(d => d.LatencyMs).Take(4)
            .Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Rule} at T{d.FrameT} {d.LatencyMs:0.00} ms"))));
        // The figures adaptive.json stores, with its definitions (DecisionLog).
        Line("decision latency (analysis result → action queued)", controller.DecisionLatency);
        Line("frame to decision (camera frame handed to the engine → action queued)", controller.FrameToDecisionLatency);
        Line("rule evaluation (analysis result → every rule evaluated, per analysed frame)", controller.RuleEvaluation);
    }

    private static void Line(string what, DecisionLog.LatencyStats ms) => Console.WriteLine(ms.Count == 0
        ? $"  {what}: no samples"
        : string.Create(CultureInfo.InvariantCulture, $"  {what}: p50 {ms.P50:0.###} ms, p99 {ms.P99:0.###} ms, max {ms.Max:0.###} ms over {ms.Count}"));
}
