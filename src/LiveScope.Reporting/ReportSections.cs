using System.Globalization;
using LiveScope.Reporting.Data;
using LiveScope.Reporting.Html;
using LiveScope.Reporting.Svg;

namespace LiveScope.Reporting;

/// <summary>The parts both reports share: run header, time courses, FRAP curves and figures, adaptive decisions.</summary>
internal static class ReportSections
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string TimeAxisLabel(bool insulin) => insulin ? "minutes from insulin" : "minutes from run start";

    public static void Header(HtmlPage page, RunData run)
    {
        var m = run.Manifest;
        string outcome = m?.Outcome ?? "unknown (no manifest.json)";
        var frames = run.Events.Count(e => e.Kind == "frame");
        var dropped = run.Events.Count(e => e.Kind == "frame.dropped");
        page.Facts(
        [
            ("protocol", m?.ProtocolPath is { } p ? $"{ProtocolName(run)} ({p})" : ProtocolName(run)),
            ("condition", run.Condition),
            ("run", run.Name),
            ("folder", run.Folder),
            ("start", m is null ? "–" : m.StartTimeUtc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Inv)),
            ("end", m?.EndTimeUtc?.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Inv) ?? "–"),
            ("outcome", outcome),
            ("frames", dropped > 0 ? $"{frames} kept, {dropped} dropped" : $"{frames}"),
            ("stimulation", run.Stimulation is null ? "none" : $"{run.Stimulation} at {Clock(run.InsulinTimeS!.Value)} (time zero)"),
            ("software", m?.SoftwareVersion ?? "–"),
            ("command line", m?.CommandLine ?? "–"),
        ], "outcome", outcome == "completed" ? null : "bad");
        if (run.Problems.Count > 0) page.Note("Not everything could be read: see Reading problems at the end.");
    }

    public static string ProtocolName(RunData run)
    {
        var start = run.Events.FirstOrDefault(e => e.Kind == "run.start");
        if (start?.Data is { ValueKind: System.Text.Json.JsonValueKind.Object } d && d.TryGetProperty("protocol", out var p) && p.GetString() is { } name)
            return name;
        return run.Manifest?.ProtocolPath is { } path ? Path.GetFileNameWithoutExtension(path) : "–";
    }

    public static string Clock(double seconds) => TimeSpan.FromSeconds(Math.Round(seconds)).ToString(@"hh\:mm\:ss", Inv);

    /// <summary>One plot of a frames.csv metric over time, one series per given line; insulin marked at 0.</summary>
    public static SvgPlot TimeCourse(string title, string yLabel, bool insulin, IEnumerable<PlotSeries> lines, bool fromZero)
    {
        var plot = new SvgPlot { Title = title, XLabel = TimeAxisLabel(insulin), YLabel = yLabel, YFromZero = fromZero };
        plot.Series.AddRange(lines);
        if (insulin) plot.Markers.Add(new VerticalMarker(0, "insulin"));
        return plot;
    }

    /// <summary>The plot, or a note when frames.csv had no value for it (no cell found gives no partition ratio).</summary>
    public static void FigureOrNote(HtmlPage page, SvgPlot plot, string caption)
    {
        if (plot.HasData) page.Figure(plot.Render(), caption);
        else page.Note($"{plot.Title}: no value in frames.csv to plot (a partition ratio needs a cell the analysis found).");
    }

    /// <summary>FRAP recovery of every step: normalised points and the fitted curve in the same colour.</summary>
    public static SvgPlot? FrapCurves(RunData run, string title, int width = 640)
    {
        if (run.FrapCurves is not { Count: > 0 } curves) return null;
        var plot = new SvgPlot { Title = title, XLabel = "seconds from bleach", YLabel = "normalised intensity", Width = width, YFromZero = true };
        int i = 0;
        foreach (var (step, points) in curves.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            string colour = SvgPlot.Palette[i++ % SvgPlot.Palette.Count];
            plot.Series.Add(new PlotSeries(step, points.Select(p => (p.TimeS, p.Normalised)).ToList(), SeriesStyle.Points) { Color = colour });
            var fit = points.Where(p => double.IsFinite(p.Fitted)).Select(p => (p.TimeS, p.Fitted)).ToList();
            if (fit.Count > 1) plot.Series.Add(new PlotSeries(step + " fit", fit) { Color = colour, InLegend = false });
        }
        return plot.HasData ? plot : null;
    }

    public static readonly string[] FrapStepHeader =
        ["step", "position", "track", "cell", "bleach at", "model", "t½ (s)", "mobile fraction", "R²", "bleach depth", "gap ratio", "warnings / failure"];

    public static IReadOnlyList<string> FrapStepRow(RunData run, FrapStep s) =>
    [
        s.Step, s.Position, s.TrackId, s.CellId,
        double.IsFinite(s.BleachTimeS) ? $"{run.Minutes(s.BleachTimeS):+0.0;-0.0;0.0} min" : "–",
        s.Model,
        PlusMinus(s.THalfS, s.THalfSeS, "0.0"), PlusMinus(s.MobileFraction, s.MobileFractionSe, "0.00"),
        HtmlPage.Num(s.RSquared, "0.000"), HtmlPage.Num(s.BleachDepth, "0.00"), HtmlPage.Num(s.GapRatio, "0.00"),
        string.Join("; ", new[] { s.Failure.Length > 0 ? "failed: " + s.Failure : "", s.Warnings }.Where(t => t.Length > 0)),
    ];

    public static string PlusMinus(double value, double spread, string format)
        => !double.IsFinite(value) ? "–" : double.IsFinite(spread) ? $"{HtmlPage.Num(value, format)} ± {HtmlPage.Num(spread, format)}" : HtmlPage.Num(value, format);

    /// <summary>Mean ± sample SD and n of the finite values (SD NaN when n &lt; 2).</summary>
    public static (double Mean, double Sd, int N) MeanSd(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).ToList();
        if (v.Count == 0) return (double.NaN, double.NaN, 0);
        double mean = v.Average();
        double sd = v.Count < 2 ? double.NaN : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1));
        return (mean, sd, v.Count);
    }

    public static void AdaptiveDecisions(HtmlPage page, RunData run)
    {
        if (run.Adapt.Count == 0 && run.Adaptive is null)
        {
            page.Note("No adaptive rules: the run logged no adapt.decision or adapt.refused event and wrote no adaptive.json.");
            return;
        }
        if (run.Adaptive is { } a)
        {
            page.Paragraph($"Rules: {(a.Rules.Count == 0 ? "none" : string.Join(", ", a.Rules))}. " +
                           $"{a.Decisions} decisions, {a.Refused} refused by a limit, {a.Bleaches} bleaches (adaptive.json).");
            var latency = new List<IReadOnlyList<string>>();
            if (a.DecisionLatency is { } d) latency.Add(LatencyRow("analysis result → action queued", d));
            if (a.FrameToDecision is { } f) latency.Add(LatencyRow("frame arrival → action queued", f));
            if (latency.Count > 0) page.Table(["latency", "count", "p50 (ms)", "p99 (ms)", "max (ms)"], latency);
        }
        else page.Note("adaptive.json is missing: no latency figures.");
        if (run.Adapt.Count == 0) { page.Note("No decision was taken and none refused."); return; }
        page.Paragraph("Frame at: the frame the rule evaluated; logged at: when the decision or refusal was written " +
                       "(minutes from insulin, microscope clock; on a simulator running faster than real time the two can differ by much more than the latency).");
        page.Table(["frame at", "logged at", "rule", "action", "position", "metrics", "detail", "latency (ms)"],
            run.Adapt.Select(e => (IReadOnlyList<string>)
            [
                e.FrameTimeS is { } f ? $"{run.Minutes(f):+0.00;-0.00;0.00} min" : "–",
                e.LoggedAtS is { } t ? $"{run.Minutes(t):+0.00;-0.00;0.00} min" : "–",
                e.Rule, e.Refused ? $"refused: {e.Action}" : e.Action, e.Position, e.Metrics, e.Detail,
                e.LatencyMs is { } l ? HtmlPage.Num(l, "0.0") : "–",
            ]), "adapt");
    }

    private static IReadOnlyList<string> LatencyRow(string what, LatencyFigures f)
        => [what, f.Count.ToString(Inv), HtmlPage.Num(f.P50, "0.0"), HtmlPage.Num(f.P99, "0.0"), HtmlPage.Num(f.Max, "0.0")];
}
