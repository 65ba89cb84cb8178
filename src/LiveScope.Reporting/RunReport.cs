using LiveScope.Reporting.Data;
using LiveScope.Reporting.Html;
using LiveScope.Reporting.Svg;

namespace LiveScope.Reporting;

/// <summary>
/// The report of one run as a single offline HTML file (inline CSS, inline SVG plots, PNG previews as data: URIs):
/// header from manifest.json, example frames, cluster count and partition ratio over time per position, FRAP curves
/// and fits, and what the adaptive rules did. A missing part (no FRAP, no decisions, a failed run) is a short note.
/// </summary>
public static class RunReport
{
    public const string FileName = "report.html";

    /// <summary>Writes the report (default <c>&lt;run&gt;/report.html</c>) and returns its path.</summary>
    public static string Write(string runFolder, string? outPath = null)
    {
        var run = RunData.Load(runFolder);
        string path = outPath ?? Path.Combine(run.Folder, FileName);
        Build(run).Save(path);
        return Path.GetFullPath(path);
    }

    internal static HtmlPage Build(RunData run)
    {
        var page = new HtmlPage($"LiveScope run {run.Name}");
        page.Heading(1, $"{ReportSections.ProtocolName(run)} — {run.Condition}");
        ReportSections.Header(page, run);

        page.Heading(2, "Example frames", "frames");
        var first = run.Positions.FirstOrDefault(p => p.Frames.Count > 0);
        var images = first is null ? [] : PreviewImages.For(run, first, PreviewImages.Pick(run, first));
        if (first is null) page.Note("No analysed frames to show.");
        else if (images.Count == 0) page.Note("No example frame: no preview PNG, and the image file could not be drawn.");
        else page.Paragraph("Clusters the in-line analysis found are circled in yellow, cell outlines in cyan.").Images(images);

        page.Heading(2, "Clusters over time", "time-course");
        TimeCourses(page, run);

        page.Heading(2, "FRAP", "frap");
        Frap(page, run);

        page.Heading(2, "Adaptive rules", "adaptive");
        ReportSections.AdaptiveDecisions(page, run);

        // Last, so problems met while drawing the sections above are listed too.
        if (run.Problems.Count > 0)
        {
            page.Heading(2, "Reading problems", "problems");
            page.Table(["what could not be read"], run.Problems.Select(p => (IReadOnlyList<string>)[p]), "problems");
        }
        return page;
    }

    private static void TimeCourses(HtmlPage page, RunData run)
    {
        var positions = run.Positions.Where(p => p.Frames.Count > 0).ToList();
        if (positions.Count == 0) { page.Note("No frames.csv: the run was not analysed (livescope analyze writes it)."); return; }
        bool insulin = run.InsulinTimeS is not null;
        if (!insulin) page.Note("The run has no stimulation event: time is counted from the start of the run.");
        var truth = run.TruthCountsByTimeMs;
        var count = ReportSections.TimeCourse("Cluster count", "clusters per frame", insulin,
            positions.SelectMany((p, i) => CountLines(run, p, truth, SvgPlot.Palette[i % SvgPlot.Palette.Count])), fromZero: true);
        var ratio = ReportSections.TimeCourse("Partition ratio", "inside / outside clusters", insulin,
            positions.Select(p => new PlotSeries(p.Name, p.Frames.Select(f => (run.Minutes(f.TimeS), f.PartitionRatio)).ToList())), fromZero: false);
        ReportSections.FigureOrNote(page, count, "Clusters detected in each frame, one line per position (frames.csv)" +
            (truth is null ? "." : "; dashed: every cluster the simulator had in view (ground-truth.csv), detectable or not."));
        ReportSections.FigureOrNote(page, ratio, "Mean intensity inside clusters over the mean of the cell outside them (frames.csv).");
    }

    /// <summary>The detected count, and on the simulator the true count of the same frames (matched by frame time).</summary>
    private static IEnumerable<PlotSeries> CountLines(RunData run, SeriesFrames position, IReadOnlyDictionary<long, int>? truth, string colour)
    {
        yield return new PlotSeries(position.Name, position.Frames.Select(f => (run.Minutes(f.TimeS), f.Clusters)).ToList()) { Color = colour };
        if (truth is null) yield break;
        var truePoints = position.Frames.Where(f => truth.ContainsKey(RunData.TimeKey(f.TimeS)))
            .Select(f => (run.Minutes(f.TimeS), (double)truth[RunData.TimeKey(f.TimeS)])).ToList();
        if (truePoints.Count > 0)
            yield return new PlotSeries(position.Name + " truth", truePoints) { Color = colour, Dashed = true, Opacity = 0.7 };
    }

    private static void Frap(HtmlPage page, RunData run)
    {
        int bleaches = run.Events.Count(e => e.Kind == "bleach");
        int skipped = run.Events.Count(e => e.Kind == "bleach.skipped");
        if (run.Frap is null && run.FrapCurves is null)
        {
            page.Note(bleaches + skipped == 0 ? "No FRAP in this run."
                : $"No FRAP results (measurements/frap.csv): {bleaches} bleach(es) done, {skipped} skipped.");
            return;
        }
        if (ReportSections.FrapCurves(run, "FRAP recovery") is { } curves)
            page.Figure(curves.Render(), "Double-normalised intensity of the bleached region (points) and the fitted model (line), per step (frap_curves.csv).");
        else page.Note("No FRAP curves (measurements/frap_curves.csv).");
        if (run.Frap is not { Count: > 0 } steps) { page.Note("No FRAP fits (measurements/frap.csv)."); return; }
        var ok = steps.Where(s => s.Succeeded).ToList();
        var clean = ok.Where(s => s.Clean).ToList();
        var (th, thSd, n) = ReportSections.MeanSd(clean.Select(s => s.THalfS));
        var (mf, mfSd, _) = ReportSections.MeanSd(clean.Select(s => s.MobileFraction));
        page.Paragraph($"{steps.Count} step(s), {ok.Count} fitted, {clean.Count} without quality warnings: t½ = {ReportSections.PlusMinus(th, thSd, "0.0")} s, " +
                       $"mobile fraction = {ReportSections.PlusMinus(mf, mfSd, "0.00")} (mean ± SD of those, n = {n}).");
        page.Table(ReportSections.FrapStepHeader, steps.Select(s => ReportSections.FrapStepRow(run, s)), "frap");
        if (skipped > 0) page.Note($"{skipped} bleach(es) skipped: no target was chosen.");
    }
}
