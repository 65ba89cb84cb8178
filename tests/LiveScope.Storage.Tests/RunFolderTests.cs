using System.Text.Json;
using LiveScope.Storage.Run;

namespace LiveScope.Storage.Tests;

public sealed class RunFolderTests
{
    [Fact]
    public void Creating_a_run_twice_with_the_same_name_never_reuses_the_first_folder()
    {
        using var temp = new TempFolder();
        var first = RunFolder.Create(temp.Path, "insulin 2026-11-21");
        File.WriteAllText(first.EventsPath, "keep me");
        var second = RunFolder.Create(temp.Path, "insulin 2026-11-21");
        var third = RunFolder.Create(temp.Path, "insulin 2026-11-21");

        first.Name.Should().Be("insulin-2026-11-21");
        second.Name.Should().Be("insulin-2026-11-21-2");
        third.Name.Should().Be("insulin-2026-11-21-3");
        File.ReadAllText(first.EventsPath).Should().Be("keep me");
        Directory.EnumerateFileSystemEntries(second.Path).Select(Path.GetFileName).Should().Equal(RunFolder.MarkerFileName);
    }

    [Fact]
    public void A_folder_that_exists_but_is_not_a_run_is_not_taken_over()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(Path.Combine(temp.Path, "screen"));
        RunFolder.Create(temp.Path, "screen").Name.Should().Be("screen-2");
    }

    [Fact]
    public void Parallel_creations_get_distinct_folders()
    {
        using var temp = new TempFolder();
        var names = Enumerable.Range(0, 16).AsParallel().Select(_ => RunFolder.Create(temp.Path, "race").Path).ToList();
        names.Should().OnlyHaveUniqueItems().And.HaveCount(16);
    }

    [Fact]
    public void The_folder_names_its_files()
    {
        using var temp = new TempFolder();
        var run = RunFolder.Create(temp.Path, "r");
        Path.GetFileName(run.ImagePath(3, "A1 well")).Should().Be("pos003_A1-well.ome.tif");
        Path.GetFileName(run.ImagePath(12)).Should().Be("pos012.ome.tif");
        Path.GetFileName(run.EventsPath).Should().Be("events.jsonl");
        Path.GetFileName(run.ManifestPath).Should().Be("manifest.json");
        Path.GetFileName(run.GroundTruthPath).Should().Be("ground-truth.csv");
        run.MeasurementPath("clusters.csv").Should().Be(Path.Combine(run.Path, "measurements", "clusters.csv"));
        Directory.Exists(run.MeasurementsFolder).Should().BeTrue();
        RunFolder.SafeName("../../etc").Should().NotContain("/");
    }

    [Fact]
    public void Non_finite_numbers_are_written_as_named_literals_and_the_line_is_kept()
    {
        using var temp = new TempFolder();
        string path = temp.File("events.jsonl");
        using (var log = EventLogWriter.Open(path))
            log.Write("bleach", data: new Dictionary<string, object?> { ["x_px"] = 12.5, ["radius_px"] = double.NaN, ["t_half_s"] = double.PositiveInfinity });

        var line = EventLog.ReadAll(path).Should().ContainSingle().Subject;
        line.Data!.Value.GetProperty("radius_px").GetString().Should().Be("NaN");
        line.Data!.Value.GetProperty("t_half_s").GetString().Should().Be("Infinity");
        line.Data!.Value.GetProperty("x_px").GetDouble().Should().Be(12.5);
    }

    [Fact]
    public void Every_events_jsonl_line_parses_even_when_written_from_many_threads()
    {
        using var temp = new TempFolder();
        string path = temp.File("events.jsonl");
        using (var log = EventLogWriter.Open(path))
        {
            Parallel.For(0, 400, i =>
            {
                if (i % 2 == 0)
                    log.Write("bleach", $"cluster {i} \"quoted\"\nnewline", new Dictionary<string, object?> { ["i"] = i, ["x"] = 1.5 },
                        TimeSpan.FromSeconds(i));
                else
                    log.Write("stimulation", new Stimulation("insulin", 100.0), microscopeTime: TimeSpan.FromSeconds(i));
            });
            log.LinesWritten.Should().Be(400);
        }

        var lines = File.ReadAllLines(path);
        lines.Should().HaveCount(400);
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            doc.RootElement.GetProperty("kind").GetString().Should().BeOneOf("bleach", "stimulation");
            doc.RootElement.GetProperty("time").GetDateTimeOffset().Should().BeAfter(DateTimeOffset.UnixEpoch);
        }
        var events = EventLog.ReadAll(path);
        events.Where(e => e.Kind == "stimulation").Should().HaveCount(200)
            .And.OnlyContain(e => e.Data!.Value.GetProperty("reagent").GetString() == "insulin");
        events.Where(e => e.Kind == "bleach").Select(e => e.MicroscopeTime!.Value.TotalSeconds)
            .Should().BeEquivalentTo(Enumerable.Range(0, 200).Select(i => (double)i * 2));
    }

    [Fact]
    public void Event_times_come_from_the_given_time_provider()
    {
        using var temp = new TempFolder();
        string path = temp.File("events.jsonl");
        var at = new DateTimeOffset(2026, 11, 21, 17, 0, 0, TimeSpan.Zero);
        using (var log = EventLogWriter.Open(path, new FixedTime(at))) log.Write("run-start");
        EventLog.ReadAll(path).Single().Time.Should().Be(at);
    }

    [Fact]
    public void A_torn_last_event_line_is_skipped_when_reading()
    {
        using var temp = new TempFolder();
        string path = temp.File("events.jsonl");
        using (var log = EventLogWriter.Open(path)) { log.Write("a"); log.Write("b"); }
        File.AppendAllText(path, "{\"time\":\"2026-11-");
        EventLog.ReadAll(path).Select(e => e.Kind).Should().Equal("a", "b");
    }

    [Fact]
    public void The_manifest_round_trips_and_records_the_end()
    {
        using var temp = new TempFolder();
        var run = RunFolder.Create(temp.Path, "m");
        var start = new DateTimeOffset(2026, 11, 21, 16, 0, 0, TimeSpan.Zero);
        var manifest = new RunManifest
        {
            RunName = run.Name,
            StartTimeUtc = start,
            ProtocolPath = "protocols/insulin-stimulation-timelapse.yaml",
            ProtocolText = "phases:\n  - baseline: {interval: 30s}\n",
            ConfigurationText = "devices: []\n",
            Seeds = new Dictionary<string, long> { ["sample"] = 42, ["noise"] = 7 },
            Labels = new Dictionary<string, string> { ["condition"] = "insulin-sensitive" },
        };
        RunManifestFile.Write(run.ManifestPath, manifest);
        var ended = RunManifestFile.MarkEnded(run.ManifestPath, start.AddMinutes(35), "completed");

        var read = RunManifestFile.Read(run.ManifestPath);
        read.ProtocolText.Should().Be(manifest.ProtocolText);
        read.Seeds.Should().BeEquivalentTo(manifest.Seeds);
        read.Labels.Should().BeEquivalentTo(manifest.Labels);
        read.SoftwareVersion.Should().StartWith("0.1.0");
        read.EndTimeUtc.Should().Be(start.AddMinutes(35));
        read.Outcome.Should().Be("completed");
        ended.Outcome.Should().Be("completed");
        File.Exists(run.ManifestPath + ".tmp").Should().BeFalse();
    }

    private sealed record Stimulation(string Reagent, double ConcentrationNm);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
