using System.Text.RegularExpressions;
using LiveScope.Reporting.Data;
using LiveScope.Storage.Run;
using static LiveScope.Reporting.Tests.ReportAssertions;

namespace LiveScope.Reporting.Tests;

/// <summary>The comparison page of the three fixture runs (one condition each), and the livescope report command.</summary>
[Collection(SimulatedRunsCollection.Name)]
public class ComparisonReportTests(SimulatedRuns runs)
{
    private static readonly string[] Conditions = [SimulatedRuns.Sensitive, SimulatedRuns.Resistant, SimulatedRuns.Metformin];
    private IReadOnlyList<string> Folders => Conditions.Select(c => runs.Runs[c]).ToList();

    private string Comparison(string name) => File.ReadAllText(ComparisonReport.Write(Folders, Path.Combine(runs.Root, name)));

    [Fact]
    public void Time_courses_have_one_line_per_condition_with_legend_axes_and_insulin_marker()
    {
        var html = Comparison("cmp-time.html");
        foreach (var title in new[] { "Cluster count (mean over positions)", "Partition ratio (mean over positions)" })
        {
            var svg = Plot(html, title);
            SeriesNames(svg).Should().Equal(Conditions);
            LegendEntries(svg).Should().Equal(Conditions);
            svg.Should().Contain("minutes from insulin");
            Regex.Matches(svg, "class=\"axis-label\"").Count.Should().Be(2, "both axes are labelled");
            svg.Should().MatchRegex("<g class=\"marker\">.*<text[^>]*>insulin</text></g>");
            Regex.Matches(svg, "<g class=\"axis y-axis\">").Count.Should().Be(1);
        }
    }

    [Fact]
    public void The_condition_line_is_the_mean_over_positions_of_frames_taken_at_about_the_same_time()
    {
        var run = RunData.Load(runs.Runs[SimulatedRuns.Sensitive]);
        var mean = ComparisonReport.MeanOverPositions(run, f => f.Clusters, fromInsulin: true);
        mean.Should().HaveCount(12, "two positions imaged at the same 12 timepoints");
        var p1 = run.Positions.Single(p => p.Name == "field_1").Frames;
        var p2 = run.Positions.Single(p => p.Name == "field_2").Frames;
        for (int i = 0; i < 12; i++)
        {
            mean[i].Y.Should().BeApproximately((p1[i].Clusters + p2[i].Clusters) / 2, 1e-9);
            mean[i].X.Should().BeApproximately(((p1[i].TimeS + p2[i].TimeS) / 2 - run.InsulinTimeS!.Value) / 60, 1e-9);
        }
    }

    [Fact]
    public void Frap_summary_gives_mean_sd_and_n_per_condition_and_a_point_per_step()
    {
        var frap = Section(Comparison("cmp-frap.html"), "frap");
        TableRows(frap, "frap-summary").Should().BeEquivalentTo(new[]
        {
            // Mean ± SD leaves the fit with a warning out; the good-fit median keeps it (R² 0.95, mobile fraction 0.9).
            new[] { SimulatedRuns.Sensitive, "3 of 3", "1", "9.0 ± 1.4", "2", "0.75 ± 0.07", "2", "10.0", "3" },
            new[] { SimulatedRuns.Resistant, "1 of 2", "0", "30.0", "1", "0.40", "1", "30.0", "1" },
            new[] { SimulatedRuns.Metformin, "no frap.csv", "0", "–", "0", "–", "0", "–", "0" },
        }, o => o.WithStrictOrdering());
        var tHalf = Plot(frap, "FRAP t½ per condition");
        tHalf.Should().Contain($">{SimulatedRuns.Sensitive}</text>").And.Contain($">{SimulatedRuns.Metformin}</text>");
        var clean = Regex.Match(tHalf, $"data-series=\"{SimulatedRuns.Sensitive}\".*?</g>", RegexOptions.Singleline).Value;
        var warned = Regex.Match(tHalf, $"data-series=\"{SimulatedRuns.Sensitive} \\(warnings\\)\".*?</g>", RegexOptions.Singleline).Value;
        Regex.Matches(clean, "<circle").Count.Should().Be(2, "one point per fitted step without warnings");
        Regex.Matches(warned, "<circle[^>]*fill=\"none\"").Count.Should().Be(1, "adapt_2's fit has warnings: a hollow point");
        SeriesNames(tHalf).Should().Contain($"{SimulatedRuns.Sensitive} mean ± SD");
        Plot(frap, $"FRAP recovery — {SimulatedRuns.Sensitive}");
        frap.Should().Contain($"{SimulatedRuns.Metformin}: no FRAP curves.");
    }

    [Fact]
    public void Adaptive_summary_has_a_row_per_condition_and_each_run_its_table()
    {
        var adaptive = Section(Comparison("cmp-adapt.html"), "adaptive");
        TableRows(adaptive, "adapt-summary").Select(r => r[0..5]).Should().BeEquivalentTo(new[]
        {
            new[] { SimulatedRuns.Sensitive, "image_faster_when_clusters_grow, bleach_new_cluster", "2", "0", "2" },
            new[] { SimulatedRuns.Resistant, "bleach_new_cluster", "0", "1", "0" },
            new[] { SimulatedRuns.Metformin, "–", "0", "0", "–" },
        }, o => o.WithStrictOrdering());
        adaptive.Should().Contain("<p class=\"note\">No adaptive rules").And.NotContain("<script");
    }

    [Fact]
    public void Example_frames_per_condition_and_no_external_reference()
    {
        var html = Comparison("cmp-offline.html");
        var frames = Section(html, "frames");
        foreach (var c in Conditions) frames.Should().Contain($"<h3>{c}</h3>");
        Regex.Matches(frames, "<img src=\"data:image/png;base64,").Count.Should().Be(6, "first and last frame of each condition");
        html.Should().NotContainEquivalentOf("http");
    }

    [Fact]
    public void A_failed_run_and_a_missing_folder_are_reported_as_notes_not_exceptions()
    {
        var failed = Directory.CreateDirectory(Path.Combine(runs.Root, "failed-run")).FullName;
        RunManifestFile.Write(Path.Combine(failed, RunFolder.ManifestFileName), new RunManifest
        {
            RunName = "failed-run", Outcome = "failed: camera <timeout>", Labels = new Dictionary<string, string> { ["condition"] = "broken" },
        });
        var html = File.ReadAllText(RunReport.Write(failed));
        html.Should().Contain("<dd class=\"bad\">failed: camera &lt;timeout&gt;</dd>");
        html.Should().Contain("events.jsonl: missing").And.Contain("No FRAP in this run.").And.Contain("No adaptive rules");

        var missing = Path.Combine(runs.Root, "no-such-run");
        var comparison = File.ReadAllText(ComparisonReport.Write([runs.Runs[SimulatedRuns.Sensitive], failed, missing], Path.Combine(runs.Root, "cmp-broken.html")));
        var rows = TableRows(comparison, "runs");
        rows.Select(r => r[0]).Should().Equal(SimulatedRuns.Sensitive, "broken", "no-such-run");
        rows[2][6].Should().Contain("run folder not found");
        SeriesNames(Plot(comparison, "Cluster count (mean over positions)")).Should().Equal(SimulatedRuns.Sensitive);
        comparison.Should().Contain("broken: no frames.csv");
    }

    [Fact]
    public async Task The_report_command_writes_each_run_report_and_the_comparison_next_to_the_runs()
    {
        var (exit, output) = await SimulatedRuns.RunCliAsync(runs.Root, ["report", .. Folders]);
        exit.Should().Be(0, output);
        string comparison = Path.Combine(runs.Root, "runs", ComparisonReport.FileName);
        output.Should().Contain($"comparison: {comparison}");
        File.Exists(comparison).Should().BeTrue();
        foreach (var folder in Folders) File.Exists(Path.Combine(folder, RunReport.FileName)).Should().BeTrue();

        string single = Path.Combine(runs.Root, "single.html");
        (exit, output) = await SimulatedRuns.RunCliAsync(runs.Root, "report", Folders[0], "--out", single);
        exit.Should().Be(0, output);
        output.Should().Contain($"report: {single}");

        (exit, output) = await SimulatedRuns.RunCliAsync(runs.Root, "report", Path.Combine(runs.Root, "nowhere"));
        exit.Should().Be(2);
        output.Should().Contain("no such run folder");
    }
}
