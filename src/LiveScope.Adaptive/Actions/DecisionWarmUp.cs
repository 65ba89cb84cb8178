using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Adaptive.Frap;
using LiveScope.Adaptive.Rules;
using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Metrics;
using LiveScope.Analysis.Tracking;
using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Core.Timing;

namespace LiveScope.Adaptive.Actions;

/// <summary>
/// Runs the decision path before the first frame, on scratch copies (queue, cadence, limits, FRAP steps, watch, rules)
/// that are thrown away: otherwise the first decision pays for compiling rule evaluation, the interval rewrite or
/// the bleach scheduling (issue #6: first decisions took 28 ms at 2048², a first bleach 100 ms in a dry run). The
/// run's own state is not touched; the stand-in photo-targeter only answers geometry questions and refuses to fire.
/// </summary>
public static class DecisionWarmUp
{
    public static void Run(AcquisitionPlan plan, int seed)
    {
        // Decisions run in an urgent section: its first entry loads and binds the C library's scheduling calls.
        using (UrgentSection.Enter()) { }
        var adapt = plan.Protocol.Adapt;
        if (adapt.IsEmpty || plan.Events.FirstOrDefault(e => e is FrameEvent { Series: null }) is not FrameEvent first) return;
        int p = first.PositionIndex;
        WarmUpRules(plan, adapt, first, p);
        WarmUpIntervalChanges(plan, first, p);
        WarmUpActions(plan, adapt, first, p, seed);
    }

    /// <summary>
    /// Rule evaluation, firing included: frames where every metric is far above any threshold, then far below, each
    /// with fresh hysteresis, so every metric rule fires (its firing branch compiled) whichever way it points. Cells
    /// come in the list type the analysis pipeline hands over, so the watch copies them by the same code as in the run.
    /// </summary>
    private static void WarmUpRules(AcquisitionPlan plan, AdaptSpec adapt, FrameEvent first, int p)
    {
        var clusters = TwoClusters(plan);
        var tracks = new TrackSighting[clusters.Length];
        int[] inCell = [1, 1];
        int frames = 2 + Math.Min(20, adapt.Rules.Max(r => r.When switch
        {
            NewClusterCondition n => n.PersistsFrames,
            MetricCondition m => m.ForFrames,
            _ => 0,
        }));
        foreach (double value in new[] { 1e12, -1e12 })
        {
            var watch = new PositionWatch();
            var rules = new RuleEvaluator(adapt.Rules);
            int count = value > 0 ? 1_000_000 : -1_000_000;
            var field = new FrameMetrics(0, 0, count, count, 1, 100, value, 9, 500, value, value, 1);
            List<CellFrameMetrics> cells = [new(0, 0, 1, 100, 50, count, value, 9, 500, value, value, 0, 1, 0)];
            for (int frame = 0; frame < frames; frame++)
            {
                // A cluster seen from the start, then a second one born (births, per-cell metrics, new-cluster rules).
                int n = Math.Min(frame + 1, clusters.Length);
                for (int i = 0; i < n; i++)
                    tracks[i] = new TrackSighting(i + 1, frame - i + 1, first.DueAt.TotalSeconds + i);   // track i first seen at frame i
                watch.Update(first.DueAt.TotalSeconds + frame, field, cells, clusters.AsSpan(0, n), tracks.AsSpan(0, n), inCell.AsSpan(0, n));
                rules.Evaluate(p, watch);
            }
        }
    }

    /// <summary>Two clusters of one cell, a quarter of the frame in from opposite corners: far apart, so either can be bleached.</summary>
    private static Cluster[] TwoClusters(AcquisitionPlan plan)
    {
        float w = plan.ImageWidth, h = plan.ImageHeight;
        return [new(w / 4, h / 4, 1, 100, 10, 500, 9, 1), new(3 * w / 4, 3 * h / 4, 1, 100, 10, 500, 9, 1)];
    }

    /// <summary>
    /// The interval rewrite, on a cadence of its own (it leaves the position fast), and the engine taking timepoints
    /// as the cadence queues them. Once is enough: a rewrite touches a few queued events, no loop long enough to be
    /// compiled anew while it runs (the whole-plan rewrite it replaced was run four times for that).
    /// </summary>
    private static void WarmUpIntervalChanges(AcquisitionPlan plan, FrameEvent first, int p)
    {
        var queue = new EventQueue([]);   // empty: the cadence queues the positions' first timepoints into it
        var cadence = new Cadence(plan, queue);
        var later = first.DueAt + TimeSpan.FromSeconds(1);
        cadence.GoFast(p, intervalS: 0.5, minFrames: 1, maxS: 4, later);
        for (int taken = 0; taken < 2 * Cadence.Lookahead && queue.TryPeek(out var head); taken++) queue.TryTake(head);
        cadence.GoNormal(p, later);
    }

    /// <summary>
    /// Every rule's actions, through the limits, on scratch copies of the queue, cadence, dose and FRAP steps: two
    /// clusters of one cell, far apart so either can be bleached (choosing one took 87 ms to compile in a dry run's
    /// first firing). Rules that stop the run go last.
    /// </summary>
    private static void WarmUpActions(AcquisitionPlan plan, AdaptSpec adapt, FrameEvent first, int p, int seed)
    {
        var queue = new EventQueue([]);
        var frap = new FrapSteps(plan, Path.Combine(Path.GetTempPath(), "livescope-warm-up-never-written"), (_, _) => { });
        var runner = new ActionRunner(new ActionContext(plan, queue, new Cadence(plan, queue), new LightDose(adapt.Limits.LightDosePerPositionS),
            frap, new StandInTargeter(), seed));
        var clusters = TwoClusters(plan);
        TrackSighting[] tracks = [new(1, 3, first.DueAt.TotalSeconds), new(2, 2, first.DueAt.TotalSeconds + 1)];
        List<CellFrameMetrics> cells = [new(0, 0, 1, 100, 50, 2, 0.01, 9, 500, 2, 0.1, 0, 1, 0)];
        var watch = new PositionWatch();
        watch.Update(first.DueAt.TotalSeconds, default, cells, clusters, tracks, [1, 1]);
        foreach (var rule in adapt.Rules.OrderBy(r => r.Then.Any(a => a is StopAction)))
        {
            var site = new ActionSite(p, watch, new RuleFiring(rule, p, new Dictionary<string, double>(), watch.Clusters.ToList()), first.DueAt, (_, _) => 1);
            foreach (var action in rule.Then)
            {
                _ = action.Describe();
                try { runner.Apply(action, site); }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException) { } // only compiling matters here
            }
        }
    }

    /// <summary>Answers what actions ask of a photo-targeter (reach, spot size, calibration); firing is refused.</summary>
    internal sealed class StandInTargeter : IPhotoTargeter
    {
        public string Name => "warm-up stand-in";
        public DeviceKind Kind => DeviceKind.PhotoTargeter;
        public AffineTransform2D CameraToTarget { get; set; } = AffineTransform2D.Identity;
        public double SpotDiameterPx => 1;
        public bool LaserOn => false;
        public TargetBounds TargetRange => new(double.MinValue, double.MinValue, double.MaxValue, double.MaxValue);
        public Task FireAtTargetAsync(PixelPoint target, TimeSpan dwell, double powerFraction, CancellationToken ct) => Refuse();
        public Task BleachAsync(BleachRegion region, BleachSettings settings, CancellationToken ct) => Refuse();
        public Task MakeSafeAsync(CancellationToken ct) => Task.CompletedTask;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        private static Task Refuse() => throw new InvalidOperationException("the decision warm-up's stand-in targeter never fires");
    }
}
