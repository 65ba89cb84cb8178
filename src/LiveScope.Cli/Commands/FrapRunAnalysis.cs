using System.Globalization;
using System.Text;
using System.Text.Json;
using LiveScope.Analysis.Frap;
using LiveScope.Core.Imaging;
using LiveScope.Storage.OmeTiff;
using LiveScope.Storage.Run;

namespace LiveScope.Cli.Commands;

/// <summary>
/// The FRAP part of <c>livescope analyze RUN_FOLDER</c>: every "bleach" entry of events.jsonl names a step, its
/// position, the bleached circle and the pre-bleach frame count; its series <c>&lt;position&gt;_&lt;step&gt;.ome.tif</c>
/// goes through <see cref="FrapStepAnalyzer"/>, and the results go to measurements/frap.csv and frap_curves.csv. A step
/// whose target live analysis chose keeps the track it bleached: the run's "frap.result" entry names it, and the offline
/// tracking numbers the same frames' tracks alike.
/// </summary>
public static class FrapRunAnalysis
{
    /// <summary>One bleach as events.jsonl recorded it.</summary>
    /// <param name="SkippedBecause">Set for a "bleach.skipped" entry: the step's frames exist but nothing was bleached.</param>
    /// <param name="TrackId">The track live analysis bleached, when it chose the target and the run got as far as its result.</param>
    public sealed record BleachEntry(string Step, string Position, double XPx, double YPx, double RadiusPx, int PreBleachFrames,
        string? SkippedBecause = null, bool LocalPool = false, int? TrackId = null)
    {
        /// <summary>The series file name without extension; for a skipped step (no position logged), its suffix.</summary>
        public string Series => $"{RunFolder.SafeName(Position)}_{RunFolder.SafeName(Step)}";

        /// <summary>Whether <paramref name="fileName"/> (with extension) is this step's series.</summary>
        public bool IsSeriesFile(string fileName) => SkippedBecause is null
            ? fileName == Series + RunFolder.ImageExtension
            : fileName.EndsWith($"_{RunFolder.SafeName(Step)}{RunFolder.ImageExtension}", StringComparison.Ordinal);
    }

    /// <summary>The bleaches of a run, in the order they happened; none when the run has no event log.</summary>
    public static IReadOnlyList<BleachEntry> ReadBleaches(string runFolder)
    {
        var path = Path.Combine(runFolder, RunFolder.EventsFileName);
        if (!File.Exists(path)) return [];
        var bleaches = new List<BleachEntry>();
        var events = EventLog.ReadAll(path);
        var tracks = TracksBleached(events);
        foreach (var e in events)
        {
            if (e.Data is not { ValueKind: JsonValueKind.Object } d) continue;
            if (e.Kind == "bleach.skipped")
                bleaches.Add(new BleachEntry(Text(d, "step") ?? "frap", "", double.NaN, double.NaN, double.NaN, 0, Text(d, "reason") ?? "skipped"));
            if (e.Kind != "bleach") continue;
            string step = Text(d, "step") ?? "frap", position = Text(d, "position") ?? "";
            bleaches.Add(new BleachEntry(
                step, position,
                Number(d, "x_px"), Number(d, "y_px"), Number(d, "radius_px"), (int)Number(d, "pre_bleach_frames", 0),
                LocalPool: d.TryGetProperty("local_pool", out var pool) && pool.ValueKind == JsonValueKind.True,
                TrackId: tracks.TryGetValue((step, position), out var queue) && queue.Count > 0 ? queue.Dequeue() : null));
        }
        return bleaches;
    }

    /// <summary>
    /// The track of each "frap.result" entry (null for a fixed ROI), per step and position in the order they came: a
    /// step's n-th bleach at a position is its n-th result there (a result is logged after its bleach, and a run cut
    /// short has bleaches without one, which take none).
    /// </summary>
    private static Dictionary<(string Step, string Position), Queue<int?>> TracksBleached(IEnumerable<LoggedEvent> events)
    {
        var tracks = new Dictionary<(string, string), Queue<int?>>();
        foreach (var e in events)
        {
            if (e.Kind != "frap.result" || e.Data is not { ValueKind: JsonValueKind.Object } d) continue;
            var key = (Text(d, "step") ?? "frap", Text(d, "position") ?? "");
            if (!tracks.TryGetValue(key, out var queue)) tracks[key] = queue = new Queue<int?>();
            queue.Enqueue(d.TryGetProperty("track_id", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt32(out int id) ? id : null);
        }
        return tracks;
    }

    /// <summary>Analyses every bleached series of the run and writes the CSVs; a missing or unreadable file is a failed row.</summary>
    public static IReadOnlyList<FrapStepResult> AnalyseRun(string runFolder, string measurementsFolder, CancellationToken ct)
    {
        var rows = new List<(FrapStepResult, string?)>();
        foreach (var bleach in ReadBleaches(runFolder))
        {
            ct.ThrowIfCancellationRequested();
            if (bleach.SkippedBecause is { } why)
            {
                var skipped = new FrapStepAnalyzer(bleach.Step, double.NaN, double.NaN, double.NaN, 0);
                rows.Add((Failed(skipped, $"bleach skipped: {why}"), ""));
                continue;
            }
            rows.Add((AnalyseSeries(Path.Combine(runFolder, bleach.Series + RunFolder.ImageExtension), bleach, ct), bleach.Series));
        }
        if (rows.Count > 0) FrapResultsCsv.WriteAll(measurementsFolder, rows);
        return rows.Select(r => r.Item1).ToList();
    }

    public static FrapStepResult AnalyseSeries(string file, BleachEntry bleach, CancellationToken ct)
    {
        var analyzer = new FrapStepAnalyzer(bleach.Step, bleach.XPx, bleach.YPx, bleach.RadiusPx, bleach.PreBleachFrames)
        {
            Position = bleach.Position,
            MeasureLocalPool = bleach.LocalPool,   // as the live analysis fitted it
        };
        if (!File.Exists(file)) return Failed(analyzer, $"{Path.GetFileName(file)} is missing");
        try
        {
            using var reader = OmeTiffReader.Open(file);
            var pool = new FramePool();
            for (int i = 0; i < reader.Planes.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                using var frame = reader.ReadPlane(i, pool);
                analyzer.Add(frame);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return Failed(analyzer, $"{Path.GetFileName(file)}: {e.Message}");
        }
        return analyzer.Complete(bleach.TrackId);
    }

    private static FrapStepResult Failed(FrapStepAnalyzer a, string why)
        => a.Complete() with { Curve = null, Fit = null, Failure = why };

    /// <summary>step, t½ ± se, mobile fraction ± se, R², warnings or failure — one line per step.</summary>
    public static string FormatTable(IEnumerable<FrapStepResult> results)
    {
        var rows = new List<string[]> { new[] { "FRAP step", "position", "t½ (s)", "mobile", "R²", "warnings" } };
        foreach (var r in results)
        {
            var f = r.Fit;
            rows.Add(r.Failure is not null || f is null
                ? [r.Step, r.Position, "—", "—", "—", "failed: " + r.Failure]
                : [r.Step, r.Position, Invariant($"{f.HalfTimeS:0.0} ± {f.HalfTimeStandardErrorS:0.0}"),
                   Invariant($"{f.MobileFraction:0.00} ± {f.MobileFractionStandardError:0.00}"), Invariant($"{f.RSquared:0.000}"),
                   string.Join("; ", f.Warnings)]);
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
            text.AppendLine(string.Join("  ", row.Select((cell, i) => i is 0 or 1 or 5 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
        return text.ToString();
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string? Text(JsonElement d, string name)
        => d.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A number field; NaN (or <paramref name="missing"/>) when absent or not a number (a polygon's radius, say).</summary>
    private static double Number(JsonElement d, string name, double missing = double.NaN)
    {
        if (!d.TryGetProperty(name, out var v)) return missing;
        if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
        return v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            ? x : missing;
    }
}
