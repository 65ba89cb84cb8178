using System.Text.RegularExpressions;
using LiveScope.Storage.Run;
using static LiveScope.Reporting.Tests.ReportAssertions;

namespace LiveScope.Reporting.Tests;

/// <summary>The report of one run, read back from the HTML it writes for the simulated fixture runs.</summary>
[Collection(SimulatedRunsCollection.Name)]
public class RunReportTests(SimulatedRuns runs)
{
    private string Report(string condition, string name)
        => File.ReadAllText(RunReport.Write(runs.Runs[condition], Path.Combine(runs.Root, name)));

    [Fact]
    public void Header_shows_protocol_condition_outcome_and_command_line_from_the_manifest()
    {
        var html = Report(SimulatedRuns.Sensitive, "sensitive-header.html");
        var manifest = RunManifestFile.Read(Path.Combine(runs.Runs[SimulatedRuns.Sensitive], RunFolder.ManifestFileName));
        html.Should().Contain("<h1>report-fixture — insulin_sensitive</h1>");
        html.Should().Contain("<dt>outcome</dt><dd>completed</dd>");
        html.Should().Contain(System.Net.WebUtility.HtmlEncode(manifest.CommandLine!));
        html.Should().Contain($"<dt>run</dt><dd>{manifest.RunName}</dd>");
        html.Should().MatchRegex(@"<dt>stimulation</dt><dd>insulin 100 nM by \w+ at 00:01:0\d \(time zero\)</dd>");
    }

    [Fact]
    public void Time_courses_have_one_line_per_position_and_the_insulin_marker_at_zero()
    {
        var html = Report(SimulatedRuns.Sensitive, "sensitive-time.html");
        foreach (var title in new[] { "Cluster count", "Partition ratio" })
        {
            var svg = Plot(html, title);
            var positions = new[] { "field_1", "field_2" };
            // On the simulator the count plot also has the true count of each position (ground-truth.csv), dashed.
            string[] lines = title == "Cluster count" ? ["field_1", "field_1 truth", "field_2", "field_2 truth"] : positions;
            SeriesNames(svg).Should().Equal(lines);
            LegendEntries(svg).Should().Equal(lines);
            svg.Should().Contain("minutes from insulin");
            var marker = Regex.Match(svg, "<g class=\"marker\"><line x1=\"([0-9.]+)\".*?<text[^>]*>insulin</text></g>");
            marker.Success.Should().BeTrue("insulin time is marked");
            // The marker sits on the x tick labelled 0.
            var zeroTick = Regex.Match(svg, "<line x1=\"([0-9.]+)\"[^>]*/><text[^>]*>0</text>");
            zeroTick.Success.Should().BeTrue();
            double.Parse(marker.Groups[1].Value).Should().BeApproximately(double.Parse(zeroTick.Groups[1].Value), 0.01);
        }
        // 3 baseline + 9 response frames per position: every point of every line drawn.
        var field1 = Regex.Match(Plot(html, "Cluster count"), "data-series=\"field_1\"[^>]*><polyline fill=\"none\" points=\"([^\"]*)\"").Groups[1].Value;
        field1.Split(' ').Should().HaveCount(12);
    }

    [Fact]
    public void The_true_count_line_counts_the_simulators_clusters_in_each_frame()
    {
        var html = Report(SimulatedRuns.Sensitive, "sensitive-truth.html");
        var run = runs.Runs[SimulatedRuns.Sensitive];
        var truth = File.ReadLines(Path.Combine(run, RunFolder.GroundTruthFileName)).Skip(1)
            .GroupBy(l => Math.Round(double.Parse(l.Split(',')[1]) * 1000)).ToDictionary(g => g.Key, g => g.Count());
        var frames = File.ReadLines(Path.Combine(run, RunFolder.MeasurementsFolderName, "field_2", "frames.csv")).Skip(1)
            .Select(l => Math.Round(double.Parse(l.Split(',')[1]) * 1000)).ToList();
        var expected = frames.Select(t => truth[t]).ToList();

        var svg = Plot(html, "Cluster count");
        Regex.Match(svg, "data-series=\"field_2 truth\"[^>]*stroke-dasharray").Success.Should().BeTrue("the true count is dashed");
        var points = Regex.Match(svg, "data-series=\"field_2 truth\"[^>]*><polyline fill=\"none\" points=\"([^\"]*)\"").Groups[1].Value.Split(' ');
        points.Should().HaveCount(expected.Count);
        // Back from pixels to counts with the y axis' own ticks: the lowest and highest tick and their pixel rows.
        var ticks = Regex.Matches(svg, "<line x1=\"59\" y1=\"([0-9.]+)\"[^>]*class=\"grid\"/><text[^>]*>([0-9.-]+)</text>")
            .Select(m => (Px: double.Parse(m.Groups[1].Value), Value: double.Parse(m.Groups[2].Value))).ToList();
        double Count(double py) => ticks[0].Value + (py - ticks[0].Px) / (ticks[^1].Px - ticks[0].Px) * (ticks[^1].Value - ticks[0].Value);
        points.Select(p => Count(double.Parse(p.Split(',')[1]))).Should().Equal(expected, (a, b) => Math.Abs(a - b) < 0.5);
    }

    [Fact]
    public void Example_frames_are_the_first_one_after_insulin_and_the_last_embedded_as_png()
    {
        var html = Report(SimulatedRuns.Sensitive, "sensitive-frames.html");
        var images = Regex.Matches(html, "<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\" alt=\"([^\"]*)\"");
        images.Select(m => m.Groups[2].Value).Should().SatisfyRespectively(
            a => a.Should().MatchRegex(@"^field_1 frame 0, -1\.\d min from insulin, \d+ clusters$"),
            b => b.Should().MatchRegex(@"^field_1 frame 3, \+?0\.\d min from insulin, \d+ clusters$"),
            c => c.Should().MatchRegex(@"^field_1 frame 11, \+2\.\d min from insulin, \d+ clusters$"));
        foreach (Match m in images)
            Convert.FromBase64String(m.Groups[1].Value).Take(8).Should().Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10 });
    }

    [Fact]
    public void Frap_section_has_curves_with_fits_per_step_the_step_table_and_mean_sd()
    {
        var frap = Section(Report(SimulatedRuns.Sensitive, "sensitive-frap.html"), "frap");
        var svg = Plot(frap, "FRAP recovery");
        SeriesNames(svg).Should().Equal("adapt_1", "adapt_1 fit", "adapt_2", "adapt_2 fit", "spot_frap", "spot_frap fit");
        LegendEntries(svg).Should().Equal("adapt_1", "adapt_2", "spot_frap");
        Regex.Matches(svg, "<circle").Count.Should().Be(3 * 14 + 3, "14 points per step, and a legend dot per step");
        var rows = TableRows(frap, "frap");
        rows.Select(r => r[0]).Should().Equal("spot_frap", "adapt_1", "adapt_2");
        rows[0][6].Should().Be("8.0 ± 0.5");
        rows[2][11].Should().Be("low bleach depth; drift");
        // One of the three fits carries a quality warning: the summary is over the two clean ones.
        frap.Should().Contain("3 step(s), 3 fitted, 2 without quality warnings: t½ = 9.0 ± 1.4 s, mobile fraction = 0.75 ± 0.07 (mean ± SD of those, n = 2)");
    }

    [Fact]
    public void Adaptive_section_lists_every_decision_and_the_latency_figures()
    {
        var adaptive = Section(Report(SimulatedRuns.Sensitive, "sensitive-adapt.html"), "adaptive");
        var events = EventLog.ReadAll(Path.Combine(runs.Runs[SimulatedRuns.Sensitive], RunFolder.EventsFileName));
        var rows = TableRows(adaptive, "adapt");
        rows.Should().HaveCount(events.Count(e => e.Kind is "adapt.decision" or "adapt.refused"));
        rows.Should().ContainSingle(r => r[2] == "image_faster_when_clusters_grow").Which.Should().Equal(
            "+1.17 min", "+1.17 min", "image_faster_when_clusters_grow", "interval: 10 s for 5 min", "field_1",
            "cluster_count = 14, cluster_count_change = 0.56", "clusters grew", "3.2");
        adaptive.Should().Contain("<td>frame arrival → action queued</td><td>2</td><td>21.5</td><td>30.3</td><td>30.3</td>");
        adaptive.Should().Contain("Rules: image_faster_when_clusters_grow, bleach_new_cluster. 2 decisions, 0 refused by a limit, 2 bleaches");
    }

    [Fact]
    public void Text_from_files_is_escaped_and_a_failed_fit_is_shown_as_such()
    {
        var html = Report(SimulatedRuns.Resistant, "resistant.html");
        html.Should().NotContain("<script", "nothing from a file becomes markup");
        html.Should().Contain("limit max_bleaches_per_position: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
        var rows = TableRows(html, "adapt");
        rows.Should().ContainSingle().Which[..4].Should().Equal("–", "+2.50 min", "bleach_new_cluster", "refused: bleach newest cluster");
        TableRows(html, "frap")[1][11].Should().Be("failed: bleach depth 0.30 < 0.6, no fit");
        html.Should().Contain("2 step(s), 1 fitted, 1 without quality warnings: t½ = 30.0 s, mobile fraction = 0.40 (mean ± SD of those, n = 1)");
    }

    [Fact]
    public void A_run_without_frap_results_or_adaptive_rules_gets_notes()
    {
        var html = Report(SimulatedRuns.Metformin, "metformin.html");
        Section(html, "frap").Should().MatchRegex("<p class=\"note\">No FRAP results \\(measurements/frap.csv\\): 1 bleach\\(es\\) done, 0 skipped.</p>");
        Section(html, "adaptive").Should().Contain("<p class=\"note\">No adaptive rules");
        Regex.Matches(html, "<svg class=\"plot\"").Count.Should().Be(2, "the two time courses, no FRAP plot");
    }

    [Fact]
    public void Every_report_is_one_offline_file_with_no_external_reference()
    {
        foreach (var condition in runs.Runs.Keys)
        {
            var html = Report(condition, $"offline-{condition}.html");
            html.Should().NotContainEquivalentOf("http", "no URL at all, so nothing can be fetched");
            Regex.Matches(html, "(?:src|href)=\"(?!data:)").Should().BeEmpty();
            html.Should().NotContain("<link").And.NotContain("@import");
        }
    }

    [Fact]
    public void The_default_path_is_report_html_in_the_run_folder()
    {
        var path = RunReport.Write(runs.Runs[SimulatedRuns.Metformin]);
        path.Should().Be(Path.Combine(runs.Runs[SimulatedRuns.Metformin], RunReport.FileName));
        File.Exists(path).Should().BeTrue();
    }
}
