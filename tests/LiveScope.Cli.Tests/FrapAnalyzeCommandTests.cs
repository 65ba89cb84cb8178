using System.Globalization;
using LiveScope.Analysis.Frap;
using LiveScope.Storage;
using LiveScope.Storage.OmeTiff;
using LiveScope.Storage.Run;

namespace LiveScope.Cli.Tests;

/// <summary>
/// `livescope analyze RUN` on a run folder holding a FRAP step: the series the simulated microscope recorded, named
/// &lt;position&gt;_&lt;step&gt;.ome.tif, and the "bleach" entry of events.jsonl with the fields the engine writes.
/// </summary>
public class FrapAnalyzeCommandTests : IDisposable
{
    private readonly string _run = Directory.CreateTempSubdirectory("livescope-frap-").FullName;

    public void Dispose() => Directory.Delete(_run, recursive: true);

    [Fact]
    public async Task Analyze_writes_a_fitted_frap_row_and_curves_and_leaves_FRAP_series_out_of_the_cluster_pipeline()
    {
        var settings = new FrapSimulation.Settings { Seed = 21, RecoveryFrames = 60 };
        OmeTiffWriter? writer = null;
        double x = 0, y = 0;
        var truth = await FrapSimulation.RunAsync(settings,
            onTarget: (bx, by) => (x, y) = (bx, by),
            onFrame: (frame, index) =>
            {
                frame.Metadata = frame.Metadata with { TimeIndex = index };   // the engine numbers a series' frames so
                writer ??= OmeTiffWriter.Create(Path.Combine(_run, "cell_1_frap_a" + RunFolder.ImageExtension),
                    new StackDescription { ImageName = "cell_1 frap_a", PositionName = "cell_1", PlannedSizeT = 65, PixelSizeUm = 0.1625 });
                writer.WritePlane(frame);
            });
        writer!.Dispose();
        using (var events = EventLogWriter.Open(Path.Combine(_run, RunFolder.EventsFileName)))
        {
            events.Write("bleach", null, new Dictionary<string, object?>
            {
                ["step"] = "frap_a", ["position"] = "cell_1", ["region"] = "circle", ["x_px"] = x, ["y_px"] = y,
                ["radius_px"] = settings.RoiRadiusPx, ["pre_bleach_frames"] = settings.PreBleachFrames, ["dwell_ms"] = settings.DwellMs, ["power"] = 1.0,
            }, TimeSpan.FromSeconds(12));
            events.Write("bleach.skipped", null, new Dictionary<string, object?> { ["step"] = "frap_b", ["reason"] = "no target chosen" });
        }

        var (exit, output, errors) = await CliProcess.RunAsync(_run, "analyze", _run);

        exit.Should().Be(0, errors);
        output.Should().Contain("FRAP step").And.Contain("frap_a").And.Contain("bleach skipped: no target chosen");
        var measurements = Path.Combine(_run, RunFolder.MeasurementsFolderName);
        Directory.Exists(Path.Combine(measurements, "cell_1_frap_a")).Should().BeFalse("a FRAP series is analysed as FRAP, not as a time-lapse");
        var lines = File.ReadAllLines(Path.Combine(measurements, FrapResultsCsv.ResultsFileName));
        lines[0].Should().Be(FrapResultsCsv.ResultsHeader);
        lines.Should().HaveCount(3);
        var row = Columns(lines[0], lines[1]);
        row["step"].Should().Be("frap_a");
        row["series"].Should().Be("cell_1_frap_a");
        row["failure"].Should().BeEmpty();
        row["model"].Should().Be("one_exponential");
        row["cell_id"].Should().NotBeEmpty();
        Number(row["t_half_s"]).Should().BeApproximately(truth.TrueHalfTimeS, 0.1 * truth.TrueHalfTimeS);
        Number(row["mobile_fraction"]).Should().BeApproximately(truth.TrueMobile, 0.05);
        Number(row["r_squared"]).Should().BeGreaterThan(0.95);
        Columns(lines[0], lines[2])["failure"].Should().Be("bleach skipped: no target chosen");

        var curves = File.ReadAllLines(Path.Combine(measurements, FrapResultsCsv.CurvesFileName));
        curves[0].Should().Be(FrapResultsCsv.CurvesHeader);
        curves.Should().HaveCount(1 + settings.PreBleachFrames + settings.RecoveryFrames);
        var firstPost = Columns(curves[0], curves[1 + settings.PreBleachFrames]);
        Number(firstPost["time_s"]).Should().Be(0, "time is measured from the first post-bleach frame");
        firstPost["fitted"].Should().NotBeEmpty();
        Columns(curves[0], curves[1])["fitted"].Should().BeEmpty("pre-bleach rows have no model value");
        Number(Columns(curves[0], curves[1])["time_s"]).Should().BeApproximately(-settings.PreBleachFrames * settings.IntervalS, 0.1);
    }

    [Fact]
    public void Analyze_fits_a_bleach_the_way_the_run_did_coupled_to_the_local_pool_when_its_entry_says_so()
    {
        using (var events = EventLogWriter.Open(Path.Combine(_run, RunFolder.EventsFileName)))
            foreach (var (step, pooled) in new[] { ("plain", (bool?)null), ("off", false), ("pooled", true) })
            {
                var data = new Dictionary<string, object?> { ["step"] = step, ["position"] = "cell_1", ["x_px"] = 10.0, ["y_px"] = 12.0, ["radius_px"] = 2.0, ["pre_bleach_frames"] = 3 };
                if (pooled is { } p) data["local_pool"] = p;
                events.Write("bleach", null, data, TimeSpan.FromSeconds(1));
            }

        Commands.FrapRunAnalysis.ReadBleaches(_run).Select(b => (b.Step, b.LocalPool))
            .Should().Equal(("plain", false), ("off", false), ("pooled", true));
    }

    [Fact]
    public void Analyze_keeps_the_track_live_analysis_bleached_matching_each_bleach_to_its_own_result()
    {
        using (var events = EventLogWriter.Open(Path.Combine(_run, RunFolder.EventsFileName)))
        {
            void Bleach(string step, string position) => events.Write("bleach", null, new Dictionary<string, object?>
                { ["step"] = step, ["position"] = position, ["x_px"] = 10.0, ["y_px"] = 12.0, ["radius_px"] = 2.0, ["pre_bleach_frames"] = 3 }, TimeSpan.FromSeconds(1));
            void Result(string step, string position, int? track) => events.Write("frap.result", null, new Dictionary<string, object?>
                { ["step"] = step, ["position"] = position, ["track_id"] = track, ["t_half_s"] = 10.0 }, TimeSpan.FromSeconds(2));
            Bleach("fixed", "cell_1"); Result("fixed", "cell_1", null);
            Bleach("chosen", "cell_1"); Bleach("chosen", "cell_2");   // two positions bleached before either result
            Result("chosen", "cell_2", 7); Result("chosen", "cell_1", 5);
            Bleach("chosen", "cell_1"); Result("chosen", "cell_1", 9);
            Bleach("chosen", "cell_2");                                // the run ended before this one's result
        }

        Commands.FrapRunAnalysis.ReadBleaches(_run).Select(b => (b.Step, b.Position, b.TrackId))
            .Should().Equal(("fixed", "cell_1", null), ("chosen", "cell_1", 5), ("chosen", "cell_2", 7), ("chosen", "cell_1", 9), ("chosen", "cell_2", (int?)null));
    }

    private static Dictionary<string, string> Columns(string header, string line)
    {
        var names = header.Split(',');
        var values = SplitCsv(line);
        values.Should().HaveCount(names.Length, line);
        return names.Zip(values).ToDictionary(p => p.First, p => p.Second);
    }

    /// <summary>Splits one CSV line with RFC 4180 quotes.</summary>
    internal static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString());
        return cells;
    }

    private static double Number(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}
