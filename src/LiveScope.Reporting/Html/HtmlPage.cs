using System.Globalization;
using System.Text;

namespace LiveScope.Reporting.Html;

/// <summary>
/// Builds one self-contained HTML page: inline CSS, no script, no external reference. Every text from a file goes
/// through <see cref="Esc"/>; markup is appended only by the methods here and by the SVG plot helper.
/// </summary>
internal sealed class HtmlPage
{
    private readonly StringBuilder _body = new();
    private readonly string _title;

    public HtmlPage(string title) => _title = title;

    /// <summary>Escapes the five characters that could end text or an attribute; other characters (½, ±, µ) stay as they are in UTF-8.</summary>
    public static string Esc(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.AsSpan().IndexOfAny("&<>\"'") < 0) return text ?? "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (char ch in text)
            _ = ch switch
            {
                '&' => sb.Append("&amp;"), '<' => sb.Append("&lt;"), '>' => sb.Append("&gt;"),
                '"' => sb.Append("&quot;"), '\'' => sb.Append("&#39;"), _ => sb.Append(ch),
            };
        return sb.ToString();
    }

    public static string Num(double value, string format = "0.###")
        => double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "–";

    public HtmlPage Heading(int level, string text, string? id = null)
    {
        _body.Append(CultureInfo.InvariantCulture, $"<h{level}{(id is null ? "" : $" id=\"{Esc(id)}\"")}>{Esc(text)}</h{level}>\n");
        return this;
    }

    public HtmlPage Paragraph(string text, string? cssClass = null)
    {
        _body.Append(cssClass is null ? "<p>" : $"<p class=\"{cssClass}\">").Append(Esc(text)).Append("</p>\n");
        return this;
    }

    /// <summary>A short remark where a part of the report has nothing to show (no FRAP, no adaptive rules, …).</summary>
    public HtmlPage Note(string text) => Paragraph(text, "note");

    /// <summary>A key–value list (the run header).</summary>
    public HtmlPage Facts(IEnumerable<(string Key, string Value)> facts, string? valueClassFor = null, string? valueClass = null)
    {
        _body.Append("<dl class=\"facts\">");
        foreach (var (key, value) in facts)
        {
            string cls = key == valueClassFor && valueClass is not null ? $" class=\"{valueClass}\"" : "";
            _body.Append("<dt>").Append(Esc(key)).Append("</dt><dd").Append(cls).Append('>').Append(Esc(value)).Append("</dd>");
        }
        _body.Append("</dl>\n");
        return this;
    }

    public HtmlPage Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, string? cssClass = null)
    {
        _body.Append(cssClass is null ? "<table>" : $"<table class=\"{cssClass}\">").Append("<thead><tr>");
        foreach (var h in header) _body.Append("<th>").Append(Esc(h)).Append("</th>");
        _body.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var cell in row) _body.Append("<td>").Append(Esc(cell)).Append("</td>");
            _body.Append("</tr>");
        }
        _body.Append("</tbody></table>\n");
        return this;
    }

    /// <summary>Markup already built safely (an SVG from <see cref="Svg.SvgPlot"/>) inside a figure with a caption.</summary>
    public HtmlPage Figure(string trustedMarkup, string caption)
    {
        _body.Append("<figure>").Append(trustedMarkup).Append("<figcaption>").Append(Esc(caption)).Append("</figcaption></figure>\n");
        return this;
    }

    public HtmlPage Images(IEnumerable<PreviewImage> images)
    {
        _body.Append("<div class=\"previews\">");
        foreach (var image in images)
            _body.Append("<figure class=\"preview\"><img src=\"").Append(image.DataUri).Append("\" alt=\"").Append(Esc(image.Caption))
                 .Append("\"><figcaption>").Append(Esc(image.Caption)).Append("</figcaption></figure>");
        _body.Append("</div>\n");
        return this;
    }

    public HtmlPage Open(string tag, string cssClass)
    {
        _body.Append('<').Append(tag).Append(" class=\"").Append(cssClass).Append("\">");
        return this;
    }

    public HtmlPage Close(string tag)
    {
        _body.Append("</").Append(tag).Append(">\n");
        return this;
    }

    public override string ToString()
        => $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">" +
           $"<title>{Esc(_title)}</title><style>{Css}</style></head>\n<body>\n{_body}<footer>Written by LiveScope {Esc(Storage.Run.RunManifest.CurrentSoftwareVersion)}</footer>\n</body></html>\n";

    public void Save(string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        string temp = path + ".tmp";
        File.WriteAllText(temp, ToString(), new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }

    private const string Css = """
        body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #222; }
        h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ccc; }
        h3 { font-size: 15px; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
        dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; word-break: break-all; }
        .bad { color: #b00020; font-weight: 600; } .note { color: #555; font-style: italic; }
        table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
        th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
        th { background: #f3f3f3; }
        figure { margin: 8px 16px 8px 0; display: inline-table; vertical-align: top; }
        figcaption { display: table-caption; caption-side: bottom; font-size: 12px; color: #555; }
        .previews { display: flex; flex-wrap: wrap; gap: 12px; }
        .preview img { width: 320px; height: auto; image-rendering: pixelated; border: 1px solid #999; }
        svg.plot { background: #fff; font-size: 11px; }
        svg.plot .plot-area { fill: none; stroke: #999; }
        svg.plot .axis line { stroke: #666; } svg.plot .axis line.grid { stroke: #e6e6e6; }
        svg.plot .plot-title { font-size: 13px; font-weight: 600; } svg.plot .axis-label { font-size: 12px; }
        svg.plot .series polyline { stroke-width: 1.8; }
        svg.plot .marker line { stroke: #b00020; stroke-dasharray: 5 3; stroke-width: 1.5; } svg.plot .marker text { fill: #b00020; }
        svg.plot .legend-box { fill: #fff; fill-opacity: 0.85; stroke: #ccc; }
        .conditions { display: flex; flex-wrap: wrap; gap: 16px; } .conditions > div { flex: 1 1 320px; }
        footer { margin-top: 40px; font-size: 11px; color: #888; }
        """;
}
