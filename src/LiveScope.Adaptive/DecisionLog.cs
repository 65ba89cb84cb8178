using System.Diagnostics;
using System.Text.Json;
using LiveScope.Acquisition.Engine;
using LiveScope.Core.Timing;

namespace LiveScope.Adaptive;

/// <summary>One thing the rules did (or were refused), as logged.</summary>
public sealed record Decision(TimeSpan At, string Rule, string Action, string Position, string? Series, int FrameT, double FrameTimeS,
    IReadOnlyDictionary<string, double> Metrics, string Detail, double LatencyMs, string? RefusedBy);

/// <summary>
/// Writes every decision to events.jsonl ("adapt.decision", or "adapt.refused" when a limit said no) with the
/// frame and metric values that caused it, and keeps the latency figures: from the analysis result to the action
/// being queued (the decision itself), and from the frame's arrival at the analysis thread (analysis included).
/// <see cref="WriteSummary"/> stores them per run in adaptive.json.
/// </summary>
public sealed class DecisionLog(IRunEventLog events, IMicroscopeClock clock)
{
    private readonly List<Decision> _decisions = [];
    private readonly List<double> _decisionMs = [], _frameToDecisionMs = [], _rulesMs = [];

    public IReadOnlyList<Decision> Decisions => _decisions;

    public static double MsSince(long timestamp) => Stopwatch.GetElapsedTime(timestamp).TotalMilliseconds;

    /// <summary>Time to evaluate every rule on a frame (kept for every analysed frame, whether or not anything fired).</summary>
    public void RulesEvaluated(long analysedTimestamp) => _rulesMs.Add(MsSince(analysedTimestamp));

    public void Write(Decision d, long arrivedTimestamp)
    {
        _decisions.Add(d);
        if (d.RefusedBy is null)
        {
            _decisionMs.Add(d.LatencyMs);
            _frameToDecisionMs.Add(MsSince(arrivedTimestamp));
        }
        var fields = new Dictionary<string, object?>
        {
            ["rule"] = d.Rule, ["action"] = d.Action, ["position"] = d.Position, ["series"] = d.Series, ["frame_t"] = d.FrameT,
            ["frame_time_s"] = d.FrameTimeS, ["metrics"] = d.Metrics, ["detail"] = d.Detail, ["latency_ms"] = d.LatencyMs,
        };
        if (d.RefusedBy is not null) fields["limit"] = d.RefusedBy;
        Safe(d.RefusedBy is null ? "adapt.decision" : "adapt.refused", fields);
    }

    public void Event(string type, Dictionary<string, object?> fields) => Safe(type, fields);

    private void Safe(string type, Dictionary<string, object?> fields)
    {
        try
        {
            events.Write(type, clock.Now, fields);
        }
        catch (Exception)
        {
            // The event log failing (a full disk, a value it cannot write) must not stop the analysis or the run;
            // the engine reports the disk on its own writes.
        }
    }

    /// <summary>Nearest-rank percentiles of latencies, ms; the one definition adaptive.json and the benchmark use.</summary>
    public readonly record struct LatencyStats(int Count, double P50, double P99, double Max);

    public static LatencyStats Percentiles(IEnumerable<double> ms)
    {
        var sorted = ms.Order().ToArray();
        if (sorted.Length == 0) return new LatencyStats(0, double.NaN, double.NaN, double.NaN);
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new LatencyStats(sorted.Length, At(0.5), At(0.99), sorted[^1]);
    }

    private static object Stats(IReadOnlyList<double> ms)
    {
        var p = Percentiles(ms);
        if (p.Count == 0) return new { count = 0 };
        return new { count = p.Count, p50 = Math.Round(p.P50, 4), p99 = Math.Round(p.P99, 4), max = Math.Round(p.Max, 4) };
    }

    public object Summary(IReadOnlyList<string> rules, int bleaches) => new Dictionary<string, object>
    {
        ["rules"] = rules,
        ["decisions"] = _decisions.Count(d => d.RefusedBy is null),
        ["refused"] = _decisions.Count(d => d.RefusedBy is not null),
        ["bleaches"] = bleaches,
        ["decision_latency_ms"] = Stats(_decisionMs),
        ["frame_to_decision_ms"] = Stats(_frameToDecisionMs),
        ["rule_evaluation_ms"] = Stats(_rulesMs),
    };

    public void WriteSummary(string path, IReadOnlyList<string> rules, int bleaches) =>
        File.WriteAllText(path, JsonSerializer.Serialize(Summary(rules, bleaches), new JsonSerializerOptions { WriteIndented = true }));
}
