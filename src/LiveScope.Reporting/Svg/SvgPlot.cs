using System.Globalization;
using System.Text;

namespace LiveScope.Reporting.Svg;

public enum SeriesStyle { Line, Points, LineAndPoints, HollowPoints }

/// <summary>One named set of points. NaN coordinates are left out (a line is broken there).</summary>
public sealed record PlotSeries(string Name, IReadOnlyList<(double X, double Y)> Points, SeriesStyle Style = SeriesStyle.Line)
{
    /// <summary>A CSS colour; null takes the next one of the palette.</summary>
    public string? Color { get; init; }
    /// <summary>Series that only accompany another (a fitted line under its points) stay out of the legend.</summary>
    public bool InLegend { get; init; } = true;
    public double Opacity { get; init; } = 1;
    public bool Dashed { get; init; }
}

/// <summary>A vertical line across the plot at <see cref="X"/> (insulin at time zero), labelled at its top.</summary>
public sealed record VerticalMarker(double X, string Label);

/// <summary>
/// A small self-contained SVG chart: line and scatter series on linear axes with "nice" ticks, axis labels, a legend
/// and vertical markers. With <see cref="XCategories"/> the x axis is categorical (x = 0, 1, … names a category),
/// which makes a strip plot of per-condition values. Output is plain SVG markup with no script and no external
/// reference, so it can be inlined in an offline HTML page. Every series is a <c>&lt;g class="series"&gt;</c>.
/// </summary>
public sealed class SvgPlot
{
    /// <summary>Okabe–Ito: distinguishable for colour-blind readers and in print.</summary>
    public static readonly IReadOnlyList<string> Palette =
        ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

    public string Title { get; init; } = "";
    public string XLabel { get; init; } = "";
    public string YLabel { get; init; } = "";
    public int Width { get; init; } = 720;
    public int Height { get; init; } = 320;
    public List<PlotSeries> Series { get; } = [];
    public List<VerticalMarker> Markers { get; } = [];
    public IReadOnlyList<string>? XCategories { get; init; }
    /// <summary>Forces the y range to include 0 (counts, fractions).</summary>
    public bool YFromZero { get; init; }

    private const int Left = 64, Top = 28, Bottom = 48, LegendGap = 12;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public bool HasData => Series.Any(s => s.Points.Any(Finite));

    public string Render()
    {
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg class=\"plot\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Esc(Title)}\">");
        sb.Append(Inv, $"<title>{Esc(Title)}</title>");
        sb.Append(Inv, $"<text x=\"{Width / 2}\" y=\"16\" text-anchor=\"middle\" class=\"plot-title\">{Esc(Title)}</text>");
        var legend = Series.Where(x => x.InLegend).Select(x => x.Name).ToList();
        // The legend sits right of the plot area, so it never hides a line.
        int legendWidth = legend.Count == 0 ? 0 : Math.Min(200, 34 + 7 * legend.Max(n => n.Length));
        int right = legend.Count == 0 ? 16 : legendWidth + LegendGap + 8;
        var (xMin, xMax, yMin, yMax) = Ranges();
        var xTicks = XCategories is null ? NiceTicks.For(xMin, xMax) : Enumerable.Range(0, XCategories.Count).Select(i => (double)i).ToArray();
        var yTicks = NiceTicks.For(yMin, yMax);
        // Time runs from the first to the last frame: x keeps the data's range (ticks inside it); y extends to its ticks.
        double slack = (xMax - xMin) * 1e-9;
        var inside = xTicks.Where(t => t >= xMin - slack && t <= xMax + slack).ToArray();
        if (XCategories is null && inside.Length >= 2) xTicks = inside;
        else if (XCategories is null) { xMin = Math.Min(xMin, xTicks[0]); xMax = Math.Max(xMax, xTicks[^1]); }
        yMin = Math.Min(yMin, yTicks[0]); yMax = Math.Max(yMax, yTicks[^1]);
        double plotW = Width - Left - right, plotH = Height - Top - Bottom;
        double Px(double x) => Left + (x - xMin) / (xMax - xMin) * plotW;
        double Py(double y) => Top + plotH - (y - yMin) / (yMax - yMin) * plotH;

        sb.Append(Inv, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW:0.#}\" height=\"{plotH:0.#}\" class=\"plot-area\"/>");
        sb.Append("<g class=\"axis x-axis\">");
        for (int i = 0; i < xTicks.Length; i++)
        {
            double px = Px(xTicks[i]);
            string label = XCategories is null ? NiceTicks.Format(xTicks[i], xTicks) : XCategories[i];
            sb.Append(Inv, $"<line x1=\"{px:0.##}\" y1=\"{Top + plotH:0.##}\" x2=\"{px:0.##}\" y2=\"{Top + plotH + 5:0.##}\"/>");
            sb.Append(Inv, $"<text x=\"{px:0.##}\" y=\"{Top + plotH + 18:0.##}\" text-anchor=\"middle\">{Esc(label)}</text>");
        }
        sb.Append(Inv, $"<text x=\"{Left + plotW / 2:0.##}\" y=\"{Height - 8}\" text-anchor=\"middle\" class=\"axis-label\">{Esc(XLabel)}</text>");
        sb.Append("</g><g class=\"axis y-axis\">");
        foreach (var t in yTicks)
        {
            double py = Py(t);
            sb.Append(Inv, $"<line x1=\"{Left - 5}\" y1=\"{py:0.##}\" x2=\"{Left + plotW:0.##}\" y2=\"{py:0.##}\" class=\"grid\"/>");
            sb.Append(Inv, $"<text x=\"{Left - 8}\" y=\"{py + 4:0.##}\" text-anchor=\"end\">{Esc(NiceTicks.Format(t, yTicks))}</text>");
        }
        sb.Append(Inv, $"<text transform=\"translate(14 {Top + plotH / 2:0.##}) rotate(-90)\" text-anchor=\"middle\" class=\"axis-label\">{Esc(YLabel)}</text>");
        sb.Append("</g>");

        foreach (var m in Markers.Where(m => m.X >= xMin && m.X <= xMax))
        {
            double px = Px(m.X);
            sb.Append(Inv, $"<g class=\"marker\"><line x1=\"{px:0.##}\" y1=\"{Top}\" x2=\"{px:0.##}\" y2=\"{Top + plotH:0.##}\"/>");
            sb.Append(Inv, $"<text x=\"{px + 4:0.##}\" y=\"{Top + 12}\">{Esc(m.Label)}</text></g>");
        }

        int colour = 0;
        var entries = new List<(string Name, string Color, SeriesStyle Style, bool Dashed)>();
        foreach (var s in Series)
        {
            string c = s.Color ?? Palette[colour++ % Palette.Count];
            sb.Append(Inv, $"<g class=\"series\" data-series=\"{Esc(s.Name)}\" fill=\"{c}\" stroke=\"{c}\" opacity=\"{s.Opacity:0.##}\"{(s.Dashed ? " stroke-dasharray=\"6 4\"" : "")}>");
            if (s.Style is SeriesStyle.Line or SeriesStyle.LineAndPoints)
                foreach (var run in FiniteRuns(s.Points))
                    sb.Append("<polyline fill=\"none\" points=\"")
                      .AppendJoin(' ', run.Select(p => string.Create(Inv, $"{Px(p.X):0.##},{Py(p.Y):0.##}")))
                      .Append("\"/>");
            if (s.Style == SeriesStyle.HollowPoints)
                foreach (var p in s.Points.Where(Finite))
                    sb.Append(Inv, $"<circle cx=\"{Px(p.X):0.##}\" cy=\"{Py(p.Y):0.##}\" r=\"3\" fill=\"none\" stroke-width=\"1.2\"/>");
            else if (s.Style != SeriesStyle.Line)
                foreach (var p in s.Points.Where(Finite))
                    sb.Append(Inv, $"<circle cx=\"{Px(p.X):0.##}\" cy=\"{Py(p.Y):0.##}\" r=\"2.5\" stroke=\"none\"/>");
            sb.Append("</g>");
            if (s.InLegend) entries.Add((s.Name, c, s.Style, s.Dashed));
        }
        AppendLegend(sb, entries, Left + plotW + LegendGap, legendWidth);
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static void AppendLegend(StringBuilder sb, List<(string Name, string Color, SeriesStyle Style, bool Dashed)> legend, double left, int width)
    {
        if (legend.Count == 0) return;
        sb.Append("<g class=\"legend\">");
        double y = Top + 8, x = left + 4;
        sb.Append(Inv, $"<rect x=\"{left:0.##}\" y=\"{Top}\" width=\"{width}\" height=\"{legend.Count * 16 + 6}\" class=\"legend-box\"/>");
        foreach (var (name, color, style, dashed) in legend)
        {
            if (style == SeriesStyle.Points)
                sb.Append(Inv, $"<circle cx=\"{x + 9:0.##}\" cy=\"{y + 1:0.##}\" r=\"3\" fill=\"{color}\"/>");
            else if (style == SeriesStyle.HollowPoints)
                sb.Append(Inv, $"<circle cx=\"{x + 9:0.##}\" cy=\"{y + 1:0.##}\" r=\"3\" fill=\"none\" stroke=\"{color}\"/>");
            else
                sb.Append(Inv, $"<line x1=\"{x:0.##}\" y1=\"{y + 1:0.##}\" x2=\"{x + 18:0.##}\" y2=\"{y + 1:0.##}\" stroke=\"{color}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")}/>");
            string shown = name.Length > 24 ? name[..23] + "…" : name;
            sb.Append(Inv, $"<text x=\"{x + 24:0.##}\" y=\"{y + 5:0.##}\">{Esc(shown)}</text>");
            y += 16;
        }
        sb.Append("</g>");
    }

    private (double XMin, double XMax, double YMin, double YMax) Ranges()
    {
        var points = Series.SelectMany(s => s.Points).Where(Finite).ToList();
        double xMin, xMax;
        if (XCategories is not null) { xMin = -0.5; xMax = Math.Max(1, XCategories.Count) - 0.5; }
        else if (points.Count == 0) { xMin = 0; xMax = 1; }
        else { xMin = points.Min(p => p.X); xMax = points.Max(p => p.X); }
        if (XCategories is null)
            foreach (var m in Markers) { xMin = Math.Min(xMin, m.X); xMax = Math.Max(xMax, m.X); }
        double yMin = points.Count == 0 ? 0 : points.Min(p => p.Y), yMax = points.Count == 0 ? 1 : points.Max(p => p.Y);
        // A little headroom, so a point on the edge is not cut by the frame.
        double pad = (yMax - yMin) * 0.03;
        yMin -= pad; yMax += pad;
        if (YFromZero && yMin >= -pad) yMin = Math.Max(0, yMin);
        if (YFromZero) { yMin = Math.Min(0, yMin); yMax = Math.Max(0, yMax); }
        (xMin, xMax) = Widen(xMin, xMax);
        (yMin, yMax) = Widen(yMin, yMax);
        return (xMin, xMax, yMin, yMax);
    }

    /// <summary>A degenerate range (one value) gets some room so the axis can still be drawn.</summary>
    private static (double, double) Widen(double min, double max)
    {
        if (max > min) return (min, max);
        double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
        return (min - pad, max + pad);
    }

    private static bool Finite((double X, double Y) p) => double.IsFinite(p.X) && double.IsFinite(p.Y);

    private static IEnumerable<List<(double X, double Y)>> FiniteRuns(IReadOnlyList<(double X, double Y)> points)
    {
        var run = new List<(double X, double Y)>();
        foreach (var p in points)
        {
            if (Finite(p)) { run.Add(p); continue; }
            if (run.Count > 1) yield return run;
            run = [];
        }
        if (run.Count > 1) yield return run;
    }

    private static string Esc(string text) => Html.HtmlPage.Esc(text);
}

/// <summary>Axis ticks at 1, 2 or 5 × 10ⁿ steps covering a range (Heckbert's "nice numbers").</summary>
public static class NiceTicks
{
    public static double[] For(double min, double max, int target = 6)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) return [0, 1];
        if (max <= min) max = min + 1;
        double step = Nice((max - min) / Math.Max(1, target - 1));
        double first = Math.Floor(min / step) * step, last = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (double t = first; t <= last + step * 0.5; t += step)
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        return ticks.ToArray();
    }

    private static double Nice(double raw)
    {
        double exponent = Math.Floor(Math.Log10(raw)), fraction = raw / Math.Pow(10, exponent);
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * Math.Pow(10, exponent);
    }

    /// <summary>As many decimals as the tick step needs, no more.</summary>
    public static string Format(double value, IReadOnlyList<double> ticks)
    {
        double step = ticks.Count > 1 ? Math.Abs(ticks[1] - ticks[0]) : 1;
        int decimals = step >= 1 ? 0 : Math.Min(6, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
        return value.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}
