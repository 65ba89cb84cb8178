using LiveScope.Core.Config;

namespace LiveScope.Acquisition.Protocols;

/// <summary>Reads a LiveScope protocol file (the format docs/protocols.md describes) into a <see cref="Protocol"/>.</summary>
internal sealed class NativeProtocolReader(ProtocolErrors errors, ProtocolSources sources, RigCapabilities? rig)
{
    public static readonly string[] RootKeys =
    [
        "name", "description", "sample", "positions", "rois", "channels", "z_stack", "autofocus", "phases", "frap",
        "output", "axis_order", "skip_failing_positions", "conditions", "adapt",
    ];
    private static readonly string[] PositionKeys = ["name", "x_um", "y_um", "z_um", "grid"];
    private static readonly string[] GridKeys =
        ["rows", "columns", "spacing_um", "overlap", "fov_width_um", "fov_height_um", "order", "relative_to"];
    private static readonly string[] ChannelKeys = ["preset", "exposure_ms", "power"];
    private static readonly string[] ZStackKeys = ["range_um", "step_um"];
    private static readonly string[] AutofocusKeys = ["every_timepoints", "per_position"];
    private static readonly string[] ImagingPhaseKeys =
        ["name", .. Durations.KeysFor("interval"), .. Durations.KeysFor("duration")];
    private static readonly string[] PhaseKeys = [.. ImagingPhaseKeys, "stimulate"];

    private readonly ProtocolSections _s = new(errors, sources);

    public Protocol Read(ConfigNode root)
    {
        errors.CheckKeys(root, RootKeys);
        var name = _s.Str(root, "name", Path.GetFileNameWithoutExtension(root.File));
        sources.AddChild("name", root, "name");
        var sample = _s.Sample(root.Child("sample"));
        var positions = Positions(root.Child("positions"), root);
        var channels = Channels(root.Child("channels"), root);
        var phases = Phases(root.Child("phases"), root);
        var rois = _s.Rois(root.Child("rois"));
        var timeline = new ProtocolTimeline(phases);
        return new Protocol
        {
            Name = name,
            Description = _s.Str(root, "description", ""),
            SourceFile = root.File,
            Sample = sample,
            Positions = positions,
            Channels = channels,
            ZStack = ZStack(root.Child("z_stack")),
            Autofocus = Autofocus(root.Child("autofocus")),
            Phases = phases,
            Frap = _s.Frap(root.Child("frap"), positions, channels, rois, timeline),
            Output = _s.Output(root.Child("output")),
            AxisOrder = AxisOrderOf(root.Child("axis_order")),
            SkipFailingPositions = errors.Try(() => root.GetBool("skip_failing_positions", true), true),
            Conditions = _s.Conditions(root.Child("conditions"), sample),
            Adapt = _s.Adapt(root.Child("adapt")),
        };
    }

    private List<PositionSpec> Positions(ConfigNode? node, ConfigNode root)
    {
        var list = new List<PositionSpec>();
        if (node is null || node.IsNull)
        {
            errors.Add(new ConfigException(root.Location, "positions", "is required but missing: list at least one stage position"));
            return list;
        }
        sources.Add("positions", node);
        foreach (var (item, i) in _s.Items(node))
        {
            errors.CheckKeys(item, PositionKeys);
            if (!item.IsMapping) continue;
            var name = errors.Try(() => item.Required("name").AsString(), $"position{i + 1}");
            var x = errors.Try(() => item.Required("x_um").AsDouble(), 0);
            var y = errors.Try(() => item.Required("y_um").AsDouble(), 0);
            var z = errors.Try<double?>(() => item.Child("z_um") is { IsNull: false } zn ? zn.AsDouble() : null, null);
            var tiles = item.Child("grid") is { IsNull: false } g
                ? errors.Try(() => Grid(g).Expand(name, x, y, z), [])
                : [new PositionSpec(name, x, y, z)];
            foreach (var tile in tiles)
            {
                var path = $"positions[{list.Count}]";
                sources.Add(path, item);
                sources.AddChild(path + ".name", item, "name");
                // A grid tile's coordinates derive from the position's x_um/y_um, so its errors point there.
                sources.Add(path + ".x", item.Child("x_um") ?? item);
                sources.Add(path + ".y", item.Child("y_um") ?? item);
                sources.AddChild(path + ".z", item, "z_um");
                list.Add(tile);
            }
        }
        if (list.Count == 0 && !errors.Any) errors.Add(node.Error("lists no positions; list at least one"));
        return list;
    }

    private GridPlan Grid(ConfigNode g)
    {
        errors.CheckKeys(g, GridKeys);
        int rows = g.GetInt("rows", 1, 1), columns = g.GetInt("columns", 1, 1);
        var order = g.Child("order") is { } o ? ProtocolSections.ReadEnum<GridOrder>(o) : GridOrder.RowWiseSnake;
        bool centered = ProtocolSections.ReadGridCentred(g);
        double dx, dy;
        if (g.Child("spacing_um") is { } spacing)
        {
            if (g.Child("overlap") is { } both) throw both.Error("give either spacing_um or overlap, not both");
            (dx, dy) = spacing.IsSequence ? Pair(spacing) : (spacing.AsDouble(), spacing.AsDouble());
        }
        else
        {
            var overlapNode = g.Child("overlap");
            double overlap = overlapNode?.AsDouble(0, 0.99) ?? 0;
            double? fovW = g.Child("fov_width_um")?.AsDouble() ?? rig?.FieldOfViewWidthUm;
            double? fovH = g.Child("fov_height_um")?.AsDouble() ?? rig?.FieldOfViewHeightUm;
            if (fovW is null || fovH is null)
                throw g.Error("needs spacing_um, or overlap with fov_width_um and fov_height_um (the camera's field of view is not known here)");
            (dx, dy) = (GridPlan.Step(fovW.Value, overlap), GridPlan.Step(fovH.Value, overlap));
        }
        if (dx <= 0 || dy <= 0) throw g.Error("tile spacing must be greater than zero");
        return new GridPlan(rows, columns, dx, dy, centered, order);
    }

    private static (double, double) Pair(ConfigNode node)
    {
        var items = node.Items.ToList();
        if (items.Count != 2) throw node.Error($"expected one number or [x, y], found {items.Count} numbers");
        return (items[0].AsDouble(), items[1].AsDouble());
    }

    private List<ChannelSpec> Channels(ConfigNode? node, ConfigNode root)
    {
        var list = new List<ChannelSpec>();
        if (node is null || node.IsNull)
        {
            errors.Add(new ConfigException(root.Location, "channels", "is required but missing: list at least one channel"));
            return list;
        }
        sources.Add("channels", node);
        foreach (var (item, i) in _s.Items(node))
        {
            var path = $"channels[{i}]";
            sources.Add(path, item);
            errors.CheckKeys(item, ChannelKeys);
            if (!item.IsMapping) continue;
            sources.AddChild(path + ".name", item, "preset");
            sources.AddChild(path + ".exposure", item, "exposure_ms");
            sources.AddChild(path + ".power", item, "power");
            list.Add(new ChannelSpec(
                errors.Try(() => item.Required("preset").AsString(), ""),
                errors.Try(() => item.Required("exposure_ms").AsDouble(), 1),
                _s.Power(item, "power")));
        }
        return list;
    }

    private ZStackSpec? ZStack(ConfigNode? node)
    {
        if (node is null || node.IsNull) return null;
        sources.Add("z_stack", node);
        errors.CheckKeys(node, ZStackKeys);
        if (!node.IsMapping) return null;
        sources.AddChild("z_stack.range", node, "range_um");
        sources.AddChild("z_stack.step", node, "step_um");
        return new ZStackSpec(errors.Try(() => node.Required("range_um").AsDouble(), 0),
            errors.Try(() => node.Required("step_um").AsDouble(), 1));
    }

    private AutofocusSpec? Autofocus(ConfigNode? node)
    {
        if (node is null || node.IsNull) return null;
        sources.Add("autofocus", node);
        errors.CheckKeys(node, AutofocusKeys);
        if (!node.IsMapping) return null;
        sources.AddChild("autofocus.every", node, "every_timepoints");
        return new AutofocusSpec(errors.Try(() => node.GetInt("every_timepoints", 1), 1),
            errors.Try(() => node.GetBool("per_position", true), true));
    }

    private List<PhaseSpec> Phases(ConfigNode? node, ConfigNode root)
    {
        var list = new List<PhaseSpec>();
        if (node is null || node.IsNull)
        {
            errors.Add(new ConfigException(root.Location, "phases", "is required but missing: list at least one imaging phase"));
            return list;
        }
        sources.Add("phases", node);
        foreach (var (item, i) in _s.Items(node))
        {
            var path = $"phases[{i}]";
            sources.Add(path, item);
            bool stimulation = item.IsMapping && item.Has("stimulate");
            errors.CheckKeys(item, stimulation ? ["name", "stimulate"] : PhaseKeys);
            if (!item.IsMapping) continue;
            sources.AddChild(path + ".name", item, "name");
            var name = errors.Try(() => item.Required("name").AsString(), $"phase{i + 1}");
            if (stimulation)
            {
                list.Add(_s.Stimulation(name, item.Required("stimulate"), path));
                continue;
            }
            var interval = _s.RequiredDuration(item, "interval", path, " (or write stimulate: for a stimulation phase)");
            var duration = _s.RequiredDuration(item, "duration", path);
            list.Add(new ImagingPhaseSpec(name, interval ?? 1, duration ?? 1));
        }
        return list;
    }

    private AxisOrder AxisOrderOf(ConfigNode? node)
    {
        if (node is null || node.IsNull) return AxisOrder.PositionChannelZ;
        sources.Add("axis_order", node);
        return errors.Try(() => ProtocolSections.ReadEnum<AxisOrder>(node), AxisOrder.PositionChannelZ);
    }
}
