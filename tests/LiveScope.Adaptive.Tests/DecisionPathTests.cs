using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Adaptive.Actions;
using LiveScope.Adaptive.Frap;
using LiveScope.Adaptive.Rules;
using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Metrics;
using LiveScope.Analysis.Tracking;
using LiveScope.Testing;

namespace LiveScope.Adaptive.Tests;

/// <summary>
/// The decision path runs on every analysed frame (issue #6: p99 ≤ 2 ms at 2048²): it must not allocate (a collection
/// stops every thread), must not grow with clusters × clusters or cells × births.
/// </summary>
public class DecisionPathTests
{
    private const int Width = 2048, Height = 2048;

    /// <summary>Clusters at seeded random places, some tracks ending and new ones starting each frame; 6 cells in horizontal stripes.</summary>
    private sealed class Field(int seed)
    {
        private readonly Random _random = new(seed);
        private int _nextTrack = 1;
        private readonly List<(int Id, float X, float Y)> _live = [];

        public (Cluster[] Clusters, int[] Ids) Next(int births, int deaths)
        {
            for (int k = 0; k < deaths && _live.Count > 0; k++) _live.RemoveAt(_random.Next(_live.Count));
            for (int k = 0; k < births; k++) _live.Add((_nextTrack++, (float)(_random.NextDouble() * (Width - 1)), (float)(_random.NextDouble() * (Height - 1))));
            return (_live.Select(c => new Cluster(c.X, c.Y, 50, 400, 100, 1000, 9, 1)).ToArray(), _live.Select(c => c.Id).ToArray());
        }

        public static int CellAt(double x, double y) => 1 + (int)(y / (Height / 6.0));

        public static int[] CellsOf(Cluster[] clusters) => clusters.Select(c => CellAt(c.X, c.Y)).ToArray();
    }

    private static CellFrameMetrics[] Cells() =>
        Enumerable.Range(1, 6).Select(c => new CellFrameMetrics(0, 0, c, 1000, 500, 10, 0.01, 9, 500, 2 + c, 0.1, 0, 1, 0)).ToArray();

    [Fact]
    public void Taking_in_a_frame_and_evaluating_quiet_rules_allocates_nothing_once_warm()
    {
        var rules = new RuleEvaluator(
        [
            new("count", new MetricCondition(AdaptMetric.ClusterCount, MetricScope.Field, true, 1e9, 2), [new StopAction("x")], 0),
            new("partition", new MetricCondition(AdaptMetric.PartitionRatio, MetricScope.Cell, true, 1e9, 2), [new StopAction("x")], 0),
            new("births", new MetricCondition(AdaptMetric.BirthsPerMin, MetricScope.Cell, true, 1e9, 1), [new StopAction("x")], 0),
            new("new", new NewClusterCondition(1_000_000), [new StopAction("x")], 0),
        ]);
        var watch = new PositionWatch();
        var field = new Field(seed: 3);
        var cells = Cells();
        var book = new TrackBook();
        var frames = Enumerable.Range(0, 360).Select(t =>
        {
            var (clusters, ids) = t == 0 ? field.Next(births: 400, deaths: 0) : field.Next(births: 20, deaths: 20);
            return (Clusters: clusters, Tracks: book.Sight(t * 0.5, ids), Cells: Field.CellsOf(clusters));
        }).ToArray();
        void Run(int from, int to)
        {
            for (int t = from; t < to; t++)
            {
                watch.Update(t * 0.5, default, cells, frames[t].Clusters, frames[t].Tracks, frames[t].Cells);
                rules.Evaluate(0, watch);
            }
        }
        Run(0, 300);   // past the births' one-minute window (0.5 s frames): every list at its size
        long allocated = SteadyStateAllocation.LeastOf(3, window => Run(300 + 20 * window, 320 + 20 * window));
        allocated.Should().Be(0, "nothing is allocated per frame on the decision path once its tables have grown");
    }

    [Fact]
    public void Births_per_cell_are_the_births_of_the_trailing_minute_born_in_that_cell()
    {
        var watch = new PositionWatch();
        var field = new Field(seed: 5);
        var cells = Cells();
        var born = new List<(double TimeS, int Cell)>();
        var known = new HashSet<int>();
        var book = new TrackBook();
        for (int t = 0; t < 60; t++)
        {
            double time = t * 3.0;
            var (clusters, ids) = field.Next(births: t % 7, deaths: t % 5);
            for (int i = 0; i < ids.Length; i++)
                if (known.Add(ids[i]) && t > 0) born.Add((time, Field.CellAt(clusters[i].X, clusters[i].Y)));
            watch.Update(time, default, cells, clusters, book.Sight(time, ids), Field.CellsOf(clusters));
            double span = Math.Min(PositionWatch.BirthWindowS, time);
            if (span <= 0) continue;
            foreach (var cell in cells)
            {
                int expected = born.Count(b => b.Cell == cell.CellId && b.TimeS >= time - PositionWatch.BirthWindowS);
                watch.BirthsPerMinute(cell.CellId).Should().BeApproximately(expected / (span / 60), 1e-9, "cell {0} at {1} s", cell.CellId, time);
            }
        }
    }

    [Fact]
    public void Ages_and_births_are_what_tracking_saw_and_clusters_there_from_the_start_are_not_births()
    {
        // Fed from a real tracker: cluster A from the first frame, B appears on frame 2, misses frame 4 (gap closed,
        // same track) and is back on frame 5.
        var tracker = new ClusterTracker();
        var watch = new PositionWatch();
        var cells = Cells();
        Cluster a = new(100, 100, 50, 400, 100, 1000, 9, 1), b = new(900, 900, 50, 400, 100, 1000, 9, 1);
        for (int t = 0; t < 6; t++)
        {
            Cluster[] clusters = t is >= 2 and not 4 ? [a, b] : [a];
            tracker.Add(t, 0.5 * t, clusters);
            watch.Update(0.5 * t, default, cells, clusters, tracker.LastSightings, Field.CellsOf(clusters));
        }
        watch.Clusters.Should().HaveCount(2);
        var (first, later) = (watch.Clusters[0], watch.Clusters[1]);
        first.AgeFrames.Should().Be(6);
        first.BornAtS.Should().Be(double.NaN, "it was there when watching started");
        later.TrackId.Should().NotBe(first.TrackId);
        later.AgeFrames.Should().Be(3, "seen on frames 2, 3 and 5: the gap closed, the frame it missed not counted");
        later.BornAtS.Should().Be(1.0);
        later.CellId.Should().Be(Field.CellAt(900, 900));
        watch.BirthsPerMinute(later.CellId).Should().BeApproximately(1 / (2.5 / 60), 1e-9, "one birth in the 2.5 s watched");
        watch.BirthsPerMinute(first.CellId).Should().Be(0);
    }

    [Fact]
    public void Bleachable_clusters_are_those_with_no_other_cluster_within_the_clearance()
    {
        var random = new Random(11);
        var clusters = Enumerable.Range(0, 3000)
            .Select(i => new WatchedCluster(i + 1, 20 + random.NextDouble() * (Width - 40), 20 + random.NextDouble() * (Height - 40), 100, 1, 5, 1))
            .ToList();
        clusters.Add(clusters[10] with { XPx = clusters[10].XPx + 0.5 });   // the same track seen twice is not its own neighbour
        var context = Context();
        const double radius = 3;
        double clear = 2 * radius + context.SpotDiameterPx;
        bool Clear(WatchedCluster c) => !clusters.Any(o => o.TrackId != c.TrackId && Math.Pow(o.XPx - c.XPx, 2) + Math.Pow(o.YPx - c.YPx, 2) < clear * clear);
        var expected = clusters.Where(Clear).ToList();
        expected.Count.Should().BeInRange(100, clusters.Count - 100, "the field has both crowded and clear clusters");
        context.Bleachable(clusters, clusters, radius).Should().Equal(expected);
        context.Bleachable(clusters.Take(50), clusters, radius).Should().Equal(clusters.Take(50).Where(Clear));
    }

    private static ActionContext Context()
    {
        var plan = Planner.Plan(new Protocol
        {
            Name = "grid", SourceFile = "grid.yaml", Channels = [new ChannelSpec("GFP", 50, 0.3)], Phases = [new ImagingPhaseSpec("watch", 30, 300)],
        }, Width, Height);
        var queue = new EventQueue(plan.Events);
        var frap = new FrapSteps(plan, Path.Combine(Path.GetTempPath(), "livescope-never-written"), (_, _) => { });
        return new ActionContext(plan, queue, new Cadence(plan, queue), new LightDose(double.PositiveInfinity), frap, new DecisionWarmUp.StandInTargeter(), seed: 1);
    }
}
