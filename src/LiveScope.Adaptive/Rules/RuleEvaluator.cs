using System.Runtime.CompilerServices;
using System.Globalization;
using LiveScope.Acquisition.Protocols;

namespace LiveScope.Adaptive.Rules;

/// <summary>A rule whose condition held: what it saw (for the log) and, for new-cluster rules, the clusters that made it fire.</summary>
public sealed record RuleFiring(AdaptRule Rule, int PositionIndex, IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<WatchedCluster> NewClusters);

/// <summary>
/// Decides, frame by frame and position by position, which rules fire: a metric condition must hold for its
/// number of consecutive analysed frames (hysteresis; a frame that breaks the run starts the count again), a
/// new-cluster condition fires for tracks born during the run that have lived N frames (each track once), and a
/// rule that fired rests for its cooldown at that position. Not thread-safe: the analysis thread owns it.
/// </summary>
public sealed class RuleEvaluator(IReadOnlyList<AdaptRule> rules)
{
    private sealed class State
    {
        public int Consecutive;
        public double CooldownUntilS = double.NegativeInfinity;
        public readonly HashSet<int> TracksSeen = [];
        public bool Watching;      // the rule's phases have begun at this position
    }

    private readonly Dictionary<(int Rule, int Position), State> _states = new();

    /// <summary>
    /// The rules that fire on the latest frame of <paramref name="position"/>, in protocol order. Runs on every analysed
    /// frame, on the decision path: nothing is allocated unless a rule fires (what it saw is logged then). A rule
    /// limited to some phases skips frames of others (<paramref name="phase"/>: the frame's), its hysteresis untouched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public IReadOnlyList<RuleFiring> Evaluate(int position, PositionWatch watch, string? phase = null)
    {
        List<RuleFiring>? fired = null;
        for (int r = 0; r < rules.Count; r++)
        {
            var rule = rules[r];
            if (!_states.TryGetValue((r, position), out var state)) _states[(r, position)] = state = new State();
            if (!rule.Watches(phase)) continue;
            if (!state.Watching)
            {
                state.Watching = true;
                // Clusters already there when a phase-limited rule starts watching are not new to it.
                if (rule.Phases is not null) foreach (var c in watch.Clusters) state.TracksSeen.Add(c.TrackId);
            }
            var firing = rule.When switch
            {
                MetricCondition m => Metric(rule, m, position, watch, state),
                NewClusterCondition n => NewCluster(rule, n, position, watch, state),
                _ => null,
            };
            if (firing is null) continue;
            state.CooldownUntilS = watch.LastTimeS + rule.CooldownS;
            (fired ??= []).Add(firing);
        }
        return fired ?? (IReadOnlyList<RuleFiring>)[];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static RuleFiring? Metric(AdaptRule rule, MetricCondition m, int position, PositionWatch watch, State state)
    {
        double value;
        int cellId = 0;
        if (m.Per == MetricScope.Field) value = watch.FieldValue(m.Metric);
        else
        {
            // Per cell: the condition holds when at least one cell meets it; the log names the cell that does (or the extreme one).
            value = double.NaN;
            var cells = watch.Cells;
            for (int i = 0; i < cells.Count; i++)
            {
                double v = watch.CellValue(m.Metric, cells[i]);
                if (!double.IsFinite(v)) continue;
                if (double.IsNaN(value) || (m.Above ? v > value : v < value)) (value, cellId) = (v, cells[i].CellId);
            }
        }
        state.Consecutive = Holds(m, value) ? state.Consecutive + 1 : 0;
        if (state.Consecutive < m.ForFrames || watch.LastTimeS < state.CooldownUntilS) return null;
        var metrics = new Dictionary<string, double> { ["threshold"] = m.Threshold, [Name(m.Metric)] = value };
        if (m.Per != MetricScope.Field) metrics["cell"] = cellId;
        metrics["frames_holding"] = state.Consecutive;
        state.Consecutive = 0;
        return new RuleFiring(rule, position, metrics, []);
    }

    private static bool Holds(MetricCondition m, double value) => double.IsFinite(value) && (m.Above ? value > m.Threshold : value < m.Threshold);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static RuleFiring? NewCluster(AdaptRule rule, NewClusterCondition n, int position, PositionWatch watch, State state)
    {
        if (watch.LastTimeS < state.CooldownUntilS) return null;
        List<WatchedCluster>? born = null;
        var clusters = watch.Clusters;
        for (int i = 0; i < clusters.Count; i++)
        {
            var c = clusters[i];
            if (!double.IsNaN(c.BornAtS) && c.AgeFrames >= n.PersistsFrames && !state.TracksSeen.Contains(c.TrackId)) (born ??= []).Add(c);
        }
        if (born is null) return null;
        var fresh = NewestFirst(born);
        // Each track makes a rule fire once: a cluster that is refused (a limit) is not offered again every frame.
        foreach (var c in fresh) state.TracksSeen.Add(c.TrackId);
        var newest = fresh[0];
        var metrics = new Dictionary<string, double>
        {
            ["new_clusters"] = fresh.Count, ["track_id"] = newest.TrackId, ["x_px"] = Math.Round(newest.XPx, 2),
            ["y_px"] = Math.Round(newest.YPx, 2), ["frames"] = newest.AgeFrames, ["intensity"] = Math.Round(newest.Intensity, 1),
        };
        return new RuleFiring(rule, position, metrics, fresh);
    }

    /// <summary>
    /// The clusters, the most recently born first and those born together in frame order (a stable sort). Birth times
    /// are frame times, so there are few distinct ones: they are ordered, then the clusters gathered per time — no
    /// general sort, whose code would be compiled unoptimised on a run's first firing (4 ms at 2048²).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<WatchedCluster> NewestFirst(List<WatchedCluster> clusters)
    {
        var times = new List<double>();
        foreach (var c in clusters)
        {
            int at = times.Count;
            while (at > 0 && times[at - 1] < c.BornAtS) at--;          // times stay in descending order
            if (at > 0 && times[at - 1] == c.BornAtS) continue;
            times.Insert(at, c.BornAtS);
        }
        var ordered = new List<WatchedCluster>(clusters.Count);
        foreach (double time in times)
            foreach (var c in clusters)
                if (c.BornAtS == time) ordered.Add(c);
        return ordered;
    }

    public static string Name(AdaptMetric metric) => metric switch
    {
        AdaptMetric.ClusterCount => "cluster_count",
        AdaptMetric.Density => "density_per_um2",
        AdaptMetric.PartitionRatio => "partition_ratio",
        AdaptMetric.CondensedFraction => "condensed_fraction",
        AdaptMetric.BirthsPerMin => "births_per_min",
        _ => metric.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}
