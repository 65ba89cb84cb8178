using System.Text.RegularExpressions;
using LiveScope.Reporting.Data;
using LiveScope.Reporting.Svg;

namespace LiveScope.Reporting.Tests;

public class SvgPlotTests
{
    [Theory]
    [InlineData(0, 47, new[] { 0.0, 10, 20, 30, 40, 50 })]
    [InlineData(-5.2, 20.1, new[] { -10.0, 0, 10, 20, 30 })]
    [InlineData(0.61, 0.93, new[] { 0.6, 0.7, 0.8, 0.9, 1.0 })]
    [InlineData(3, 3, new[] { 3.0, 3.2, 3.4, 3.6, 3.8, 4.0 })]
    public void Ticks_are_nice_numbers_covering_the_range(double min, double max, double[] expected)
        => NiceTicks.For(min, max).Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-9);

    [Fact]
    public void Tick_labels_have_the_decimals_the_step_needs()
    {
        double[] ticks = [0.6, 0.65, 0.7];
        NiceTicks.Format(0.65, ticks).Should().Be("0.65");
        NiceTicks.Format(20, [0, 10, 20]).Should().Be("20");
    }

    [Fact]
    public void A_line_breaks_at_NaN_and_points_are_escaped_names()
    {
        var plot = new SvgPlot { Title = "a < b" };
        plot.Series.Add(new PlotSeries("x & y", [(0, 1), (1, 2), (2, double.NaN), (3, 1), (4, 0)]));
        plot.Markers.Add(new VerticalMarker(2, "insulin"));
        var svg = plot.Render();
        Regex.Matches(svg, "<polyline").Count.Should().Be(2);
        svg.Should().Contain("data-series=\"x &amp; y\"").And.Contain("<title>a &lt; b</title>");
        svg.Should().Contain("<g class=\"marker\">");
    }

    [Fact]
    public void Point_series_are_not_joined_by_lines()
    {
        // A strip plot's hollow points (fits with warnings) were drawn joined up, like a line series.
        var plot = new SvgPlot { Title = "strip" };
        plot.Series.Add(new PlotSeries("filled", [(0, 1), (0.1, 2), (0.2, 3)], SeriesStyle.Points) { InLegend = false });
        plot.Series.Add(new PlotSeries("hollow", [(1, 1), (1.1, 2), (1.2, 3)], SeriesStyle.HollowPoints) { InLegend = false });
        var svg = plot.Render();
        Regex.Matches(svg, "<polyline").Count.Should().Be(0);
        Regex.Matches(svg, "<circle[^>]*fill=\"none\"").Count.Should().Be(3);
    }

    [Fact]
    public void An_empty_plot_still_renders_axes()
    {
        var plot = new SvgPlot { Title = "empty" };
        plot.HasData.Should().BeFalse();
        plot.Render().Should().Contain("<g class=\"axis x-axis\">");
    }

    [Fact]
    public void Csv_fields_may_be_quoted_with_commas_quotes_and_empty_numbers()
    {
        var t = CsvTable.Parse("a,b,c\r\n1,\"x, \"\"y\"\"\",\n");
        t.Rows.Should().ContainSingle();
        t.Text(t.Rows[0], "b").Should().Be("x, \"y\"");
        t.Number(t.Rows[0], "a").Should().Be(1);
        double.IsNaN(t.Number(t.Rows[0], "c")).Should().BeTrue();
        double.IsNaN(t.Number(t.Rows[0], "missing")).Should().BeTrue();
    }
}
