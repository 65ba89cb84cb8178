using System.Globalization;
using System.Text;

namespace LiveScope.Analysis.Frap;

/// <summary>
/// FRAP results as CSV in a run's measurements folder (invariant culture, NaN as an empty cell):
/// frap.csv, one row per FRAP step (with how far its ROI followed the cluster and, if it did, when the cluster began
/// to dissolve), and frap_curves.csv, one row per frame of each step (with where the ROI was:
/// it follows its cluster). <see cref="Append"/> adds one
/// step (the live controller, as each step completes; the header is written when the file is new);
/// <see cref="WriteAll"/> replaces both files (offline analysis, so re-running it does not duplicate rows).
/// </summary>
public static class FrapResultsCsv
{
    public const string ResultsFileName = "frap.csv";
    public const string CurvesFileName = "frap_curves.csv";
    public const string ResultsHeader =
        "step,position,series,track_id,cell_id,x_px,y_px,radius_px,bleach_time_s,model,t_half_s,t_half_se_s,mobile_fraction," +
        "mobile_fraction_se,r_squared,bleach_depth,gap_ratio,warnings,failure,roi_shift_px,dissolves_from_s";
    public const string CurvesHeader = "step,time_s,roi,reference,background,normalised,fitted,roi_x_px,roi_y_px";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private static readonly Lock Gate = new();   // the live controller and a report may append from different threads

    /// <summary>Appends one step to both files under <paramref name="measurementsFolder"/> (created if missing).</summary>
    /// <param name="series">The series (file name without extension); default <c>&lt;position&gt;_&lt;step&gt;</c>.</param>
    public static void Append(string measurementsFolder, FrapStepResult result, string? series = null)
    {
        lock (Gate) Write(measurementsFolder, [(result, series)], append: true);
    }

    /// <summary>Writes both files afresh with every step given.</summary>
    public static void WriteAll(string measurementsFolder, IEnumerable<(FrapStepResult Result, string? Series)> results)
    {
        lock (Gate) Write(measurementsFolder, results.ToList(), append: false);
    }

    private static void Write(string folder, IReadOnlyList<(FrapStepResult Result, string? Series)> results, bool append)
    {
        Directory.CreateDirectory(folder);
        using (var w = Open(Path.Combine(folder, ResultsFileName), ResultsHeader, append))
            foreach (var (r, series) in results) w.WriteLine(ResultRow(r, series));
        using (var w = Open(Path.Combine(folder, CurvesFileName), CurvesHeader, append))
            foreach (var (r, _) in results)
                foreach (var row in CurveRows(r)) w.WriteLine(row);
    }

    private static StreamWriter Open(string path, string header, bool append)
    {
        bool fresh = !append || !File.Exists(path) || new FileInfo(path).Length == 0;
        var w = new StreamWriter(path, append: !fresh, new UTF8Encoding(false)) { NewLine = "\n" };
        if (fresh) w.WriteLine(header);
        return w;
    }

    public static string ResultRow(FrapStepResult r, string? series = null)
    {
        var fit = r.Fit;
        return string.Join(',',
            Text(r.Step), Text(r.Position), Text(series ?? $"{r.Position}_{r.Step}"), Int(r.TrackId), Int(r.CellId),
            Num(r.XPx), Num(r.YPx), Num(r.RadiusPx), Num(r.BleachTimeS),
            fit is null ? "" : ModelName(fit.Model),
            Num(fit?.HalfTimeS), Num(fit?.HalfTimeStandardErrorS), Num(fit?.MobileFraction), Num(fit?.MobileFractionStandardError),
            Num(fit?.RSquared), Num(fit?.BleachDepth), Num(fit?.GapRatio),
            Text(fit is null ? "" : string.Join("; ", fit.Warnings)), Text(r.Failure ?? ""), Num(r.RoiShiftPx), Num(fit?.DissolvesFromS));
    }

    /// <summary>One row per frame: time from the first post-bleach frame; normalised and fitted only when there is a fit.</summary>
    public static IEnumerable<string> CurveRows(FrapStepResult r)
    {
        if (r.Curve is not { } curve) yield break;
        var fit = r.Fit;
        int post = curve.FirstPostBleachIndex;
        double t0 = curve.TimesS[post];
        for (int i = 0; i < curve.TimesS.Length; i++)
        {
            double t = curve.TimesS[i] - t0;
            double? normalised = fit is not null && i < fit.Normalised.Length ? fit.Normalised[i] : null;
            double? fitted = fit is not null && i >= post ? fit.Evaluate(t) : null;
            yield return string.Join(',', Text(r.Step), Num(t), Num(curve.Roi[i]), Num(curve.Reference[i]), Num(curve.Background[i]),
                Num(normalised), Num(fitted), Num(curve.RoiXPx?[i]), Num(curve.RoiYPx?[i]));
        }
    }

    public static string ModelName(FrapModel model) => model == FrapModel.OneExponential ? "one_exponential" : "two_exponentials";

    private static string Num(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("G9", C) : "";
    private static string Int(int? v) => v?.ToString(C) ?? "";

    /// <summary>RFC 4180 quoting for text that may hold a comma, a quote or a line break (warnings, failure reasons).</summary>
    private static string Text(string s)
        => s.AsSpan().IndexOfAny(",\"\n\r") < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
}
