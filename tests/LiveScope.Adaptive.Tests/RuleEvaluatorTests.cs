using LiveScope.Acquisition.Protocols;
using LiveScope.Adaptive.Rules;
using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Metrics;

namespace LiveScope.Adaptive.Tests;

public class RuleEvaluatorTests
{
    private static AdaptRule Rule(AdaptCondition when, double cooldownS = 0) => new("r", when, [new StopAction("test")], cooldownS);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PositionWatch, TrackBook> Books = new();

    /// <summary>Feeds one frame with <paramref name="count"/> clusters, all in cell 1; cluster i has track id ids[i].</summary>
    private static void Frame(PositionWatch watch, int t, double timeS, params int[] ids)
    {
        var clusters = ids.Select((id, i) => new Cluster(10 + i * 10, 20, 100, 500, 100, 1000 + id, 9, 1)).ToArray();
        var field = new FrameMetrics(t, timeS, ids.Length, ids.Length, 1, 100, ids.Length / 100.0, 9, 1000, 5, 0.1, 50);
        watch.Update(timeS, field, [], clusters, Books.GetOrCreateValue(watch).Sight(timeS, ids), ids.Select(_ => 1).ToArray());
    }

    [Fact]
    public void A_metric_rule_fires_only_after_its_consecutive_frames_and_a_broken_run_starts_again()
    {
        var rules = new RuleEvaluator([Rule(new MetricCondition(AdaptMetric.ClusterCount, MetricScope.Field, true, 2, 3))]);
        var watch = new PositionWatch();
        var fired = new List<int>();
        int[][] counts = [[1, 2, 3], [1, 2, 3], [1], [1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]];
        for (int t = 0; t < counts.Length; t++)
        {
            Frame(watch, t, t * 10, counts[t]);
            if (rules.Evaluate(0, watch).Count > 0) fired.Add(t);
        }
        fired.Should().Equal([5], "frames 0-1 hold, frame 2 breaks the run, frames 3-5 hold three in a row; then the count starts again");
    }

    [Fact]
    public void A_rule_rests_for_its_cooldown_and_positions_are_separate()
    {
        var rules = new RuleEvaluator([Rule(new MetricCondition(AdaptMetric.ClusterCount, MetricScope.Field, true, 0, 1), cooldownS: 25)]);
        var a = new PositionWatch();
        var b = new PositionWatch();
        var firedA = new List<int>();
        for (int t = 0; t < 7; t++)
        {
            Frame(a, t, t * 10, 1);
            Frame(b, t, t * 10, 1);
            if (rules.Evaluate(0, a).Count > 0) firedA.Add(t);
            rules.Evaluate(1, b).Should().HaveCount(t % 3 == 0 ? 1 : 0, "position 1 has its own cooldown clock");
        }
        firedA.Should().Equal(0, 3, 6);
    }

    [Fact]
    public void A_new_cluster_fires_once_when_its_track_has_lived_the_frames_and_tracks_present_at_the_start_never_do()
    {
        var rules = new RuleEvaluator([Rule(new NewClusterCondition(3))]);
        var watch = new PositionWatch();
        var firings = new List<(int T, IReadOnlyList<int> Tracks)>();
        int[][] frames = [[1, 2], [1, 2, 7], [1, 2, 7], [1, 2, 7, 9], [1, 2, 7, 9], [2, 7, 9], [2, 7, 9]];
        for (int t = 0; t < frames.Length; t++)
        {
            Frame(watch, t, t * 10, frames[t]);
            foreach (var f in rules.Evaluate(0, watch)) firings.Add((t, f.NewClusters.Select(c => c.TrackId).ToList()));
        }
        firings.Should().HaveCount(2);
        firings[0].T.Should().Be(3);
        firings[0].Tracks.Should().Equal(7);
        firings[1].T.Should().Be(5);
        firings[1].Tracks.Should().Equal(9);
    }

    [Fact]
    public void Births_per_minute_count_tracks_born_in_the_last_minute()
    {
        var watch = new PositionWatch();
        Frame(watch, 0, 0, 1, 2, 3);             // present at the start: not births
        Frame(watch, 1, 30, 1, 2, 3, 4, 5);      // two births at 30 s
        watch.BirthsPerMinute().Should().BeApproximately(4, 1e-9, "2 births in the 30 s watched so far");
        Frame(watch, 2, 60, 1, 2, 3, 4, 5, 6);   // one more at 60 s
        watch.BirthsPerMinute().Should().BeApproximately(3, 1e-9);
        Frame(watch, 3, 120, 1, 6);              // the 30 s births left the window
        watch.BirthsPerMinute().Should().BeApproximately(1, 1e-9);
    }

    [Fact]
    public void A_phase_limited_rule_skips_other_phases_and_counts_only_clusters_that_appear_once_it_watches()
    {
        var rules = new RuleEvaluator([Rule(new NewClusterCondition(2)) with { Phases = ["response"] }]);
        var watch = new PositionWatch();
        var fired = new List<(int T, IReadOnlyList<int> Tracks)>();
        // Track 5 is born in the baseline and lives on; track 8 appears after the phase change.
        int[][] frames = [[1], [1, 5], [1, 5], [1, 5], [1, 5, 8], [1, 5, 8], [1, 5, 8]];
        for (int t = 0; t < frames.Length; t++)
        {
            Frame(watch, t, t * 10, frames[t]);
            foreach (var f in rules.Evaluate(0, watch, t < 3 ? "baseline" : "response")) fired.Add((t, f.NewClusters.Select(c => c.TrackId).ToList()));
        }
        fired.Should().HaveCount(1);
        fired[0].T.Should().Be(5, "track 8 has lived 2 frames by then; track 5 was there when the rule began to watch");
        fired[0].Tracks.Should().Equal(8);
    }
}
