using System.Diagnostics;
using System.Globalization;
using System.Text;
using LiveScope.Storage.Run;

namespace LiveScope.Reporting.Tests;

/// <summary>
/// Three real short runs of the simulated microscope, one per condition (sensitive, resistant, resistant +
/// metformin), made once by the real <c>livescope run</c> in a child process: OME-TIFFs, events.jsonl,
/// manifest.json and the live analysis' measurements. FRAP fits and adaptive decisions are then added by hand,
/// exactly per the shared formats, so the reports have every part to show whatever their producers do today:
/// the sensitive run gets three fitted FRAP steps and adaptive decisions, the resistant run one fitted and one
/// failed step and a refused action whose detail is markup, the metformin run nothing (the "missing" notes).
/// </summary>
public sealed class SimulatedRuns : IAsyncLifetime
{
    public const string Sensitive = "insulin_sensitive", Resistant = "insulin_resistant", Metformin = "resistant_metformin";
    /// <summary>Text a report must escape, not interpret.</summary>
    public const string Markup = "<script>alert('x')</script> & \"q\"";

    public string Root { get; } = Directory.CreateTempSubdirectory("livescope-report-").FullName;
    public IReadOnlyDictionary<string, string> Runs { get; private set; } = new Dictionary<string, string>();
    public string RunOutput { get; private set; } = "";
    /// <summary>Microscope time of each run's stimulation event (the reports' time zero).</summary>
    public Dictionary<string, double> InsulinTimeS { get; } = [];

    private const string Protocol = """
        name: report-fixture
        positions:
          - { name: field_1, x_um: 0, y_um: 0, z_um: 50 }
          - { name: field_2, x_um: -120, y_um: 120, z_um: 50 }
        rois:
          spot: { shape: circle, center_px: [40, 40], radius_px: 3 }
        channels:
          - { preset: GFP, exposure_ms: 50, power: 0.3 }
        phases:
          - { name: baseline, interval: 20 s, duration: 1 min }
          - name: insulin
            stimulate: { reagent: insulin, concentration: 100, unit: nM, by: liquid_handler }
          - { name: response, interval: 20 s, duration: 3 min }
        frap:
          - { name: spot_frap, at: 1 min, position: field_1, channel: GFP, roi: spot, pre_bleach_frames: 3,
              recovery_interval: 1 s, recovery_duration: 10 s, dwell_ms: 0.5, power: 0.8 }
        conditions:
          - { name: insulin_sensitive, sample: { condition: insulin_sensitive }, simulation: { backends.simulated.condition: insulin_sensitive } }
          - { name: insulin_resistant, sample: { condition: insulin_resistant }, simulation: { backends.simulated.condition: insulin_resistant } }
          - { name: resistant_metformin, sample: { condition: resistant_metformin }, simulation: { backends.simulated.condition: resistant_metformin } }
        output: { folder: runs, name: "{protocol}_{condition}" }
        """;

    public async Task InitializeAsync()
    {
        string protocol = Path.Combine(Root, "report-fixture.yaml");
        await File.WriteAllTextAsync(protocol, Protocol);
        string root = LiveScope.Testing.RepoRoot.Path;
        var (exit, output) = await RunCliAsync(Root, "run", protocol, "--config", Path.Combine(root, "device-configs", "simulated.yaml"),
            "--out", Path.Combine(Root, "runs"), "--yes", "--seed", "11",
            "--set", "devices.Camera.settings.sensor_width=160", "--set", "devices.Camera.settings.sensor_height=160",
            // The galvo's reach follows the smaller sensor, so the run's calibration finds its spots on the image.
            "--set", "devices.FRAP.settings.target_max_x=159", "--set", "devices.FRAP.settings.target_max_y=159",
            "--set", "backends.simulated.sample.burn_in_s=0");
        RunOutput = output;
        if (exit != 0) throw new InvalidOperationException($"livescope run failed ({exit}):\n{output}");
        Runs = Directory.GetDirectories(Path.Combine(Root, "runs"))
            .ToDictionary(d => RunManifestFile.Read(Path.Combine(d, RunFolder.ManifestFileName)).Labels["condition"]);
        foreach (var (condition, run) in Runs)
            InsulinTimeS[condition] = EventLog.ReadAll(Path.Combine(run, RunFolder.EventsFileName)).Single(e => e.Kind == "stimulation").MicroscopeTime!.Value.TotalSeconds;
        AddSensitiveExtras(Runs[Sensitive], InsulinTimeS[Sensitive]);
        AddResistantExtras(Runs[Resistant], InsulinTimeS[Resistant]);
        // Whatever the live FRAP analysis may write one day, this run stays the one without results.
        foreach (var file in new[] { "frap.csv", "frap_curves.csv" })
            File.Delete(Path.Combine(Runs[Metformin], RunFolder.MeasurementsFolderName, file));
    }

    public Task DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("LIVESCOPE_KEEP_TEST_RUNS") is null) Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }

    public const string FrapHeader =
        "step,position,series,track_id,cell_id,x_px,y_px,radius_px,bleach_time_s,model,t_half_s,t_half_se_s,mobile_fraction,mobile_fraction_se,r_squared,bleach_depth,gap_ratio,warnings,failure";

    /// <summary>t½ 8, 10, 12 s (mean 10, SD 2) and mobile fraction 0.7, 0.8, 0.9 (mean 0.8, SD 0.1).</summary>
    private static void AddSensitiveExtras(string run, double insulin)
    {
        var m = Path.Combine(run, RunFolder.MeasurementsFolderName);
        File.WriteAllText(Path.Combine(m, "frap.csv"), FrapHeader + "\n" +
            "spot_frap,field_1,field_1_spot_frap,4,1,40,40,3,120.5,single,8,0.5,0.7,0.02,0.98,0.82,0.93,,\n" +
            "adapt_1,field_2,field_2_adapt_1,,,30,50,3,200,single,10,0.6,0.8,0.03,0.97,0.8,0.9,,\n" +
            "adapt_2,field_1,field_1_adapt_2,7,2,60,20,3,260,single,12,0.7,0.9,0.03,0.95,0.79,0.91,low bleach depth; drift,\n");
        File.WriteAllText(Path.Combine(m, "frap_curves.csv"), "step,time_s,roi,reference,background,normalised,fitted\n" +
            Curves("spot_frap", 8, 0.7) + Curves("adapt_1", 10, 0.8) + Curves("adapt_2", 12, 0.9));
        AppendEvents(run,
            Decision(insulin + 70, "image_faster_when_clusters_grow", "interval: 10 s for 5 min", "field_1", "cluster_count = 14, cluster_count_change = 0.56", 3.2),
            Decision(insulin + 140, "bleach_new_cluster", "bleach newest cluster", "field_2", "cluster_count = 18", 4.1));
        File.WriteAllText(Path.Combine(run, "adaptive.json"), """
            { "rules": ["image_faster_when_clusters_grow", "bleach_new_cluster"], "decisions": 2, "refused": 0, "bleaches": 2,
              "decision_latency_ms": { "count": 2, "p50": 3.2, "p99": 4.1, "max": 4.1 },
              "frame_to_decision_ms": { "count": 2, "p50": 21.5, "p99": 30.25, "max": 30.25 } }
            """);
    }

    /// <summary>One fitted step (t½ 30 s, Mf 0.4) and one failed fit; a refused action with markup in its detail.</summary>
    private static void AddResistantExtras(string run, double insulin)
    {
        var m = Path.Combine(run, RunFolder.MeasurementsFolderName);
        File.WriteAllText(Path.Combine(m, "frap.csv"), FrapHeader + "\n" +
            "spot_frap,field_1,field_1_spot_frap,,,40,40,3,120.5,single,30,2,0.4,0.05,0.9,0.7,0.88,,\n" +
            "adapt_1,field_2,field_2_adapt_1,,,30,50,3,200,,,,,,,0.3,0.5,,\"bleach depth 0.30 < 0.6, no fit\"\n");
        File.WriteAllText(Path.Combine(m, "frap_curves.csv"), "step,time_s,roi,reference,background,normalised,fitted\n" + Curves("spot_frap", 30, 0.4));
        AppendEvents(run, Refused(insulin + 150, "bleach_new_cluster", "bleach newest cluster", "field_2", "max_bleaches_per_position", Markup));
        File.WriteAllText(Path.Combine(run, "adaptive.json"), """
            { "rules": ["bleach_new_cluster"], "decisions": 0, "refused": 1, "bleaches": 0,
              "decision_latency_ms": { "count": 0, "p50": 0, "p99": 0, "max": 0 },
              "frame_to_decision_ms": { "count": 0, "p50": 0, "p99": 0, "max": 0 } }
            """);
    }

    /// <summary>3 pre-bleach rows (no fit) and 11 recovery rows of F(t) = Mf·(1 − e^(−kt)), k = ln2 / t½.</summary>
    private static string Curves(string step, double tHalf, double mobile)
    {
        var sb = new StringBuilder();
        double k = Math.Log(2) / tHalf;
        for (int i = -3; i <= 10; i++)
        {
            double fit = mobile * (1 - Math.Exp(-k * i * 2));
            double normalised = i < 0 ? 1 + 0.01 * i : fit + 0.02 * Math.Sin(i);
            sb.Append(CultureInfo.InvariantCulture, $"{step},{i * 2},{100 + i},{1000},{10},{normalised:0.####},{(i < 0 ? "" : fit.ToString("0.####", CultureInfo.InvariantCulture))}\n");
        }
        return sb.ToString();
    }

    private static string Decision(double timeS, string rule, string action, string position, string metrics, double latencyMs)
        => Line(timeS, "adapt.decision", new Dictionary<string, object?>
        {
            ["rule"] = rule, ["action"] = action, ["position"] = position, ["series"] = null, ["frame_t"] = 3, ["frame_time_s"] = timeS,
            ["metrics"] = metrics.Split(", ").Select(kv => kv.Split(" = ")).ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture)),
            ["detail"] = "clusters grew", ["latency_ms"] = latencyMs,
        });

    private static string Refused(double timeS, string rule, string action, string position, string limit, string detail)
        => Line(timeS, "adapt.refused", new Dictionary<string, object?>
        {
            ["rule"] = rule, ["action"] = action, ["position"] = position, ["limit"] = limit, ["detail"] = detail,
        });

    /// <summary>An events.jsonl line as EventLogWriter writes it (time, microscopeTimeS, kind, data).</summary>
    private static string Line(double microscopeTimeS, string kind, Dictionary<string, object?> data)
        => System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["time"] = "2026-01-01T00:00:00+00:00", ["microscopeTimeS"] = microscopeTimeS, ["kind"] = kind, ["data"] = data,
        });

    private static void AppendEvents(string run, params string[] lines)
        => File.AppendAllLines(Path.Combine(run, RunFolder.EventsFileName), lines);

    public static async Task<(int Exit, string Output)> RunCliAsync(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "livescope.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

[CollectionDefinition(Name)]
public sealed class SimulatedRunsCollection : ICollectionFixture<SimulatedRuns>
{
    public const string Name = "simulated runs";
}
