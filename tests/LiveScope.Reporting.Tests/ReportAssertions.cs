using System.Text.RegularExpressions;

namespace LiveScope.Reporting.Tests;

/// <summary>Reads the parts of a report page tests check: a plot by its title, its series, a table's rows.</summary>
internal static partial class ReportAssertions
{
    public static string Plot(string html, string title)
    {
        var match = Regex.Match(html, $"<svg class=\"plot\"[^>]*aria-label=\"{Regex.Escape(title)}\".*?</svg>", RegexOptions.Singleline);
        match.Success.Should().BeTrue($"the page has a plot titled '{title}'");
        return match.Value;
    }

    public static IReadOnlyList<string> SeriesNames(string svg)
        => SeriesRegex().Matches(svg).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    public static IReadOnlyList<string> LegendEntries(string svg)
    {
        var legend = Regex.Match(svg, "<g class=\"legend\">.*?</g>", RegexOptions.Singleline).Value;
        return Regex.Matches(legend, "<text[^>]*>([^<]*)</text>").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
    }

    /// <summary>The body rows of the first table with this class, each as its decoded cell texts.</summary>
    public static IReadOnlyList<string[]> TableRows(string html, string cssClass)
    {
        var table = Regex.Match(html, $"<table class=\"{cssClass}\">.*?</table>", RegexOptions.Singleline);
        table.Success.Should().BeTrue($"the page has a table '{cssClass}'");
        var body = Regex.Match(table.Value, "<tbody>(.*)</tbody>", RegexOptions.Singleline).Groups[1].Value;
        return Regex.Matches(body, "<tr>(.*?)</tr>", RegexOptions.Singleline)
            .Select(r => Regex.Matches(r.Groups[1].Value, "<td>(.*?)</td>", RegexOptions.Singleline)
                .Select(c => System.Net.WebUtility.HtmlDecode(c.Groups[1].Value)).ToArray())
            .ToList();
    }

    /// <summary>The page section under an &lt;h2 id=…&gt; up to the next h2.</summary>
    public static string Section(string html, string id)
    {
        var match = Regex.Match(html, $"<h2 id=\"{id}\">.*?(?=<h2 |<footer>)", RegexOptions.Singleline);
        match.Success.Should().BeTrue($"the page has a section '{id}'");
        return match.Value;
    }

    [GeneratedRegex("<g class=\"series\" data-series=\"([^\"]*)\"")]
    private static partial Regex SeriesRegex();
}
