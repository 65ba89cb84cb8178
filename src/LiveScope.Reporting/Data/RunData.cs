using System.Globalization;
using System.Text.Json;
using LiveScope.Storage.Run;

namespace LiveScope.Reporting.Data;

/// <summary>One analysed frame of a position series (a row of measurements/&lt;series&gt;/frames.csv).</summary>
internal readonly record struct FramePoint(int Frame, double TimeS, double Clusters, double PartitionRatio);

/// <summary>A regular (per-position) series and its frames.csv rows.</summary>
internal sealed record SeriesFrames(string Name, IReadOnlyList<FramePoint> Frames);

/// <summary>One row of measurements/frap.csv: one FRAP step's fit.</summary>
internal sealed record FrapStep(string Step, string Position, string Series, string TrackId, string CellId,
    double BleachTimeS, string Model, double THalfS, double THalfSeS, double MobileFraction, double MobileFractionSe,
    double RSquared, double BleachDepth, double GapRatio, string Warnings, string Failure)
{
    public bool Succeeded => Failure.Length == 0 && double.IsFinite(THalfS);
    /// <summary>A fit with no quality warning: what the summary statistics are taken over (one bad fit would swamp them).</summary>
    public bool Clean => Succeeded && Warnings.Length == 0;
}

/// <summary>One row of measurements/frap_curves.csv (time relative to the bleach; fitted NaN before it).</summary>
internal readonly record struct FrapCurvePoint(double TimeS, double Normalised, double Fitted);

/// <summary>An adapt.decision or adapt.refused line of events.jsonl.</summary>
/// <param name="FrameTimeS">Microscope time of the frame the rule evaluated (decisions only).</param>
/// <param name="LoggedAtS">Microscope time the decision or refusal was logged.</param>
internal sealed record AdaptEntry(bool Refused, double? FrameTimeS, double? LoggedAtS, string Rule, string Action, string Position,
    string Metrics, string Detail, double? LatencyMs);

internal sealed record LatencyFigures(long Count, double P50, double P99, double Max);

/// <summary>adaptive.json: what the adaptive controller did over the run.</summary>
internal sealed record AdaptiveSummary(IReadOnlyList<string> Rules, long Decisions, long Refused, long Bleaches,
    LatencyFigures? DecisionLatency, LatencyFigures? FrameToDecision);

/// <summary>
/// Everything a report shows about one run, read from its folder. Reading never throws: each file that is missing
/// or unreadable leaves its part empty and, when that is worth saying, a note in <see cref="Problems"/>.
/// </summary>
internal sealed class RunData
{
    public const string FrapFileName = "frap.csv";
    public const string FrapCurvesFileName = "frap_curves.csv";
    public const string AdaptiveFileName = "adaptive.json";

    private RunData(string folder) { Folder = Path.GetFullPath(folder); Name = Path.GetFileName(Folder.TrimEnd('/')); }

    public string Folder { get; }
    public string Name { get; }
    public RunManifest? Manifest { get; private set; }
    public IReadOnlyList<LoggedEvent> Events { get; private set; } = [];
    /// <summary>Microscope time (s since run start) of the stimulation event; null when the run had none.</summary>
    public double? InsulinTimeS { get; private set; }
    public string? Stimulation { get; private set; }
    public IReadOnlyList<SeriesFrames> Positions { get; private set; } = [];
    public IReadOnlyList<FrapStep>? Frap { get; private set; }
    public IReadOnlyDictionary<string, IReadOnlyList<FrapCurvePoint>>? FrapCurves { get; private set; }
    public IReadOnlyList<AdaptEntry> Adapt { get; private set; } = [];
    public AdaptiveSummary? Adaptive { get; private set; }
    public List<string> Problems { get; } = [];

    /// <summary>
    /// Simulator only: how many simulated clusters were in view in each frame, by frame time (ms) — every one the
    /// simulator placed, detectable or not. Null without ground-truth.csv. Read on first use (the file is large).
    /// </summary>
    public IReadOnlyDictionary<long, int>? TruthCountsByTimeMs => _truth ??= LoadTruth();
    private IReadOnlyDictionary<long, int>? _truth;
    private bool _truthRead;

    public static long TimeKey(double timeS) => (long)Math.Round(timeS * 1000);

    /// <summary>The condition label of the manifest, else the run name.</summary>
    public string Condition => Manifest?.Labels.GetValueOrDefault("condition") is { Length: > 0 } c ? c : Name;
    public string MeasurementsFolder => Path.Combine(Folder, RunFolder.MeasurementsFolderName);

    /// <summary>Minutes from insulin (or from run start when there was no stimulation).</summary>
    public double Minutes(double timeS) => (timeS - (InsulinTimeS ?? 0)) / 60;

    public static RunData Load(string folder)
    {
        var run = new RunData(folder);
        if (!Directory.Exists(run.Folder))
        {
            run.Problems.Add($"run folder not found: {run.Folder}");
            return run;
        }
        run.Try(RunFolder.ManifestFileName, () => run.Manifest = RunManifestFile.Read(Path.Combine(run.Folder, RunFolder.ManifestFileName)));
        run.Try(RunFolder.EventsFileName, run.LoadEvents);
        run.Try("frames.csv", run.LoadPositions);
        run.Try(FrapFileName, run.LoadFrap);
        run.Try(FrapCurvesFileName, run.LoadFrapCurves);
        run.Try(AdaptiveFileName, run.LoadAdaptive);
        return run;
    }

    private void Try(string what, Action load)
    {
        try { load(); }
        catch (FileNotFoundException) { Problems.Add($"{what}: missing"); }
        // A report is written whatever state a run folder is in: any file that cannot be read becomes a note.
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Problems.Add($"{what}: could not be read ({e.Message})");
        }
    }

    private void LoadEvents()
    {
        Events = EventLog.ReadAll(Path.Combine(Folder, RunFolder.EventsFileName));
        var stim = Events.FirstOrDefault(e => e.Kind == "stimulation");
        if (stim is not null)
        {
            InsulinTimeS = stim.MicroscopeTime?.TotalSeconds;
            if (stim.Data is { ValueKind: JsonValueKind.Object } d)
                Stimulation = $"{Str(d, "reagent")} {Str(d, "concentration")} {Str(d, "unit")} by {Str(d, "by")}".Trim();
        }
        Adapt = Events.Where(e => e.Kind is "adapt.decision" or "adapt.refused").Select(ToAdapt).ToList();
    }

    private static AdaptEntry ToAdapt(LoggedEvent e)
    {
        var d = e.Data is { ValueKind: JsonValueKind.Object } o ? o : default;
        bool refused = e.Kind == "adapt.refused";

        string metrics = d.ValueKind == JsonValueKind.Object && d.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object
            ? string.Join(", ", m.EnumerateObject().Select(p => $"{p.Name} = {Scalar(p.Value)}"))
            : "";
        string detail = Str(d, "detail");
        if (refused && Str(d, "limit") is { Length: > 0 } limit) detail = detail.Length > 0 ? $"limit {limit}: {detail}" : $"limit {limit}";
        return new AdaptEntry(refused, Num(d, "frame_time_s"), e.MicroscopeTime?.TotalSeconds, Str(d, "rule"), Str(d, "action"), Str(d, "position"), metrics, detail, Num(d, "latency_ms"));
    }

    /// <summary>
    /// Regular position series: every measurements/&lt;series&gt;/frames.csv except FRAP steps and z-stacks, which
    /// the frame events name as series and whose folders are named &lt;position&gt;_&lt;step&gt;.
    /// </summary>
    private void LoadPositions()
    {
        if (!Directory.Exists(MeasurementsFolder)) { Problems.Add("measurements: none (the run was not analysed)"); return; }
        var folders = Directory.GetDirectories(MeasurementsFolder).Select(Path.GetFileName).OfType<string>()
            .Where(n => File.Exists(Path.Combine(MeasurementsFolder, n, "frames.csv"))).Order(StringComparer.Ordinal).ToList();
        var subSeries = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in Events.Where(e => e.Kind == "frame" && e.Data is { ValueKind: JsonValueKind.Object }))
            foreach (var key in (string[])["series", "frap"])
                if (Str(e.Data!.Value, key) is { Length: > 0 } s) subSeries.Add(s);
        bool IsSubSeries(string name)
            => subSeries.Any(s => name == s || name.EndsWith("_" + RunFolder.SafeName(s), StringComparison.Ordinal))
               || folders.Any(other => other != name && name.StartsWith(other + "_", StringComparison.Ordinal));
        var positions = new List<SeriesFrames>();
        foreach (var name in folders.Where(n => !IsSubSeries(n)))
        {
            var table = CsvTable.Read(Path.Combine(MeasurementsFolder, name, "frames.csv"));
            var frames = table.Rows.Select(r => new FramePoint((int)table.Number(r, "frame"), table.Number(r, "time_s"),
                table.Number(r, "clusters"), table.Number(r, "partition_ratio"))).ToList();
            positions.Add(new SeriesFrames(name, frames));
        }
        Positions = positions;
    }

    /// <summary>Ground truth larger than this is not read for a report (counting it would take minutes).</summary>
    private const long MaxTruthBytes = 2L << 30;

    private IReadOnlyDictionary<long, int>? LoadTruth()
    {
        if (_truthRead) return null;
        _truthRead = true;
        string path = Path.Combine(Folder, RunFolder.GroundTruthFileName);
        if (!File.Exists(path) || new FileInfo(path).Length > MaxTruthBytes) return null;
        try
        {
            var counts = new Dictionary<long, int>();
            int column = -1;
            foreach (var line in File.ReadLines(path))
            {
                if (column < 0) { column = Array.IndexOf(line.Split(','), "time_s"); if (column < 0) return null; continue; }
                if (double.TryParse(Field(line, column), NumberStyles.Float, CultureInfo.InvariantCulture, out double t))
                    counts[TimeKey(t)] = counts.GetValueOrDefault(TimeKey(t)) + 1;
            }
            return counts;
        }
        catch (IOException e)
        {
            Problems.Add($"{RunFolder.GroundTruthFileName}: could not be read ({e.Message})");
            return null;
        }
    }

    /// <summary>The column-th comma-separated field of a line (ground truth has no quoted fields).</summary>
    private static ReadOnlySpan<char> Field(ReadOnlySpan<char> line, int column)
    {
        for (int i = 0; i < column; i++)
        {
            int comma = line.IndexOf(',');
            if (comma < 0) return [];
            line = line[(comma + 1)..];
        }
        int end = line.IndexOf(',');
        return end < 0 ? line : line[..end];
    }

    private void LoadFrap()
    {
        string path = Path.Combine(MeasurementsFolder, FrapFileName);
        if (!File.Exists(path)) return;
        var t = CsvTable.Read(path);
        Frap = t.Rows.Select(r => new FrapStep(t.Text(r, "step"), t.Text(r, "position"), t.Text(r, "series"), t.Text(r, "track_id"),
            t.Text(r, "cell_id"), t.Number(r, "bleach_time_s"), t.Text(r, "model"), t.Number(r, "t_half_s"), t.Number(r, "t_half_se_s"),
            t.Number(r, "mobile_fraction"), t.Number(r, "mobile_fraction_se"), t.Number(r, "r_squared"), t.Number(r, "bleach_depth"),
            t.Number(r, "gap_ratio"), t.Text(r, "warnings"), t.Text(r, "failure"))).ToList();
    }

    private void LoadFrapCurves()
    {
        string path = Path.Combine(MeasurementsFolder, FrapCurvesFileName);
        if (!File.Exists(path)) return;
        var t = CsvTable.Read(path);
        FrapCurves = t.Rows.GroupBy(r => t.Text(r, "step"), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<FrapCurvePoint>)g
                .Select(r => new FrapCurvePoint(t.Number(r, "time_s"), t.Number(r, "normalised"), t.Number(r, "fitted")))
                .OrderBy(p => p.TimeS).ToList(), StringComparer.Ordinal);
    }

    private void LoadAdaptive()
    {
        string path = Path.Combine(Folder, AdaptiveFileName);
        if (!File.Exists(path)) return;
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var rules = root.TryGetProperty("rules", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(Scalar).ToList() : [];
        Adaptive = new AdaptiveSummary(rules, (long)(Num(root, "decisions") ?? 0), (long)(Num(root, "refused") ?? 0),
            (long)(Num(root, "bleaches") ?? 0), Latency(root, "decision_latency_ms"), Latency(root, "frame_to_decision_ms"));
    }

    private static LatencyFigures? Latency(JsonElement root, string name)
        => root.TryGetProperty(name, out var l) && l.ValueKind == JsonValueKind.Object
            ? new LatencyFigures((long)(Num(l, "count") ?? 0), Num(l, "p50") ?? double.NaN, Num(l, "p99") ?? double.NaN, Num(l, "max") ?? double.NaN)
            : null;

    private static string Str(JsonElement o, string name)
        => o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) ? Scalar(v) : "";

    private static double? Num(JsonElement o, string name)
        => o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static string Scalar(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString() ?? "",
        JsonValueKind.Number => v.GetDouble().ToString("0.####", CultureInfo.InvariantCulture),
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        _ => v.GetRawText(),
    };
}
