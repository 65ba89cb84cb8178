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
        // An empty scratch queue: the cadence queues the positions' first timepoints into it.
        var queue = new EventQueue([]);
        var cadence = new Cadence(plan, queue);
        var frap = new FrapSteps(plan, Path.Combine(Path.GetTempPath(), "livescope-warm-up-never-written"), (_, _) => { });
        var runner = new ActionRunner(new ActionContext(plan, queue, cadence, new LightDose(adapt.Limits.LightDosePerPositionS), frap,
            new StandInTargeter(), seed));

        // Frames of one cell: a cluster seen from the start, then a second one born (births, per-cell metrics), far
        // apart so either can be bleached; as many frames as the rules need to fire (a new cluster persisting N frames
        // is only then sorted and chosen — compiling that took 87 ms in a dry run's first firing).
        var watch = new PositionWatch();
        var rules = new RuleEvaluator(adapt.Rules);
        float w = plan.ImageWidth, h = plan.ImageHeight;
        Cluster[] clusters = [new(w / 4, h / 4, 1, 100, 10, 500, 9, 1), new(3 * w / 4, 3 * h / 4, 1, 100, 10, 500, 9, 1)];
        var tracks = new TrackSighting[clusters.Length];
        int[] inCell = [1, 1];
        CellFrameMetrics[] cells = [new(0, 0, 1, 100, 50, 1, 0.01, 9, 500, 2, 0.1, 0, 1, 0)];
        int frames = 2 + Math.Min(20, adapt.Rules.Max(r => r.When switch
        {
            NewClusterCondition n => n.PersistsFrames,
            MetricCondition m => m.ForFrames,
            _ => 0,
        }));
        for (int frame = 0; frame < frames; frame++)
        {
            int n = Math.Min(frame + 1, clusters.Length);
            for (int i = 0; i < n; i++)
                tracks[i] = new TrackSighting(i + 1, frame - i + 1, first.DueAt.TotalSeconds + i);   // track i first seen at frame i
            watch.Update(first.DueAt.TotalSeconds + frame, default, cells, clusters.AsSpan(0, n), tracks.AsSpan(0, n), inCell.AsSpan(0, n));
            rules.Evaluate(p, watch);
        }

        // The interval rewrite itself, before the rules' actions (one that leaves the position or stops the run ends its
        // cadence), and the engine taking timepoints as the cadence queues them.
        var later = first.DueAt + TimeSpan.FromSeconds(1);
        for (int i = 0; i < 4; i++)
        {
            cadence.GoFast(p, intervalS: 0.5, minFrames: 1, maxS: 4, later);
            for (int taken = 0; taken < 2 * Cadence.Lookahead && queue.TryPeek(out var head); taken++) queue.TryTake(head);
            cadence.GoNormal(p, later);
        }
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
