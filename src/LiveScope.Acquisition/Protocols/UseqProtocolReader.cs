using LiveScope.Core.Config;

namespace LiveScope.Acquisition.Protocols;

/// <summary>
/// Reads a useq-schema <c>MDASequence</c> (YAML or JSON, as pymmcore-plus writes it) into a <see cref="Protocol"/>.
/// What useq cannot say (sample labels, stimulation, FRAP, conditions, output, channel power) may be given under
/// <c>metadata.livescope</c>; other metadata is kept out of the way. Parts of useq LiveScope cannot run the same
/// way (spiral grids, per-channel z offsets, asymmetric z ranges, …) are refused with a clear error rather than
/// approximated. The mapping is documented in docs/protocols.md.
/// </summary>
internal sealed class UseqProtocolReader(ProtocolErrors errors, ProtocolSources sources, RigCapabilities? rig)
{
    public static readonly string[] RootKeys =
        ["metadata", "axis_order", "stage_positions", "grid_plan", "channels", "time_plan", "z_plan", "autofocus_plan",
         "keep_shutter_open_across"];
    private static readonly string[] ExtensionKeys =
        ["name", "description", "sample", "phase_names", "stimulation", "channel_power", "rois", "frap", "output",
         "conditions", "adapt", "skip_failing_positions"];
    private static readonly string[] StimulationKeys = ["after_phase", "name", .. ProtocolSections.StimulationKeys];
    private static readonly string[] PositionKeys = ["x", "y", "z", "name", "sequence"];
    private static readonly string[] ChannelKeys = ["config", "group", "exposure", "do_stack", "z_offset", "acquire_every", "camera"];
    private static readonly string[] TimeKeys = ["interval", "duration", "loops", "prioritize_duration", "phases"];
    private static readonly string[] ZKeys = ["range", "step", "above", "below", "top", "bottom", "go_up", "relative", "absolute"];
    private static readonly string[] GridKeys =
        ["rows", "columns", "relative_to", "overlap", "mode", "fov_width", "fov_height", "top", "left", "bottom", "right",
         "width", "height"];
    private static readonly string[] AutofocusKeys = ["autofocus_device_name", "autofocus_motor_offset", "axes"];

    private readonly ProtocolSections _s = new(errors, sources);

    /// <summary>Keys that mark a file as a useq sequence rather than a LiveScope protocol.</summary>
    public static bool Looks(ConfigNode root) =>
        root.IsMapping && root.Keys.Any(k => k is "time_plan" or "z_plan" or "stage_positions" or "grid_plan" or "metadata"
            or "autofocus_plan" or "keep_shutter_open_across")
        && !root.Has("phases");

    public Protocol Read(ConfigNode root)
    {
        errors.CheckKeys(root, RootKeys);
        var ext = Extension(root.Child("metadata"));
        if (ext is not null) errors.CheckKeys(ext, ExtensionKeys);
        ConfigNode? X(string key) => ext is { IsMapping: true } e ? e.Child(key) : null;

        var sample = _s.Sample(X("sample"));
        var zPlan = root.Child("z_plan");
        var (zStack, absoluteZ) = ZPlan(zPlan);
        var positions = Positions(root, absoluteZ);
        var channels = Channels(root, X("channel_power"));
        var phases = Phases(root, X("phase_names"), X("stimulation"));
        var timeline = new ProtocolTimeline(phases);
        return new Protocol
        {
            Name = ext is { IsMapping: true } ? _s.Str(ext, "name", DefaultName(root)) : DefaultName(root),
            Description = ext is { IsMapping: true } ? _s.Str(ext, "description", "") : "",
            SourceFile = root.File,
            Sample = sample,
            Positions = positions,
            Channels = channels,
            ZStack = zStack,
            Autofocus = Autofocus(root.Child("autofocus_plan")),
            Phases = phases,
            Frap = _s.Frap(X("frap"), positions, channels, _s.Rois(X("rois")), timeline),
            Output = _s.Output(X("output")),
            AxisOrder = AxisOrderOf(root.Child("axis_order")),
            SkipFailingPositions = X("skip_failing_positions") is { } skip ? errors.Try(skip.AsBool, true) : true,
            Conditions = _s.Conditions(X("conditions"), sample),
            Adapt = _s.Adapt(X("adapt")),
        };
    }

    private static string DefaultName(ConfigNode root) => Path.GetFileNameWithoutExtension(root.File);

    private ConfigNode? Extension(ConfigNode? metadata)
    {
        if (metadata is null || metadata.IsNull) return null;
        return errors.Try(() => metadata.Child("livescope"), null) is { IsNull: false } ext ? ext : null;
    }

    private (ZStackSpec?, double? AbsoluteCentreUm) ZPlan(ConfigNode? z)
    {
        if (z is null || z.IsNull || (z.IsMapping && !z.Keys.Any())) return (null, null);
        sources.Add("z_stack", z);
        errors.CheckKeys(z, ZKeys);
        if (!z.IsMapping) return (null, null);
        sources.AddChild("z_stack.step", z, "step");
        sources.AddChild("z_stack.range", z, "range");
        return errors.Try<(ZStackSpec?, double?)>(() =>
        {
            if (z.Child("go_up") is { } up && !up.AsBool())
                throw up.Error("go_up: false (top to bottom) is not supported; LiveScope takes z-stacks from the bottom up");
            foreach (var list in new[] { "relative", "absolute" })
                if (z.Child(list) is { } l)
                    throw l.Error($"a z_plan listing {list} positions is not supported; use range/step, above/below/step or top/bottom/step");
            double step = z.Required("step").AsDouble();
            if (z.Child("range") is { } range) return (new ZStackSpec(range.AsDouble(), step), null);
            if (z.Child("above") is { } above)
            {
                double a = Math.Abs(above.AsDouble()), b = Math.Abs(z.Required("below").AsDouble());
                if (Math.Abs(a - b) > 1e-9)
                    throw above.Error($"an asymmetric z range (above {a} µm, below {b} µm) is not supported; LiveScope centres z-stacks on the focus");
                return (new ZStackSpec(a + b, step), null);
            }
            if (z.Child("top") is { } top)
            {
                double t = top.AsDouble(), bottom = z.Required("bottom").AsDouble();
                sources.Add("z_stack.range", top);
                // An absolute stack is the same slices as a stack centred on the mid-plane: positions focus there.
                return (new ZStackSpec(Math.Abs(t - bottom), step), (t + bottom) / 2);
            }
            throw z.Error("expected range/step, above/below/step or top/bottom/step");
        }, (null, null));
    }

    private List<PositionSpec> Positions(ConfigNode root, double? absoluteZ)
    {
        var list = new List<PositionSpec>();
        var grid = root.Child("grid_plan") is { IsNull: false } g && g.IsMapping && g.Keys.Any() ? g : null;
        var globalGrid = grid is null ? null : errors.Try(() => Grid(grid), null);
        var node = root.Child("stage_positions");
        if (node is { IsMapping: true })
        {
            errors.Add(node.Error("a well-plate plan (plate, selected_wells, …) is not supported; list the stage positions instead"));
            return list;
        }
        var items = node is null || node.IsNull ? [] : _s.Items(node).ToList();
        if (items.Count == 0)
        {
            if (globalGrid is { Absolute: true } abs)
            {
                foreach (var tile in abs.Plan.Expand("grid", abs.OriginXUm, abs.OriginYUm, absoluteZ))
                    Add(tile, grid!, grid!, grid!);
                return list;
            }
            errors.Add(new ConfigException((node ?? root).Location, "stage_positions",
                "lists no positions; LiveScope needs at least one stage position (x and y) to image"));
            return list;
        }
        if (globalGrid is { Absolute: true })
            errors.Add(grid!.Error("an absolute grid (top/left/bottom/right) cannot be combined with stage_positions"));

        foreach (var (item, i) in items)
        {
            double? x, y, z;
            string name;
            ConfigNode xNode = item, yNode = item;
            ConfigNode? zNode = null;
            PlacedGrid? own = null;
            if (item.IsSequence)
            {
                var xyz = errors.Try(() => item.Items.ToList(), []);
                if (xyz.Count is < 2 or > 3)
                {
                    errors.Add(item.Error($"expected [x, y] or [x, y, z], found {xyz.Count} numbers"));
                    continue;
                }
                (xNode, yNode) = (xyz[0], xyz[1]);
                x = errors.Try<double?>(() => xyz[0].AsDouble(), 0);
                y = errors.Try<double?>(() => xyz[1].AsDouble(), 0);
                zNode = xyz.Count == 3 ? xyz[2] : null;
                z = zNode is null || zNode.IsNull ? null : errors.Try<double?>(() => zNode.AsDouble(), null);
                name = $"p{i}";
            }
            else
            {
                errors.CheckKeys(item, PositionKeys);
                if (!item.IsMapping) continue;
                x = Coordinate(item, "x");
                y = Coordinate(item, "y");
                zNode = item.Child("z");
                z = zNode is null || zNode.IsNull ? null : errors.Try<double?>(() => zNode.AsDouble(), null);
                xNode = item.Child("x") ?? item;
                yNode = item.Child("y") ?? item;
                name = item.Child("name") is { IsNull: false } nn ? errors.Try(nn.AsString, $"p{i}") : $"p{i}";
                if (item.Child("sequence") is { IsNull: false } sub) own = SubSequenceGrid(sub);
                if (x is null || y is null)
                {
                    errors.Add(item.Error("LiveScope needs x and y for every stage position (useq's 'stay where the stage is' is not supported)"));
                    continue;
                }
            }
            if (absoluteZ is not null) z = absoluteZ;
            var useGrid = own ?? globalGrid;
            if (useGrid is { Absolute: false } rel)
                foreach (var tile in rel.Plan.Expand(name, x!.Value, y!.Value, z)) Add(tile, item, xNode, yNode, zNode);
            else
                Add(new PositionSpec(name, x!.Value, y!.Value, z), item, xNode, yNode, zNode);
        }
        return list;

        void Add(PositionSpec p, ConfigNode at, ConfigNode xAt, ConfigNode yAt, ConfigNode? zAt = null)
        {
            var path = $"positions[{list.Count}]";
            sources.Add(path, at);
            sources.Add(path + ".x", xAt);
            sources.Add(path + ".y", yAt);
            if (zAt is not null) sources.Add(path + ".z", zAt);
            list.Add(p);
        }
    }

    private double? Coordinate(ConfigNode item, string key) =>
        item.Child(key) is { IsNull: false } n ? errors.Try<double?>(() => n.AsDouble(), 0) : null;

    private PlacedGrid? SubSequenceGrid(ConfigNode sub)
    {
        if (!sub.IsMapping) return errors.Try<PlacedGrid?>(() => throw sub.Error("expected a sequence (a mapping)"), null);
        foreach (var key in sub.Keys.Where(k => k != "grid_plan").ToList())
            errors.Add(sub.Required(key).Error(
                $"a position's own sequence may only hold a grid_plan in LiveScope; '{key}' per position is not supported"));
        return sub.Child("grid_plan") is { IsNull: false } g ? errors.Try(() => Grid(g), null) : null;
    }

    private sealed record PlacedGrid(GridPlan Plan, bool Absolute, double OriginXUm, double OriginYUm);

    private PlacedGrid Grid(ConfigNode g)
    {
        errors.CheckKeys(g, GridKeys);
        if (g.Child("mode") is { } modeNode && modeNode.AsString() == "spiral")
            throw modeNode.Error("mode: spiral is not supported; use row_wise_snake, row_wise, column_wise or column_wise_snake");
        var order = g.Child("mode") is { } m ? ProtocolSections.ReadEnum<GridOrder>(m) : GridOrder.RowWiseSnake;
        double ox = 0, oy = 0;
        if (g.Child("overlap") is { } ov)
        {
            if (ov.IsSequence)
            {
                var v = ov.Items.ToList();
                if (v.Count != 2) throw ov.Error("expected one percentage or [x, y]");
                (ox, oy) = (v[0].AsDouble(0, 99.999), v[1].AsDouble(0, 99.999));
            }
            else ox = oy = ov.AsDouble(0, 99.999);
        }
        double? fovW = g.Child("fov_width") is { IsNull: false } fw ? fw.AsDouble() : rig?.FieldOfViewWidthUm;
        double? fovH = g.Child("fov_height") is { IsNull: false } fh ? fh.AsDouble() : rig?.FieldOfViewHeightUm;
        if (fovW is null || fovH is null)
            throw g.Error("needs fov_width and fov_height (µm): the camera's field of view is not known while loading");
        double dx = GridPlan.Step(fovW.Value, ox / 100), dy = GridPlan.Step(fovH.Value, oy / 100);
        bool centered = ProtocolSections.ReadGridCentred(g);
        if (g.Has("rows") || g.Has("columns"))
            return new PlacedGrid(new GridPlan(g.Required("rows").AsInt(), g.Required("columns").AsInt(), dx, dy, centered, order), false, 0, 0);
        if (g.Has("width") || g.Has("height"))
        {
            int cols = (int)Math.Ceiling(g.Required("width").AsDouble() / dx - 1e-9);
            int rows = (int)Math.Ceiling(g.Required("height").AsDouble() / dy - 1e-9);
            return new PlacedGrid(new GridPlan(Math.Max(rows, 1), Math.Max(cols, 1), dx, dy, centered, order), false, 0, 0);
        }
        if (g.Has("top"))
        {
            double top = g.Required("top").AsDouble(), left = g.Required("left").AsDouble();
            double bottom = g.Required("bottom").AsDouble(), right = g.Required("right").AsDouble();
            int Count(double span, double fov, double step) => span <= fov ? 1 : (int)Math.Ceiling((span - fov) / step - 1e-9) + 1;
            var plan = new GridPlan(Count(Math.Abs(top - bottom), fovH.Value, dy), Count(Math.Abs(right - left), fovW.Value, dx),
                dx, dy, Centered: false, order);
            return new PlacedGrid(plan, true, Math.Min(left, right) + fovW.Value / 2, Math.Max(top, bottom) - fovH.Value / 2);
        }
        throw g.Error("expected rows/columns, width/height or top/left/bottom/right");
    }

    private List<ChannelSpec> Channels(ConfigNode root, ConfigNode? power)
    {
        var list = new List<ChannelSpec>();
        var node = root.Child("channels");
        if (node is null || node.IsNull)
        {
            errors.Add(new ConfigException(root.Location, "channels", "is required but missing: list at least one channel"));
            return list;
        }
        foreach (var (item, i) in _s.Items(node))
        {
            var path = $"channels[{i}]";
            sources.Add(path, item);
            if (item.IsScalar)
            {
                errors.Add(item.Error($"channel '{item.AsString()}' has no exposure; write {{config: {item.AsString()}, exposure: <ms>}}"));
                continue;
            }
            errors.CheckKeys(item, ChannelKeys);
            if (!item.IsMapping) continue;
            sources.AddChild(path + ".name", item, "config");
            sources.AddChild(path + ".exposure", item, "exposure");
            errors.Try(() => RejectUnsupported(item));
            var name = errors.Try(() => item.Required("config").AsString(), "");
            var exposure = errors.Try(() => item.Child("exposure") is { IsNull: false } e
                ? e.AsDouble()
                : throw new ConfigException(item.Location, item.KeyPath + ".exposure",
                    "is required: LiveScope needs each channel's exposure (ms), not 'the current one'"), 1);
            double? p = null;
            if (power is { IsMapping: true } && power.Child(name) is not null)
            {
                sources.AddChild(path + ".power", power, name);
                p = _s.Power(power, name);
            }
            list.Add(new ChannelSpec(name, exposure, p));
        }
        return list;
    }

    private static void RejectUnsupported(ConfigNode channel)
    {
        if (channel.Child("do_stack") is { } s && !s.AsBool())
            throw s.Error("do_stack: false is not supported; every channel is taken at every z-slice");
        if (channel.Child("z_offset") is { } z && z.AsDouble() != 0)
            throw z.Error("a per-channel z_offset is not supported");
        if (channel.Child("acquire_every") is { } a && a.AsInt() != 1)
            throw a.Error("acquire_every other than 1 is not supported; every channel is taken at every timepoint");
        if (channel.Child("camera") is { IsNull: false } c)
            throw c.Error("choosing a camera per channel is not supported; the microscope's camera role is used");
    }

    private List<PhaseSpec> Phases(ConfigNode root, ConfigNode? names, ConfigNode? stimulation)
    {
        var list = new List<PhaseSpec>();
        var plan = root.Child("time_plan");
        if (plan is null || plan.IsNull || (plan.IsMapping && !plan.Keys.Any()))
        {
            errors.Add(new ConfigException((plan ?? root).Location, "time_plan",
                "is required: LiveScope protocols are time-lapses (give interval and loops, or phases)"));
            return list;
        }
        var phaseNodes = new List<ConfigNode>();
        if (plan.IsSequence) phaseNodes.AddRange(_s.Items(plan).Select(x => x.Item));
        else
        {
            errors.CheckKeys(plan, TimeKeys);
            if (plan.Child("phases") is { } ph) phaseNodes.AddRange(_s.Items(ph).Select(x => x.Item));
            else phaseNodes.Add(plan);
        }
        var nameList = names is null ? [] : errors.Try(() => names.Items.Select(n => n.AsString()).ToList(), []);
        int? after = null;
        ConfigNode? afterNode = null;
        if (stimulation is { IsMapping: true })
        {
            errors.CheckKeys(stimulation, StimulationKeys);
            afterNode = stimulation.Child("after_phase");
            after = errors.Try<int?>(() => stimulation.Required("after_phase").AsInt(), null);
            if (after is { } a && (a < 0 || a >= phaseNodes.Count))
            {
                errors.Add(afterNode!.Error($"there is no time_plan phase {a}; phases are numbered 0 to {phaseNodes.Count - 1}"));
                after = null;
            }
        }
        else if (stimulation is not null && !stimulation.IsNull)
            errors.Add(stimulation.Error("expected a mapping (after_phase, reagent, concentration, unit, by)"));

        for (int i = 0; i < phaseNodes.Count; i++)
        {
            var node = phaseNodes[i];
            var path = $"phases[{list.Count}]";
            sources.Add(path, node);
            if (!ReferenceEquals(node, plan)) errors.CheckKeys(node, TimeKeys.Where(k => k != "phases").ToArray());
            var name = i < nameList.Count ? nameList[i] : phaseNodes.Count == 1 ? "acquisition" : $"phase{i + 1}";
            var phase = errors.Try(() => TimePhase(node, name, path), null);
            if (phase is not null) list.Add(phase);
            if (after == i)
            {
                var stimName = _s.Str(stimulation!, "name", "stimulation");
                // Only the stimulation's own keys go to the shared reader.
                list.Add(StimulationFrom(stimulation!, stimName, $"phases[{list.Count}]"));
            }
        }
        if (nameList.Count > phaseNodes.Count)
            errors.Add(names!.Error($"names {nameList.Count} phases but time_plan has {phaseNodes.Count}"));
        return list;
    }

    private StimulationPhaseSpec StimulationFrom(ConfigNode node, string name, string path)
    {
        sources.Add(path, node);
        foreach (var key in new[] { "reagent", "concentration", "by" }) sources.AddChild($"{path}.{key}", node, key);
        var reagent = errors.Try(() => node.Required("reagent").AsString(), "");
        var concentration = errors.Try(() => node.Child("concentration")?.AsDouble() ?? 0, 0);
        var unit = _s.Str(node, "unit", "");
        var by = errors.Try(() => node.Child("by") is { } b ? ProtocolSections.ReadEnum<StimulationBy>(b) : StimulationBy.LiquidHandler,
            StimulationBy.LiquidHandler);
        return new StimulationPhaseSpec(name, reagent, concentration, unit, by);
    }

    /// <summary>
    /// One useq time phase as an imaging phase of <c>loops</c> timepoints: interval/loops as written; duration/loops
    /// spaces loops frames so the last falls at duration; interval/duration takes duration ÷ interval + 1 frames.
    /// </summary>
    private ImagingPhaseSpec TimePhase(ConfigNode node, string name, string path)
    {
        var interval = node.Child("interval");
        var duration = node.Child("duration");
        var loops = node.Child("loops");
        double I;
        int L;
        if (interval is not null && loops is not null)
        {
            I = Durations.ReadUseq(interval);
            L = loops.AsInt();
        }
        else if (duration is not null && loops is not null)
        {
            L = loops.AsInt();
            double D = Durations.ReadUseq(duration);
            I = L > 1 ? D / (L - 1) : D;
            interval = duration;
        }
        else if (interval is not null && duration is not null)
        {
            I = Durations.ReadUseq(interval);
            double D = Durations.ReadUseq(duration);
            L = I > 0 ? (int)Math.Floor(D / I + 1e-9) + 1 : 1;
        }
        else throw node.Error("expected interval and loops, duration and loops, or interval and duration");
        if (L < 1) throw loops!.Error($"loops must be at least 1, found {L}");
        sources.Add(path + ".interval", interval!);
        sources.Add(path + ".duration", duration ?? loops ?? node);
        return new ImagingPhaseSpec(name, I, L * I);
    }

    private AutofocusSpec? Autofocus(ConfigNode? node)
    {
        if (node is null || node.IsNull || (node.IsMapping && !node.Keys.Any())) return null;
        sources.Add("autofocus", node);
        errors.CheckKeys(node, AutofocusKeys);
        return errors.Try<AutofocusSpec?>(() =>
        {
            var axesNode = node.Required("axes");
            var axes = axesNode.Items.Select(a => a.AsString()).ToList();
            if (axes.Any(a => a is "c" or "z"))
                throw axesNode.Error("autofocus per channel or per z-slice is not supported; use axes t, p or g");
            if (axes.Count == 0) return null;
            return new AutofocusSpec(1, axes.Contains("p") || axes.Contains("g"));
        }, null);
    }

    private AxisOrder AxisOrderOf(ConfigNode? node)
    {
        if (node is null || node.IsNull) return AxisOrder.PositionChannelZ;
        sources.Add("axis_order", node);
        return errors.Try(() =>
        {
            var text = node.IsSequence ? string.Concat(node.Items.Select(i => i.AsString())) : node.AsString();
            var order = text.ToLowerInvariant();
            if (order.Any(c => !"tpgcz".Contains(c)) || order.Distinct().Count() != order.Length)
                throw node.Error($"'{text}' is not an axis order: use each of t, p, g, c, z at most once");
            if (order.Contains('t') && order[0] != 't')
                throw node.Error($"'{text}': LiveScope runs time as the outermost loop, so axis_order must start with t");
            int p = order.IndexOf('p'), g = order.IndexOf('g');
            if (g >= 0 && p >= 0 && g != p + 1)
                throw node.Error($"'{text}': the grid (g) must come right after positions (p); grids are expanded into positions");
            var inner = new string(order.Where(c => c is 'p' or 'c' or 'z').ToArray());
            // An axis missing from axis_order has one entry at most in practice; placing it outermost changes nothing.
            foreach (var c in "zcp") if (!inner.Contains(c)) inner = c + inner;
            return inner switch
            {
                "pcz" => AxisOrder.PositionChannelZ,
                "pzc" => AxisOrder.PositionZChannel,
                "cpz" => AxisOrder.ChannelPositionZ,
                "zpc" => AxisOrder.ZPositionChannel,
                _ => throw node.Error($"'{text}' (inner loops {inner}) is not supported; use one of tpgcz, tpgzc, tcpgz, tzpgc"),
            };
        }, AxisOrder.PositionChannelZ);
    }
}
