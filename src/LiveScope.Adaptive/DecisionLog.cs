using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using LiveScope.Acquisition.Engine;
using LiveScope.Core.Timing;

namespace LiveScope.Adaptive;

/// <summary>One thing the rules did (or were refused), as logged.</summary>
public sealed record Decision(TimeSpan At, string Rule, string Action, string Position, string? Series, int FrameT, double FrameTimeS,
    IReadOnlyDictionary<string, double> Metrics, string Detail, double LatencyMs, string? RefusedBy);

/// <summary>
/// Writes every decision to events.jsonl ("adapt.decision", or "adapt.refused" when a limit said no) with the
/// frame and metric values that caused it, and keeps the latency figures: from the analysis result to the action
/// being queued (the adaptive layer's own latency), and from the camera handing the frame to the engine to the
/// action being queued (waiting for and running the analysis included). <see cref="WriteSummary"/> stores them per
/// run in adaptive.json. Events are serialised and written on a thread of their own, in order: the analysis thread
/// only hands them over (their microscope time is taken when they happen), and <see cref="Complete"/> waits for them.
/// </summary>
public sealed class DecisionLog
{
    private readonly IRunEventLog _events;
    private readonly IMicroscopeClock _clock;
    private readonly List<Decision> _decisions = [];
    // Room for a long run's figures up front: growing a list is an allocation on the decision path.
    private readonly List<double> _decisionMs = new(1024), _frameToDecisionMs = new(1024), _rulesMs = new(16_384);
    private readonly Channel<(string Type, TimeSpan At, Dictionary<string, object?> Fields)> _pending =
        Channel.CreateUnbounded<(string, TimeSpan, Dictionary<string, object?>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public DecisionLog(IRunEventLog events, IMicroscopeClock clock)
    {
        _events = events;
        _clock = clock;
        _writer = Task.Run(WriteAllAsync);
    }

    public IReadOnlyList<Decision> Decisions => _decisions;

    public static double MsSince(long timestamp) => Stopwatch.GetElapsedTime(timestamp).TotalMilliseconds;

    /// <summary>Time to evaluate every rule on a frame (kept for every analysed frame, whether or not anything fired).</summary>
    public void RulesEvaluated(long analysedTimestamp) => _rulesMs.Add(MsSince(analysedTimestamp));

    /// <summary>
    /// Keeps and logs a decision. <paramref name="frameToQueuedMs"/>: from the camera handing the frame to the engine
    /// to the action being queued (<see cref="Decision.LatencyMs"/> starts at the analysis result).
    /// </summary>
    public void Write(Decision d, double frameToQueuedMs)
    {
        _decisions.Add(d);
        if (d.RefusedBy is null)
        {
            _decisionMs.Add(d.LatencyMs);
            _frameToDecisionMs.Add(frameToQueuedMs);
        }
        var fields = new Dictionary<string, object?>
        {
            ["rule"] = d.Rule, ["action"] = d.Action, ["position"] = d.Position, ["series"] = d.Series, ["frame_t"] = d.FrameT,
            ["frame_time_s"] = d.FrameTimeS, ["metrics"] = d.Metrics, ["detail"] = d.Detail, ["latency_ms"] = d.LatencyMs,
        };
        if (d.RefusedBy is null) fields["frame_to_queued_ms"] = frameToQueuedMs;
        else fields["limit"] = d.RefusedBy;
        Event(d.RefusedBy is null ? "adapt.decision" : "adapt.refused", fields, d.At);
    }

    public void Event(string type, Dictionary<string, object?> fields) => Event(type, fields, _clock.Now);

    private void Event(string type, Dictionary<string, object?> fields, TimeSpan at)
    {
        if (!_pending.Writer.TryWrite((type, at, fields))) Safe(type, at, fields); // completed: write it here
    }

    private async Task WriteAllAsync()
    {
        await foreach (var (type, at, fields) in _pending.Reader.ReadAllAsync().ConfigureAwait(false)) Safe(type, at, fields);
    }

    private void Safe(string type, TimeSpan at, Dictionary<string, object?> fields)
    {
        try
        {
            _events.Write(type, at, fields);
        }
        catch (Exception)
        {
            // The event log failing (a full disk, a value it cannot write) must not stop the analysis or the run;
            // the engine reports the disk on its own writes.
        }
    }

    /// <summary>Writes every event handed over so far, then returns; later events are written on the caller's thread.</summary>
    public void Complete()
    {
        _pending.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
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

    /// <summary>The adaptive layer's latency (analysis result → action queued) of every decision that was not refused.</summary>
    public LatencyStats DecisionLatency => Percentiles(_decisionMs);
    /// <summary>Camera frame handed to the engine → action queued, of every decision that was not refused.</summary>
    public LatencyStats FrameToDecisionLatency => Percentiles(_frameToDecisionMs);
    /// <summary>Analysis result → every rule evaluated, for every analysed frame.</summary>
    public LatencyStats RuleEvaluation => Percentiles(_rulesMs);

    private static Dictionary<string, object> Stats(LatencyStats p, string from, string to)
    {
        var stats = new Dictionary<string, object> { ["from"] = from, ["to"] = to, ["count"] = p.Count };
        if (p.Count == 0) return stats;
        stats["p50"] = Math.Round(p.P50, 4);
        stats["p99"] = Math.Round(p.P99, 4);
        stats["max"] = Math.Round(p.Max, 4);
        return stats;
    }

    public object Summary(IReadOnlyList<string> rules, int bleaches) => new Dictionary<string, object>
    {
        ["rules"] = rules,
        ["decisions"] = _decisions.Count(d => d.RefusedBy is null),
        ["refused"] = _decisions.Count(d => d.RefusedBy is not null),
        ["bleaches"] = bleaches,
        ["decision_latency_ms"] = Stats(DecisionLatency, "analysis result", "action queued"),
        ["frame_to_decision_ms"] = Stats(FrameToDecisionLatency, "camera frame handed to the engine", "action queued"),
        ["rule_evaluation_ms"] = Stats(RuleEvaluation, "analysis result", "every rule evaluated"),
        ["decision_priority"] = PriorityName(UrgentSection.Raising),
    };

    /// <summary>How decisions were raised above bulk work in this process: the latencies depend on it.</summary>
    public static string PriorityName(UrgentSection.Method raising) => raising switch
    {
        UrgentSection.Method.RealTime => "real-time (SCHED_FIFO)",
        UrgentSection.Method.Nice => $"nice {UrgentSection.UrgentNice}",
        _ => "ordinary (no CAP_SYS_NICE or rtprio limit: decisions wait for a core like bulk work)",
    };

    public void WriteSummary(string path, IReadOnlyList<string> rules, int bleaches) =>
        File.WriteAllText(path, JsonSerializer.Serialize(Summary(rules, bleaches), new JsonSerializerOptions { WriteIndented = true }));
}
