using LiveScope.Core.Config;

namespace LiveScope.Acquisition.Protocols;

/// <summary>
/// Reads the <c>adapt:</c> section (shared by LiveScope and useq files):
/// <code>
/// adapt:
///   limits: { max_bleaches: 6, max_bleaches_per_cell: 1, max_fast_imaging: 10 min, light_dose_per_position: 60 s }
///   rules:
///     - name: faster_while_clusters_form
///       when: { metric: births_per_min, above: 2, for_frames: 2 }     # per: field (default) or cell
///       then: { interval: 10 s, min_frames: 6 }
///       cooldown: 1 min
///     - name: bleach_new_clusters
///       when: { new_cluster: { persists_frames: 3 } }
///       then: { bleach: { choose: newest, radius_px: 3, recovery_interval: 1 s, recovery_duration: 60 s } }
///       phases: [response]     # optional: watch only these phases' frames (clusters new once they began)
/// </code>
/// Other actions: <c>interval: normal</c>, <c>z_stack: { range_um, step_um }</c>, <c>next_position: true</c>,
/// <c>stop: "why"</c>. Errors name the file, line and key; reading goes on to report them all at once.
/// </summary>
internal sealed class AdaptSection(ProtocolSections s)
{
    private static readonly string[] SectionKeys = ["limits", "rules"];
    private static readonly string[] LimitKeys =
        ["max_bleaches", "max_bleaches_per_cell", .. Durations.KeysFor("max_fast_imaging"), .. Durations.KeysFor("light_dose_per_position")];
    private static readonly string[] RuleKeys = ["name", "when", "then", "phases", .. Durations.KeysFor("cooldown")];
    private static readonly string[] MetricKeys = ["metric", "per", "above", "below", "for_frames"];
    private static readonly string[] NewClusterKeys = ["persists_frames"];
    private static readonly string[] ActionKeys =
        [.. Durations.KeysFor("interval"), "min_frames", "bleach", "z_stack", "next_position", "stop"];
    private static readonly string[] BleachKeys =
    [
        "choose", "radius_px", "pre_bleach_frames", .. Durations.KeysFor("recovery_interval"), .. Durations.KeysFor("recovery_duration"),
        "dwell_ms", "power", "channel", "local_pool",
    ];
    private static readonly string[] ZStackKeys = ["range_um", "step_um"];

    public const int DefaultMinFastFrames = 3;
    public const double DefaultRecoveryIntervalS = 1, DefaultRecoveryDurationS = 60;

    private ProtocolErrors Errors => s.Errors;

    public AdaptSpec Read(ConfigNode? node)
    {
        if (node is null || node.IsNull) return AdaptSpec.None;
        s.Sources.Add("adapt", node);
        Errors.CheckKeys(node, SectionKeys);
        if (!node.IsMapping) return AdaptSpec.None;
        var limits = Limits(node.Child("limits"));
        var rules = new List<AdaptRule>();
        if (node.Child("rules") is { IsNull: false } list)
            foreach (var (item, i) in s.Items(list))
                if (Rule(item, $"adapt.rules[{i}]", i) is { } rule) rules.Add(rule);
        var names = rules.GroupBy(r => r.Name).Where(g => g.Count() > 1).Select(g => g.Key);
        foreach (var dup in names) Errors.Add(s.Sources.Error("adapt.rules", $"two rules are named '{dup}'; decisions are logged by name, so names must differ"));
        return new AdaptSpec { Rules = rules, Limits = limits };
    }

    private AdaptLimits Limits(ConfigNode? node)
    {
        var limits = new AdaptLimits();
        if (node is null || node.IsNull) return limits;
        s.Sources.Add("adapt.limits", node);
        Errors.CheckKeys(node, LimitKeys);
        if (!node.IsMapping) return limits;
        return limits with
        {
            MaxBleaches = Errors.Try(() => node.GetInt("max_bleaches", limits.MaxBleaches, 0), limits.MaxBleaches),
            MaxBleachesPerCell = Errors.Try(() => node.GetInt("max_bleaches_per_cell", limits.MaxBleachesPerCell, 1), limits.MaxBleachesPerCell),
            MaxFastImagingS = Errors.Try(() => Durations.Read(node, "max_fast_imaging")?.Seconds, null) ?? limits.MaxFastImagingS,
            LightDosePerPositionS = Errors.Try(() => Durations.Read(node, "light_dose_per_position")?.Seconds, null),
        };
    }

    private AdaptRule? Rule(ConfigNode item, string path, int index)
    {
        s.Sources.Add(path, item);
        Errors.CheckKeys(item, RuleKeys);
        if (!item.IsMapping) return null;
        var name = s.Str(item, "name", $"rule{index + 1}");
        var when = Errors.Try(() => Condition(item.Required("when"), path + ".when"), null);
        var then = Errors.Try(() => Actions(item.Required("then"), path + ".then"), []);
        var cooldown = Errors.Try(() => Durations.Read(item, "cooldown"), null);
        if (cooldown is { Seconds: < 0 } c) Errors.Add(c.Node.Error("must not be negative"));
        var phases = Errors.Try(() => Phases(item.Child("phases"), path + ".phases"), null);
        if (when is null) return null;
        if (then.Count == 0) Errors.Add(s.Sources.Error(path, "has no actions under then"));
        return new AdaptRule(name, when, then, Math.Max(0, cooldown?.Seconds ?? 0)) { SourcePath = path, Phases = phases };
    }

    /// <summary>A phase name or a list of them; null when the key is absent (the rule watches every phase).</summary>
    private List<string>? Phases(ConfigNode? node, string path)
    {
        if (node is null || node.IsNull) return null;
        s.Sources.Add(path, node);
        var names = node.IsSequence ? node.Items.Select(n => n.AsString()).ToList() : [node.AsString()];
        if (names.Count == 0) throw node.Error("list at least one phase, or leave phases out to watch every phase");
        return names;
    }

    private AdaptCondition Condition(ConfigNode node, string path)
    {
        s.Sources.Add(path, node);
        if (!node.IsMapping) throw node.Error("expected a condition such as { metric: cluster_count, above: 20 } or { new_cluster: { persists_frames: 3 } }");
        if (node.Child("new_cluster") is { } nc)
        {
            foreach (var key in node.Keys.Where(k => k != "new_cluster")) throw node.Child(key)!.Error("new_cluster is a condition of its own; remove this key");
            if (nc.IsNull) return new NewClusterCondition(3);
            Errors.CheckKeys(nc, NewClusterKeys);
            return new NewClusterCondition(nc.GetInt("persists_frames", 3, 1, 1000));
        }
        Errors.CheckKeys(node, MetricKeys);
        var metricNode = node.Required("metric");
        var metric = ProtocolSections.ReadEnum<AdaptMetric>(metricNode);
        var per = node.Child("per") is { } p ? ProtocolSections.ReadEnum<MetricScope>(p) : MetricScope.Field;
        var above = node.Child("above");
        var below = node.Child("below");
        if ((above is null) == (below is null))
            throw node.Error("give exactly one of above: or below: (the threshold)");
        double threshold = (above ?? below)!.AsDouble();
        int frames = node.GetInt("for_frames", 1, 1, 1000);
        return new MetricCondition(metric, per, above is not null, threshold, frames);
    }

    private List<AdaptAction> Actions(ConfigNode node, string path)
    {
        var actions = new List<AdaptAction>();
        var items = node.IsSequence ? node.Items.Select((n, i) => (n, $"{path}[{i}]")) : [(node, path)];
        foreach (var (item, itemPath) in items)
        {
            s.Sources.Add(itemPath, item);
            // The validator reports against "<rule>.then.<action>", whichever list item the action sat in.
            foreach (var key in new[] { "interval", "bleach", "z_stack" }) s.Sources.AddChild($"{path}.{key}", item, key);
            if (!item.IsMapping) throw item.Error("expected actions such as { interval: 10 s } or { bleach: { choose: newest } }");
            Errors.CheckKeys(item, ActionKeys);
            Errors.Try(() =>
            {
                if (Durations.KeysFor("interval").Any(item.Has)) actions.Add(Interval(item));
                else if (item.Child("min_frames") is { } stray) throw stray.Error("applies only with interval:");
                if (item.Child("bleach") is { } b) actions.Add(Bleach(b, $"{path}.bleach"));
                if (item.Child("z_stack") is { } z) actions.Add(ZStack(z));
                if (item.Child("next_position") is { } next && (next.IsNull || next.AsBool())) actions.Add(new NextPositionAction());
                if (item.Child("stop") is { } stop) actions.Add(new StopAction(stop.IsNull || stop.AsString() is "true" ? "a rule asked to stop" : stop.AsString()));
            });
        }
        return actions;
    }

    private static IntervalAction Interval(ConfigNode item)
    {
        int minFrames = item.GetInt("min_frames", DefaultMinFastFrames, 1, 100_000);
        if (item.Child("interval") is { IsScalar: true } n && n.AsString() is "normal" or "protocol")
        {
            if (item.Child("min_frames") is { } stray) throw stray.Error("applies only to a fast interval, not to interval: normal");
            return new IntervalAction(null, 0);
        }
        var read = Durations.Read(item, "interval")!.Value;
        if (read.Seconds <= 0) throw read.Node.Error("must be greater than zero");
        return new IntervalAction(read.Seconds, minFrames);
    }

    private BleachAction Bleach(ConfigNode node, string modelPath)
    {
        // Each setting's own line and key, so the validator names e.g. the power: line, not the bleach: one.
        if (node.IsMapping)
            foreach (var key in node.Keys) s.Sources.AddChild($"{modelPath}.{key}", node, key);
        if (node.IsNull || node.IsScalar)
            return new BleachAction(node.IsNull ? FrapTargetChoice.Newest : ProtocolSections.ReadEnum<FrapTargetChoice>(node), ProtocolSections.DefaultAnalysisRadiusPx,
                ProtocolSections.DefaultPreBleachFrames, DefaultRecoveryIntervalS, DefaultRecoveryDurationS, ProtocolSections.DefaultDwellMs,
                ProtocolSections.DefaultBleachPower, null);
        Errors.CheckKeys(node, BleachKeys);
        var interval = Durations.Read(node, "recovery_interval");
        var duration = Durations.Read(node, "recovery_duration");
        return new BleachAction(
            node.Child("choose") is { } c ? ProtocolSections.ReadEnum<FrapTargetChoice>(c) : FrapTargetChoice.Newest,
            node.GetDouble("radius_px", ProtocolSections.DefaultAnalysisRadiusPx),
            node.GetInt("pre_bleach_frames", ProtocolSections.DefaultPreBleachFrames, 1),
            interval?.Seconds ?? DefaultRecoveryIntervalS,
            duration?.Seconds ?? DefaultRecoveryDurationS,
            node.GetDouble("dwell_ms", ProtocolSections.DefaultDwellMs),
            s.Power(node, "power") ?? ProtocolSections.DefaultBleachPower,
            node.Child("channel")?.AsString()) { LocalPool = node.Child("local_pool")?.AsBool() ?? false };
    }

    private ZStackAction ZStack(ConfigNode node)
    {
        Errors.CheckKeys(node, ZStackKeys);
        var range = node.Required("range_um").AsDouble();
        var step = node.Required("step_um").AsDouble();
        if (step <= 0) throw node.Child("step_um")!.Error("must be greater than zero");
        if (range < 0) throw node.Child("range_um")!.Error("must not be negative");
        return new ZStackAction(range, step);
    }
}
