using LiveScope.Storage.Run;
using static LiveScope.Reporting.Tests.ReportAssertions;

namespace LiveScope.Reporting.Tests;

/// <summary>A report is written whatever a run folder holds: each file that cannot be read is listed, not thrown.</summary>
public class DamagedRunTests : IDisposable
{
    private readonly string _run = Directory.CreateTempSubdirectory("livescope-damaged-").FullName;

    public void Dispose() => Directory.Delete(_run, recursive: true);

    [Fact]
    public void Unreadable_files_become_reading_problems_and_what_is_readable_is_still_shown()
    {
        File.WriteAllText(Path.Combine(_run, RunFolder.ManifestFileName), "{ not json");
        File.WriteAllLines(Path.Combine(_run, RunFolder.EventsFileName),
        [
            """{"time":"2026-01-01T00:00:00+00:00","microscopeTimeS":60,"kind":"stimulation","data":{"reagent":"insulin"}}""",
            "{ torn in the middle",
            """{"time":"2026-01-01T00:00:00+00:00","microscopeTimeS":61,"kind":"frame","data":{"t":0}}""",
        ]);
        var field = Directory.CreateDirectory(Path.Combine(_run, RunFolder.MeasurementsFolderName, "field_1")).FullName;
        File.WriteAllText(Path.Combine(field, "frames.csv"), "frame,time_s,clusters\n0,0,5\n1,30,7\n2,60\n3,90,x\n");
        File.WriteAllBytes(Path.Combine(_run, "field_1" + RunFolder.ImageExtension), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        File.WriteAllText(Path.Combine(_run, RunFolder.MeasurementsFolderName, "frap.csv"), SimulatedRuns.FrapHeader + "\n");
        File.WriteAllText(Path.Combine(_run, "adaptive.json"), "[1, 2");

        var html = File.ReadAllText(RunReport.Write(_run));

        var problems = TableRows(html, "problems").Select(r => r[0]).ToList();
        problems.Should().Contain(p => p.StartsWith("manifest.json: could not be read"));
        problems.Should().Contain(p => p.StartsWith("events.jsonl: could not be read"));
        problems.Should().Contain(p => p.StartsWith("adaptive.json: could not be read"));
        problems.Should().Contain(p => p.StartsWith("field_1.ome.tif: frame 0 could not be drawn"));
        html.Should().Contain("<dt>outcome</dt><dd class=\"bad\">unknown (no manifest.json)</dd>");
        SeriesNames(Plot(html, "Cluster count")).Should().Equal("field_1");
        Section(html, "frames").Should().Contain("No example frame: no preview PNG, and the image file could not be drawn.");
        Section(html, "frap").Should().Contain("No FRAP fits (measurements/frap.csv).");
    }
}
