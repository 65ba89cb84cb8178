using System.Globalization;
using LiveScope.Core.Config;
using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;

namespace LiveScope.Acquisition.Protocols;

/// <summary>
/// Readers for the protocol sections that LiveScope files and useq files (under <c>metadata.livescope</c>) share:
/// sample labels, stimulation, ROIs, FRAP steps, output, conditions and adaptive rules. Every read records its
/// errors and where each value came from, and returns a usable fallback so reading goes on.
/// </summary>
internal sealed class ProtocolSections(ProtocolErrors errors, ProtocolSources sources)
{
    public static readonly string[] SampleKeys = ["cell_line", "condition", "treatment_history", "notes"];
    public static readonly string[] StimulationKeys = ["reagent", "concentration", "unit", "by"];
    public static readonly string[] RoiKeys = ["shape", "center_px", "radius_px", "vertices_px"];
    public static readonly string[] OutputKeys = ["folder", "name"];
    public static readonly string[] ConditionKeys = ["name", "sample", "simulation"];
    public static readonly string[] FrapKeys =
    [
        "name", "position", "channel", "at", "at_s", "at_min", "at_ms", "at_h", "at_timepoint", "roi", "target", "choose",
        "radius_px", "pre_bleach_frames", "recovery_interval", "recovery_interval_s", "recovery_interval_ms",
        "recovery_interval_min", "recovery_interval_h", "recovery_duration", "recovery_duration_s", "recovery_duration_ms",
        "recovery_duration_min", "recovery_duration_h", "dwell_ms", "power", "local_pool",
    ];

    public const int DefaultPreBleachFrames = 3;
    public const double DefaultDwellMs = 0.5;
    public const double DefaultBleachPower = 1.0;
    public const double DefaultAnalysisRadiusPx = 3;

    public ProtocolErrors Errors => errors;
    public ProtocolSources Sources => sources;

    public string Str(ConfigNode parent, string key, string fallback) =>
        errors.Try(() => parent.Child(key) is { IsNull: false } n ? n.AsString() : fallback, fallback);

    public SampleInfo Sample(ConfigNode? node, SampleInfo? inherit = null)
    {
        var sample = inherit ?? new SampleInfo();
        if (node is null || node.IsNull) return sample;
        errors.CheckKeys(node, SampleKeys);
        if (!node.IsMapping) return sample;
        return sample with
        {
            CellLine = Str(node, "cell_line", sample.CellLine),
            Condition = Str(node, "condition", sample.Condition),
            TreatmentHistory = Str(node, "treatment_history", sample.TreatmentHistory),
            Notes = Str(node, "notes", sample.Notes),
        };
    }

    /// <summary>A power as a fraction of maximum: 0.25 or "25%".</summary>
    public double? Power(ConfigNode parent, string key)
    {
        var n = parent.Child(key);
        if (n is null || n.IsNull) return null;
        return errors.Try<double?>(() =>
        {
            var text = n.AsString().Trim();
            if (text.EndsWith('%')
                && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var pct))
                return pct / 100;
            return n.AsDouble();
        }, null);
    }

    public StimulationPhaseSpec Stimulation(string name, ConfigNode node, string modelPath)
    {
        errors.CheckKeys(node, StimulationKeys);
        if (!node.IsMapping) return new StimulationPhaseSpec(name, "", 0, "", StimulationBy.LiquidHandler);
        sources.AddChild(modelPath + ".reagent", node, "reagent");
        sources.AddChild(modelPath + ".concentration", node, "concentration");
        sources.AddChild(modelPath + ".by", node, "by");
        var reagent = errors.Try(() => node.Required("reagent").AsString(), "");
        var concentration = errors.Try(() => node.Child("concentration")?.AsDouble() ?? 0, 0);
        var unit = Str(node, "unit", "");
        var by = errors.Try(() => node.Child("by") is { } b ? ReadEnum<StimulationBy>(b) : StimulationBy.LiquidHandler,
            StimulationBy.LiquidHandler);
        return new StimulationPhaseSpec(name, reagent, concentration, unit, by);
    }

    /// <summary>A grid's <c>relative_to</c>: "center" (the default, grid centred on the position) or "top_left".</summary>
    public static bool ReadGridCentred(ConfigNode grid)
    {
        if (grid.Child("relative_to") is not { } rel) return true;
        string[] options = ["center", "top_left"];
        var text = rel.AsString();
        if (!options.Contains(text)) throw rel.Error($"'{text}' is not one of: center, top_left{Suggest.DidYouMean(text, options)}");
        return text == "center";
    }

    public static T ReadEnum<T>(ConfigNode node) where T : struct, Enum
    {
        var text = node.AsString();
        var squeezed = text.Replace("_", "").Replace("-", "").Replace(" ", "");
        foreach (var value in Enum.GetValues<T>())
            if (string.Equals(value.ToString(), squeezed, StringComparison.OrdinalIgnoreCase)) return value;
        var names = Enum.GetNames<T>().Select(ConfigBinder.KeyName).ToArray();
        throw node.Error($"'{text}' is not one of: {string.Join(", ", names)}{Suggest.DidYouMean(text, names)}");
    }

    public PixelPoint Point(ConfigNode node)
    {
        var items = node.Items.ToList();
        if (items.Count != 2) throw node.Error($"expected [x, y] in camera pixels, found {items.Count} numbers");
        return new PixelPoint(items[0].AsDouble(), items[1].AsDouble());
    }

    public Dictionary<string, (BleachRegion Region, ConfigNode Node)> Rois(ConfigNode? node)
    {
        var rois = new Dictionary<string, (BleachRegion, ConfigNode)>(StringComparer.Ordinal);
        if (node is null || node.IsNull) return rois;
        if (!node.IsMapping)
        {
            errors.Add(node.Error("expected a mapping of ROI names to shapes"));
            return rois;
        }
        foreach (var (name, roi) in node.Entries)
            if (Roi(roi) is { } region) rois[name] = (region, roi);
        return rois;
    }

    public BleachRegion? Roi(ConfigNode node)
    {
        errors.CheckKeys(node, RoiKeys);
        if (!node.IsMapping) return null;
        return errors.Try<BleachRegion?>(() =>
        {
            var shapeNode = node.Required("shape");
            string[] shapes = ["point", "circle", "polygon"];
            var shape = shapeNode.AsString();
            string[] Needs(string s) => s switch
            {
                "point" => ["center_px"],
                "circle" => ["center_px", "radius_px"],
                _ => ["vertices_px"],
            };
            if (!shapes.Contains(shape))
                throw shapeNode.Error($"'{shape}' is not one of: {string.Join(", ", shapes)}{Suggest.DidYouMean(shape, shapes)}");
            foreach (var key in RoiKeys.Skip(1).Except(Needs(shape)))
                if (node.Child(key) is { } extra)
                    throw extra.Error($"does not apply to a {shape}; a {shape} takes {string.Join(" and ", Needs(shape))}");
            return shape switch
            {
                "point" => new BleachPoint(Point(node.Required("center_px"))),
                "circle" => new BleachCircle(Point(node.Required("center_px")), node.Required("radius_px").AsDouble()),
                _ => new BleachPolygon(node.Required("vertices_px").Items.Select(Point).ToList()),
            };
        }, null);
    }

    public OutputSpec Output(ConfigNode? node)
    {
        var output = new OutputSpec();
        if (node is null || node.IsNull) return output;
        sources.Add("output", node);
        errors.CheckKeys(node, OutputKeys);
        if (!node.IsMapping) return output;
        sources.AddChild("output.folder", node, "folder");
        sources.AddChild("output.name", node, "name");
        return output with { Folder = Str(node, "folder", output.Folder), Name = Str(node, "name", output.Name) };
    }

    public List<ConditionSpec> Conditions(ConfigNode? node, SampleInfo sample)
    {
        var list = new List<ConditionSpec>();
        if (node is null || node.IsNull) return list;
        foreach (var (item, i) in Items(node))
        {
            var path = $"conditions[{i}]";
            sources.Add(path, item);
            errors.CheckKeys(item, ConditionKeys);
            if (!item.IsMapping) continue;
            sources.AddChild(path + ".name", item, "name");
            var name = errors.Try(() => item.Required("name").AsString(), $"condition{i + 1}");
            var labels = Sample(item.Child("sample"), sample);
            if (item.Child("sample")?.Child("condition") is null) labels = labels with { Condition = name };
            var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
            if (item.Child("simulation") is { IsNull: false } sim)
            {
                sources.Add(path + ".simulation", sim);
                errors.Try(() =>
                {
                    foreach (var (key, value) in sim.Entries)
                    {
                        sources.Add($"{path}.simulation.{key}", value);
                        errors.Try(() => overrides[key] = value.AsString());
                    }
                });
            }
            list.Add(new ConditionSpec(name, labels, overrides));
        }
        return list;
    }

    public AdaptSpec Adapt(ConfigNode? node) => new AdaptSection(this).Read(node);

    public List<FrapSpec> Frap(ConfigNode? node, IReadOnlyList<PositionSpec> positions, IReadOnlyList<ChannelSpec> channels,
        IReadOnlyDictionary<string, (BleachRegion Region, ConfigNode Node)> rois, ProtocolTimeline timeline)
    {
        var list = new List<FrapSpec>();
        if (node is null || node.IsNull) return list;
        foreach (var (item, i) in Items(node))
        {
            var path = $"frap[{i}]";
            sources.Add(path, item);
            errors.CheckKeys(item, FrapKeys);
            if (!item.IsMapping) continue;
            foreach (var key in new[] { "name", "position", "channel", "roi", "target", "choose", "radius_px", "pre_bleach_frames", "dwell_ms", "power", "at_timepoint", "local_pool" })
                sources.AddChild($"{path}.{key}", item, key);

            var at = errors.Try(() => FrapTime(item, timeline, path), 0);
            var target = errors.Try<FrapTargetSpec?>(() => FrapTarget(item, rois, path), null);
            var recoveryInterval = RequiredDuration(item, "recovery_interval", path);
            var recoveryDuration = RequiredDuration(item, "recovery_duration", path);

            list.Add(new FrapSpec(
                Name: Str(item, "name", $"frap{i + 1}"),
                AtS: at,
                Position: Str(item, "position", positions.Count > 0 ? positions[0].Name : ""),
                Channel: Str(item, "channel", channels.Count > 0 ? channels[0].Name : ""),
                Target: target ?? new FrapAnalysisTarget(FrapTargetChoice.Brightest, DefaultAnalysisRadiusPx),
                PreBleachFrames: errors.Try(() => item.GetInt("pre_bleach_frames", DefaultPreBleachFrames, 0), DefaultPreBleachFrames),
                RecoveryIntervalS: recoveryInterval ?? 1,
                RecoveryDurationS: recoveryDuration ?? 1,
                DwellMs: errors.Try(() => item.GetDouble("dwell_ms", DefaultDwellMs), DefaultDwellMs),
                PowerFraction: Power(item, "power") ?? DefaultBleachPower)
            {
                LocalPool = errors.Try(() => item.Child("local_pool")?.AsBool() ?? false, false),
            });
        }
        return list;
    }

    /// <summary>A required duration (any spelling <see cref="Durations.Read"/> accepts); null after recording why not.</summary>
    public double? RequiredDuration(ConfigNode item, string key, string modelPath, string missingHint = "")
    {
        try
        {
            if (Durations.Read(item, key) is { } d)
            {
                sources.Add($"{modelPath}.{key}", d.Node);
                return d.Seconds;
            }
            errors.Add(sources.Below(modelPath, key).Error("is required but missing" + missingHint));
        }
        catch (ConfigException e)
        {
            errors.Add(e);
        }
        return null;
    }

    private double FrapTime(ConfigNode item, ProtocolTimeline timeline, string path)
    {
        var at = Durations.Read(item, "at");
        var tp = item.Child("at_timepoint");
        if (at is not null && tp is not null)
            throw tp.Error("give either at (a time from time zero) or at_timepoint, not both");
        if (at is { } a)
        {
            sources.Add(path + ".at", a.Node);
            return a.Seconds;
        }
        if (tp is not null)
        {
            int n = tp.AsInt();
            return timeline.TimepointS(n)
                   ?? throw tp.Error($"timepoint {n} does not exist; the phases have timepoints 0 to {timeline.TotalTimepoints - 1}");
        }
        throw new ConfigException(item.Location, item.KeyPath + ".at", "is required but missing: give at (e.g. '2 min' after time zero) or at_timepoint");
    }

    private FrapTargetSpec FrapTarget(ConfigNode item, IReadOnlyDictionary<string, (BleachRegion Region, ConfigNode Node)> rois, string path)
    {
        var roi = item.Child("roi");
        var target = item.Child("target");
        if (target is not null && !target.IsNull)
        {
            var what = target.AsString();
            string[] kinds = ["analysis", "roi"];
            if (!kinds.Contains(what))
                throw target.Error($"'{what}' is not one of: analysis, roi{Suggest.DidYouMean(what, kinds)}");
            if (what == "analysis")
            {
                if (roi is not null) throw roi.Error("a step with target: analysis bleaches what analysis chooses; remove roi");
                var choice = item.Child("choose") is { } c ? ReadEnum<FrapTargetChoice>(c) : FrapTargetChoice.Brightest;
                return new FrapAnalysisTarget(choice, item.GetDouble("radius_px", DefaultAnalysisRadiusPx));
            }
        }
        foreach (var key in new[] { "choose", "radius_px" })
            if (item.Child(key) is { } stray) throw stray.Error("applies only with target: analysis");
        if (roi is null)
            throw new ConfigException(item.Location, item.KeyPath + ".roi",
                "is required but missing: name an ROI from rois (or give one inline), or write target: analysis");
        if (roi.IsMapping) return new FrapRoiTarget(Roi(roi) ?? throw roi.Error("is not a usable ROI"));
        var name = roi.AsString();
        if (rois.TryGetValue(name, out var found)) return new FrapRoiTarget(found.Region);
        throw roi.Error(rois.Count == 0
            ? $"no ROI named '{name}'; define it under rois: or give the shape here"
            : $"no ROI named '{name}'{Suggest.DidYouMean(name, rois.Keys)}; rois: {string.Join(", ", rois.Keys)}");
    }

    public IEnumerable<(ConfigNode Item, int Index)> Items(ConfigNode node)
    {
        var items = errors.Try(() => node.Items.ToList(), []);
        return items.Select((n, i) => (n, i));
    }
}
