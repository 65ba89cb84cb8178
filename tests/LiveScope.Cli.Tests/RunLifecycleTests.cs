using LiveScope.Testing;
using System.Diagnostics;
using System.Text.Json;
using LiveScope.Storage.OmeTiff;
using LiveScope.Storage.Run;

namespace LiveScope.Cli.Tests;

/// <summary>
/// The command as a user meets it, in a real child process: bad protocols are refused with located messages, Ctrl-C
/// ends a run safely with complete files, and after kill -9 `livescope recover` makes every frame on disk readable.
/// </summary>
public class RunLifecycleTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("livescope-cli-").FullName;

    /// <summary>A 128 px camera and ground truth off: the shipped protocol unchanged, a cheaper microscope.</summary>
    private static readonly string[] SmallRig =
    [
        "--set", "devices.Camera.settings.sensor_width=128", "--set", "devices.Camera.settings.sensor_height=128",
        "--set", "backends.simulated.ground_truth=false", "--set", "backends.simulated.sample.burn_in_s=0",
    ];

    private string Config => Path.Combine(CliProcess.Root, "device-configs", "simulated.yaml");
    private string Protocol(string name) => Path.Combine(CliProcess.Root, "protocols", name);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task An_invalid_protocol_is_refused_with_file_line_column_and_exit_code_2()
    {
        var file = Path.Combine(_work, "bad.yaml");
        await File.WriteAllTextAsync(file, File.ReadAllText(Protocol("insulin-stimulation-timelapse.yaml"))
            .Replace("exposure_ms: 50", "exposure_ms: -5"));
        var (exit, _, err) = await CliProcess.RunAsync(_work, "validate", file, "--config", Config);
        exit.Should().Be(2);
        err.Should().MatchRegex($@"{Regex(file)}:\d+:\d+: channels\[0\]\.exposure_ms: ");
        err.Should().Contain("nothing was run");

        (exit, _, err) = await CliProcess.RunAsync(_work, ["run", file, "--config", Config, .. SmallRig]);
        exit.Should().Be(2, "run validates first");
        Directory.Exists(Path.Combine(_work, "runs")).Should().BeFalse("nothing is created for a refused protocol");
    }

    [Fact]
    public async Task Ctrl_C_stops_the_run_safely_with_exit_code_130_and_complete_files()
    {
        using var run = CliProcess.Start(_work, ["run", Protocol("insulin-stimulation-timelapse.yaml"), "--config", Config,
            "--out", "out", "--time-scale", "60", .. SmallRig]);
        var folder = await WaitForPlanesAsync(Path.Combine(_work, "out"), minimumBytes: 200_000);
        run.Signal("INT");
        var exit = await run.WaitAsync(TimeSpan.FromMinutes(1));

        exit.Should().Be(130, run.Output + run.Errors);
        run.Errors.Should().Contain("Stopping: making the microscope safe");
        StoppedSafely(folder);

        // What a cancelled run kept can be analysed like any other data.
        var (analyzed, output, errors) = await CliProcess.RunAsync(_work, "analyze", folder);
        analyzed.Should().Be(0, errors);
        output.Should().Contain("clusters/frame");
        File.Exists(Path.Combine(folder, RunFolder.MeasurementsFolderName, "field_1", "clusters.csv")).Should().BeTrue();
    }

    [Fact]
    public async Task A_run_started_with_Ctrl_C_ignored_says_so_and_SIGTERM_still_stops_it_safely()
    {
        using var run = CliProcess.StartIgnoringInterrupt(_work, ["run", Protocol("insulin-stimulation-timelapse.yaml"),
            "--config", Config, "--out", "out", "--time-scale", "60", .. SmallRig]);
        var folder = await WaitForPlanesAsync(Path.Combine(_work, "out"), minimumBytes: 200_000);
        run.Errors.Should().Contain($"Ctrl-C (SIGINT) ignored").And.Contain($"kill -TERM {run.Id}");
        run.Signal("TERM");
        var exit = await run.WaitAsync(TimeSpan.FromMinutes(1));

        exit.Should().Be(130, run.Output + run.Errors);
        StoppedSafely(folder);
    }

    /// <summary>A cancelled run's folder: outcome recorded, every device made safe, every OME-TIFF closed properly.</summary>
    private static void StoppedSafely(string folder)
    {
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, RunFolder.ManifestFileName)));
        manifest.RootElement.GetProperty("outcome").GetString().Should().Be("cancelled");
        var events = EventLog.ReadAll(Path.Combine(folder, RunFolder.EventsFileName));
        var safety = events.Single(e => e.Kind == "safety");
        safety.Data!.Value.GetProperty("failures").GetInt32().Should().Be(0, "every device was made safe");
        events[^1].Kind.Should().Be("run.end");
        foreach (var tif in Directory.GetFiles(folder, "*.ome.tif"))
        {
            using var reader = OmeTiffReader.Open(tif); // complete without recovery
            reader.Planes.Count.Should().BeGreaterThan(0);
        }
    }

    [Fact]
    public async Task After_kill_9_recover_makes_every_frame_on_disk_readable()
    {
        using var run = CliProcess.Start(_work, ["run", Protocol("insulin-stimulation-timelapse.yaml"), "--config", Config,
            "--out", "out", "--time-scale", "60", .. SmallRig]);
        var folder = await WaitForPlanesAsync(Path.Combine(_work, "out"), minimumBytes: 300_000);
        run.Signal("KILL");
        (await run.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(137);

        var (exit, output, err) = await CliProcess.RunAsync(_work, "recover", folder);
        exit.Should().Be(0, err);
        output.Should().MatchRegex(@"recovered \d+ planes in \d+ files");
        int planes = 0;
        foreach (var tif in Directory.GetFiles(folder, "*.ome.tif"))
        {
            using var reader = OmeTiffReader.Open(tif);
            planes += reader.Planes.Count;
            for (int i = 0; i < reader.Planes.Count; i++)
            {
                using var frame = reader.ReadPlane(i, new Core.Imaging.FramePool());
                frame.Width.Should().Be(128);
            }
            Tifffile(tif).Should().StartWith("True ");
        }
        planes.Should().BeGreaterThan(3);
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, RunFolder.ManifestFileName)));
        manifest.RootElement.GetProperty("outcome").GetString().Should().Be(RunRecovery.InterruptedOutcome);
        var recovered = int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"recovered (\d+) planes").Groups[1].Value);
        recovered.Should().Be(planes);
    }

    [Fact]
    public async Task Frames_analysed_live_give_the_same_measurements_as_analysing_the_saved_run()
    {
        var (exit, output, err) = await CliProcess.RunAsync(_work, ["run", Protocol("insulin-stimulation-timelapse.yaml"),
            "--config", Config, "--out", "out", .. SmallRig]);
        exit.Should().Be(0, err);
        output.Should().Contain("clusters/frame");
        var folder = Directory.GetDirectories(Path.Combine(_work, "out")).Single();
        var live = Path.Combine(folder, RunFolder.MeasurementsFolderName);

        (exit, _, err) = await CliProcess.RunAsync(_work, "analyze", folder, "--out", Path.Combine(_work, "saved"));
        exit.Should().Be(0, err);

        foreach (var series in new[] { "field_1", "field_2", "field_3" })
            foreach (var csv in new[] { "clusters.csv", "cells.csv", "frames.csv", "tracks.csv" })
                File.ReadAllText(Path.Combine(_work, "saved", series, csv))
                    .Should().Be(File.ReadAllText(Path.Combine(live, series, csv)), $"{series}/{csv} live and from disk");
        File.ReadAllLines(Path.Combine(live, "field_1", "clusters.csv")).Length.Should().BeGreaterThan(90, "clusters were found");
    }

    /// <summary>Waits until a run folder under <paramref name="root"/> holds OME-TIFF data of at least the given size.</summary>
    private static async Task<string> WaitForPlanesAsync(string root, long minimumBytes)
    {
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (Directory.Exists(root))
                foreach (var dir in Directory.GetDirectories(root))
                    if (Directory.GetFiles(dir, "*.ome.tif").Sum(f => new FileInfo(f).Length) >= minimumBytes)
                        return dir;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no run under {root} wrote {minimumBytes} bytes of images");
    }

    /// <summary>Debian's python3-tifffile: "is_ome shape dtype" of a file, or the error it gave.</summary>
    private static string Tifffile(string path)
    {
        return ExternalProgram.RunPython("import sys, tifffile; t = tifffile.TiffFile(sys.argv[1]); a = t.asarray(); print(t.is_ome, a.shape, a.dtype)",
                                         "python3-tifffile", path).Output.Trim();
    }

    private static string Regex(string s) => System.Text.RegularExpressions.Regex.Escape(s);
}
