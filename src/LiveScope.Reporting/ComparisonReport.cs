using System.Globalization;
using LiveScope.Reporting.Data;
using LiveScope.Reporting.Html;
using LiveScope.Reporting.Svg;

namespace LiveScope.Reporting;

/// <summary>
/// One offline HTML page comparing conditions, each run being one condition (manifest.json Labels["condition"]):
/// cluster count and partition ratio over time (mean over positions, one line per condition), FRAP t½ and mobile
/// fraction per condition with their spread, FRAP curves, example frames and what the adaptive rules did.
/// </summary>
public static class ComparisonReport
{
    public const string FileName = "comparison.html";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Write(IReadOnlyList<string> runFolders, string outPath)
    {
        ArgumentNullException.ThrowIfNull(runFolders);
        ArgumentException.ThrowIfNullOrWhiteSpace(outPath);
        var runs = runFolders.Select(RunData.Load).ToList();
        Build(runs).Save(outPath);
        return Path.GetFullPath(outPath);
    }

    internal static HtmlPage Build(IReadOnlyList<RunData> runs)
    {
        string protocol = runs.Select(ReportSections.ProtocolName).FirstOrDefault(p => p != "–") ?? "LiveScope runs";
        var page = new HtmlPage($"{protocol}: comparison of {runs.Count} conditions");
        page.Heading(1, $"{protocol} — {runs.Count} condition(s) compared");
        page.Table(["condition", "run", "start", "outcome", "frames", "stimulation", "problems"], runs.Select(r => (IReadOnlyList<string>)
        [
            r.Condition, r.Name, r.Manifest?.StartTimeUtc.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", Inv) ?? "–",
            r.Manifest?.Outcome ?? "unknown (no manifest.json)", r.Events.Count(e => e.Kind == "frame").ToString(Inv),
            r.Stimulation is null ? "none" : $"{r.Stimulation} at {ReportSections.Clock(r.InsulinTimeS!.Value)}",
            string.Join("; ", r.Problems),
        ]), "runs");
        if (runs.Count == 0) { page.Note("No runs given."); return page; }
        string? command = runs.Select(r => r.Manifest?.CommandLine).FirstOrDefault(c => c is not null);
        if (command is not null) page.Paragraph("Command line: " + command);

        page.Heading(2, "Clusters over time", "time-course");
        TimeCourses(page, runs);
        page.Heading(2, "FRAP", "frap");
        Frap(page, runs);
        page.Heading(2, "Example frames", "frames");
        Examples(page, runs);
        page.Heading(2, "Adaptive rules", "adaptive");
        Adaptive(page, runs);
        return page;
    }

    private static void TimeCourses(HtmlPage page, IReadOnlyList<RunData> runs)
    {
        var analysed = runs.Where(r => r.Positions.Any(p => p.Frames.Count > 0)).ToList();
        foreach (var r in runs.Except(analysed)) page.Note($"{r.Condition}: no frames.csv (run not analysed or failed before its first frame).");
        if (analysed.Count == 0) return;
        bool insulin = analysed.All(r => r.InsulinTimeS is not null);
        if (!insulin) page.Note("Not every run has a stimulation event: time is counted from the start of each run.");
        var count = ReportSections.TimeCourse("Cluster count (mean over positions)", "clusters per frame", insulin,
            analysed.Select(r => new PlotSeries(r.Condition, MeanOverPositions(r, f => f.Clusters, insulin))), fromZero: true);
        var ratio = ReportSections.TimeCourse("Partition ratio (mean over positions)", "inside / outside clusters", insulin,
            analysed.Select(r => new PlotSeries(r.Condition, MeanOverPositions(r, f => f.PartitionRatio, insulin))), fromZero: false);
        ReportSections.FigureOrNote(page, count, "One line per condition: clusters per frame, averaged over the positions imaged at about the same time.");
        ReportSections.FigureOrNote(page, ratio, "One line per condition: partition ratio (inside over outside clusters), averaged over positions.");
    }

    /// <summary>
    /// Positions are imaged one after another, and adaptive rules may image one faster: values are grouped in bins
    /// of the typical frame interval (relative to insulin) and averaged per position first, then over positions.
    /// </summary>
    internal static IReadOnlyList<(double X, double Y)> MeanOverPositions(RunData run, Func<FramePoint, double> metric, bool fromInsulin)
    {
        double zero = fromInsulin ? run.InsulinTimeS ?? 0 : 0;
        var intervals = run.Positions.SelectMany(p => p.Frames.Zip(p.Frames.Skip(1), (a, b) => b.TimeS - a.TimeS))
            .Where(d => double.IsFinite(d) && d > 0).Order().ToList();
        double bin = intervals.Count == 0 ? 1 : intervals[intervals.Count / 2];
        return run.Positions
            .SelectMany(p => p.Frames.Where(f => double.IsFinite(f.TimeS) && double.IsFinite(metric(f)))
                .Select(f => (Position: p.Name, Bin: (long)Math.Round((f.TimeS - zero) / bin), f.TimeS, Value: metric(f))))
            .GroupBy(v => v.Bin)
            .OrderBy(g => g.Key)
            .Select(g => ((g.Average(v => v.TimeS) - zero) / 60,
                          g.GroupBy(v => v.Position).Select(p => p.Average(v => v.Value)).Average()))
            .ToList();
    }

    private static void Frap(HtmlPage page, IReadOnlyList<RunData> runs)
    {
        var conditions = runs.Select(r => r.Condition).ToList();
        var rows = new List<IReadOnlyList<string>>();
        int offScale = 0;
        var tHalf = new SvgPlot { Title = "FRAP t½ per condition", XLabel = "condition", YLabel = "t½ (s)", XCategories = conditions, YFromZero = true, Width = 480 };
        var mobile = new SvgPlot { Title = "Mobile fraction per condition", XLabel = "condition", YLabel = "mobile fraction", XCategories = conditions, YFromZero = true, Width = 480 };
        for (int i = 0; i < runs.Count; i++)
        {
            var r = runs[i];
            var ok = r.Frap?.Where(s => s.Succeeded).ToList() ?? [];
            var clean = ok.Where(s => s.Clean).ToList();
            var (th, thSd, n) = ReportSections.MeanSd(clean.Select(s => s.THalfS));
            var (mf, mfSd, nMf) = ReportSections.MeanSd(clean.Select(s => s.MobileFraction));
            var good = ok.Where(s => OnScale(s) && s.RSquared >= 0.9).Select(s => s.THalfS).ToList();
            rows.Add([r.Condition, r.Frap is null ? "no frap.csv" : $"{ok.Count} of {r.Frap.Count}", ok.Count(s => s.Warnings.Length > 0).ToString(Inv),
                ReportSections.PlusMinus(th, thSd, "0.0"), n.ToString(Inv), ReportSections.PlusMinus(mf, mfSd, "0.00"), nMf.ToString(Inv),
                good.Count == 0 ? "–" : HtmlPage.Num(Median(good), "0.0"), good.Count.ToString(Inv)]);
            string colour = SvgPlot.Palette[i % SvgPlot.Palette.Count];
            var onScale = ok.Where(OnScale).ToList();
            offScale += ok.Count - onScale.Count;
            AddStrip(tHalf, i, r.Condition, colour, onScale, s => s.THalfS, th, thSd);
            AddStrip(mobile, i, r.Condition, colour, onScale, s => s.MobileFraction, mf, mfSd);
        }
        page.Table(["condition", "steps fitted", "of which with warnings", "t½ (s), mean ± SD of fits without warnings", "n",
            "mobile fraction, mean ± SD of fits without warnings", "n", "t½ (s), median of good fits", "n"], rows, "frap-summary");
        // Simulated bleaches are often shallower than the analyzer's 60 % line, so "without warnings" can leave a
        // condition with no figure at all; the good-fit median is the one the experiment test holds against the truth.
        page.Note("Good fits: fitted, R² ≥ 0.9 and a mobile fraction in (0, 1.5], whatever their warnings (a shallow bleach is one).");
        if (!tHalf.HasData) { page.Note("No fitted FRAP step in any run."); }
        else
        {
            string caption = "Each point is one fitted FRAP step (hollow: the fit has quality warnings); the bar is mean ± SD of the fits without warnings (frap.csv)."
                             + (offScale == 0 ? "" : $" Not shown: {offScale} fit(s) with a mobile fraction outside 0–1.5 (more came back than was bleached, so t½ runs off; a neighbour grew or drifted into the spot), which would squash the scale; frap.csv lists them.");
            page.Figure(tHalf.Render(), caption);
            page.Figure(mobile.Render(), caption);
        }
        page.Open("div", "conditions");
        foreach (var r in runs)
        {
            page.Open("div", "condition");
            if (ReportSections.FrapCurves(r, $"FRAP recovery — {r.Condition}", width: 360) is { } curves)
                page.Figure(curves.Render(), $"{r.Condition}: normalised points and fit per step (frap_curves.csv).");
            else page.Note($"{r.Condition}: no FRAP curves.");
            page.Close("div");
        }
        page.Close("div");
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int m = values.Count / 2;
        return values.Count % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
    }

    /// <summary>A fit whose parameters mean something: a mobile fraction in (0, 1.5] (the experiment test's rule too).</summary>
    private static bool OnScale(FrapStep s) => s.THalfS > 0 && s.MobileFraction > 0 && s.MobileFraction <= 1.5;

    /// <summary>
    /// Per-step points spread a little sideways so equal values stay visible (hollow: the fit has quality warnings),
    /// and mean ± SD as a bar beside them.
    /// </summary>
    private static void AddStrip(SvgPlot plot, int category, string name, string colour, IReadOnlyList<FrapStep> steps,
        Func<FrapStep, double> value, double mean, double sd)
    {
        (double, double) Point(FrapStep s, int j) => (category - 0.18 + 0.24 * ((j * 0.618034) % 1.0), value(s));
        var points = steps.Select((s, j) => (Step: s, Point: Point(s, j))).ToList();
        plot.Series.Add(new PlotSeries(name, points.Where(p => p.Step.Warnings.Length == 0).Select(p => p.Point).ToList(), SeriesStyle.Points)
            { Color = colour, InLegend = false });
        plot.Series.Add(new PlotSeries(name + " (warnings)", points.Where(p => p.Step.Warnings.Length > 0).Select(p => p.Point).ToList(),
            SeriesStyle.HollowPoints) { Color = colour, InLegend = false });
        if (!double.IsFinite(mean)) return;
        double x = category + 0.25, half = double.IsFinite(sd) ? sd : 0;
        plot.Series.Add(new PlotSeries(name + " mean ± SD",
            [(x - 0.06, mean), (x + 0.06, mean), (double.NaN, double.NaN), (x, mean - half), (x, mean + half)]) { Color = colour, InLegend = false });
    }

    private static void Examples(HtmlPage page, IReadOnlyList<RunData> runs)
    {
        page.Open("div", "conditions");
        foreach (var r in runs)
        {
            page.Open("div", "condition").Heading(3, r.Condition);
            var first = r.Positions.FirstOrDefault(p => p.Frames.Count > 0);
            var images = first is null ? [] : PreviewImages.For(r, first, [first.Frames[0].Frame, first.Frames[^1].Frame]);
            if (images.Count == 0) page.Note("No analysed frames.");
            else page.Images(images);
            page.Close("div");
        }
        page.Close("div");
    }

    private static void Adaptive(HtmlPage page, IReadOnlyList<RunData> runs)
    {
        if (runs.All(r => r.Adapt.Count == 0 && r.Adaptive is null))
        {
            page.Note("No adaptive rules in any run.");
            return;
        }
        page.Table(["condition", "rules", "decisions", "refused", "bleaches", "analysis → action p50 / p99 (ms)", "frame → action p50 / p99 (ms)"],
            runs.Select(r => (IReadOnlyList<string>)
            [
                r.Condition, r.Adaptive is null ? "–" : string.Join(", ", r.Adaptive.Rules),
                (r.Adaptive?.Decisions ?? r.Adapt.Count(a => !a.Refused)).ToString(Inv),
                (r.Adaptive?.Refused ?? r.Adapt.Count(a => a.Refused)).ToString(Inv),
                r.Adaptive?.Bleaches.ToString(Inv) ?? "–",
                Latency(r.Adaptive?.DecisionLatency), Latency(r.Adaptive?.FrameToDecision),
            ]), "adapt-summary");
        foreach (var r in runs)
        {
            page.Heading(3, r.Condition);
            ReportSections.AdaptiveDecisions(page, r);
        }
    }

    private static string Latency(LatencyFigures? f) => f is null ? "–" : $"{HtmlPage.Num(f.P50, "0.0")} / {HtmlPage.Num(f.P99, "0.0")}";
}
