using System.CommandLine;
using System.Globalization;
using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Acquisition.Recording;
using LiveScope.Adaptive;
using LiveScope.Reporting;
using LiveScope.Analysis.Pipeline;
using LiveScope.Cli.Hosting;
using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;
using LiveScope.Simulation.Devices;
using LiveScope.Simulation.Timing;
using LiveScope.Simulation.Truth;
using LiveScope.Storage.Run;
using Microsoft.Extensions.Logging;
using Serilog.Events;

namespace LiveScope.Cli.Commands;

/// <summary>
/// <c>livescope run</c>: validates the protocol, then runs it — once, or once per condition — each run into its own
/// folder (OME-TIFF per position, events.jsonl, manifest.json, JSON log, ground truth on the simulator).
/// Exit codes: 0 done, 1 failed, 2 invalid protocol or configuration, 130 cancelled.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var file = ProtocolCommands.ProtocolArgument();
        var config = CommonOptions.Config();
        var set = CommonOptions.Set();
        var output = new Option<string?>("--out", "-o") { Description = "Folder that receives the run folder(s); default: the protocol's output.folder." };
        var timeScale = new Option<double?>("--time-scale")
        {
            Description = "Simulated microscope only: simulated seconds per wall second; 0 = as fast as possible (the default of simulated.yaml).",
        };
        var seed = new Option<long?>("--seed") { Description = "Simulated microscope only: seed of the virtual sample and camera noise." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Confirm operator steps automatically (scripted screens, dry runs)." };
        var noAnalysis = new Option<bool>("--no-analysis") { Description = "Do not analyse frames as they arrive (livescope analyze can do it later); adaptive rules then do nothing." };
        var calibrate = new Option<CalibrationMode>("--calibrate-targeter")
        {
            Description = "Calibrate the photo-targeter before a run that bleaches: auto (simulated microscope only), always, never.",
            DefaultValueFactory = _ => CalibrationMode.Auto,
        };
        var only = new Option<string[]>("--condition") { Description = "Run only the named condition(s) of the protocol's conditions." };
        var command = new Command("run", "Run a protocol on the configured microscope (the simulated one by default).")
            { file, config, set, output, timeScale, seed, yes, noAnalysis, calibrate, only };
        command.SetAction(async (parse, _) =>
        {
            using var shutdown = new Shutdown();
            if (Shutdown.InterruptIgnored) Console.Error.WriteLine(Shutdown.InterruptIgnoredWarning, Environment.ProcessId);
            var overrides = CommonOptions.Overrides(parse.GetValue(set));
            if (parse.GetValue(timeScale) is { } ts) overrides.Add(new("backends.simulated.time_scale", ts.ToString(CultureInfo.InvariantCulture)));
            if (parse.GetValue(seed) is { } s) overrides.Add(new("backends.simulated.seed", s.ToString(CultureInfo.InvariantCulture)));
            var request = new RunRequest(parse.GetValue(file)!, ProjectPaths.Resolve(parse.GetValue(config)!), overrides,
                parse.GetValue(output), ConsoleOperator.For(parse.GetValue(yes)), Environment.CommandLine, !parse.GetValue(noAnalysis))
            {
                Calibrate = parse.GetValue(calibrate),
                OnlyConditions = parse.GetValue(only) ?? [],
            };
            return await RunAllAsync(request, shutdown.Token);
        });
        return command;
    }

    public sealed record RunRequest(string ProtocolPath, string ConfigPath, List<KeyValuePair<string, string>> Overrides,
        string? OutputRoot, IOperatorPrompt Operator, string CommandLine, bool AnalyseLive = true)
    {
        public CalibrationMode Calibrate { get; init; } = CalibrationMode.Auto;
        public IReadOnlyList<string> OnlyConditions { get; init; } = [];
    }

    public static async Task<int> RunAllAsync(RunRequest request, CancellationToken ct)
    {
        Protocol protocol;
        using (var loggers = Logging.Create(LogEventLevel.Warning))
        {
            var loaded = await ProtocolCommands.LoadAsync(request.ProtocolPath, request.ConfigPath, request.Overrides, loggers, ct);
            if (loaded is null) return ProtocolCommands.InvalidExitCode;
            protocol = loaded.Protocol;
        }
        var unknown = request.OnlyConditions.Where(c => protocol.Conditions.All(x => x.Name != c)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"{protocol.SourceFile}: no condition named {string.Join(", ", unknown)}; conditions: " +
                                    (protocol.Conditions.Count == 0 ? "(none)" : string.Join(", ", protocol.Conditions.Select(c => c.Name))));
            return ProtocolCommands.InvalidExitCode;
        }
        var chosen = protocol.Conditions.Where(c => request.OnlyConditions.Count == 0 || request.OnlyConditions.Contains(c.Name)).ToList();
        IReadOnlyList<ConditionSpec?> conditions = chosen.Count > 0 ? [.. chosen] : [default(ConditionSpec)];
        var folders = new List<string>();
        foreach (var condition in conditions)
        {
            var (exit, folder) = await RunOneAsync(request, protocol, condition, ct);
            folders.Add(folder);
            if (exit != 0) return exit;
        }
        if (folders.Count > 1)
            WriteReport(() => ComparisonReport.Write(folders, Path.Combine(Path.GetDirectoryName(folders[0])!, $"{RunFolder.SafeName(protocol.Name)}_comparison.html")));
        return 0;
    }

    /// <summary>Reports are for people; failing to write one must not turn a completed run into a failed one.</summary>
    private static void WriteReport(Func<string> write)
    {
        try
        {
            Console.WriteLine($"report: {write()}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or FormatException)
        {
            Console.Error.WriteLine($"warning: the HTML report could not be written: {e.Message}");
        }
    }

    private static async Task<(int Exit, string Folder)> RunOneAsync(RunRequest request, Protocol protocol, ConditionSpec? condition, CancellationToken ct)
    {
        if (condition is not null)
            protocol = protocol with { Sample = condition.Sample with { Condition = condition.Sample.Condition is "" ? condition.Name : condition.Sample.Condition }, Conditions = [] };
        var overrides = new List<KeyValuePair<string, string>>(condition?.ConfigOverrides ?? new Dictionary<string, string>());
        overrides.AddRange(request.Overrides); // the command line wins over the protocol
        var started = DateTimeOffset.Now;
        var folder = RunFolder.Create(request.OutputRoot ?? protocol.Output.Folder, RunName(protocol, condition, started));
        using var loggers = Logging.Create(LogEventLevel.Information, folder.LogPath);
        var log = loggers.CreateLogger("run");
        using var events = EventLogWriter.Open(folder.EventsPath);
        var manifest = new RunManifest
        {
            RunName = folder.Name, StartTimeUtc = started.ToUniversalTime(), ProtocolPath = Path.GetFullPath(protocol.SourceFile),
            ProtocolText = ReadOrNull(protocol.SourceFile), ConfigurationPath = Path.GetFullPath(request.ConfigPath),
            ConfigurationText = ReadOrNull(request.ConfigPath), CommandLine = request.CommandLine, MachineName = Environment.MachineName,
            Labels = new Dictionary<string, string>
            {
                ["condition"] = protocol.Sample.Condition, ["cell_line"] = protocol.Sample.CellLine,
                ["overrides"] = string.Join(" ", overrides.Select(o => $"{o.Key}={o.Value}")),
            },
        };
        RunManifestFile.Write(folder.ManifestPath, manifest);
        log.LogInformation("Run {Run} of {Protocol} ({Condition}) into {Folder}", folder.Name, protocol.Name, protocol.Sample.Condition, folder.Path);

        RunResult result;
        Exception? storeError = null;
        await using (var scope = await new MicroscopeLoader(Backends.Create(), loggers).LoadAsync(request.ConfigPath, overrides, ct))
        {
            using var truth = SubscribeGroundTruth(scope, folder);
            try
            {
                await TargeterCalibration.CalibrateIfNeededAsync(scope, protocol, request.Calibrate, new EventLogRunLog(events), request.Operator, log, ct);
            }
            catch (CalibrationRefusedException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                RunManifestFile.Write(folder.ManifestPath, manifest with { EndTimeUtc = DateTimeOffset.UtcNow, Outcome = $"refused: {e.Message}" });
                return (ProtocolCommands.InvalidExitCode, folder.Path);
            }
            var cam = scope.Camera;
            var (width, height) = CameraImage.SizeOf(cam);
            var plan = Planner.Plan(protocol, width, height);
            var store = new OmeTiffFrameStore(folder.Path, plan, cam.PixelSizeUm * Math.Max(1, cam.Settings.Binning), scope.Clock.StartedAt);
            // A simulated clock running as fast as possible waits for the analysis, so rules see the present.
            var engine = new AcquisitionEngine(scope, new EngineOptions { LockstepSubscribers = scope.Clock is SimulatedClock { TimeScale: 0 } }, loggers.CreateLogger<AcquisitionEngine>(),
                new EventLogRunLog(events), request.Operator);
            var queue = new EventQueue(plan.Events);
            // Live analysis also drives the adaptive rules and FRAP targets; without it a rule-driven run would be blind.
            var analysis = request.AnalyseLive
                ? new AdaptiveController(plan, queue, new AdaptiveSetup(folder.Path, scope.Clock, new EventLogRunLog(events),
                    scope.PhotoTargeter, Seed(overrides)), log)
                : null;
            engine.TargetChooser = analysis;
            try
            {
                result = await ProgressDisplay.RunAsync(protocol.Sample.Condition is "" ? protocol.Name : $"{protocol.Name} [{protocol.Sample.Condition}]",
                    progress => engine.RunAsync(plan, queue, store, analysis is null ? [] : [analysis], progress, ct));
            }
            finally
            {
                try
                {
                    await store.DisposeAsync();
                }
                catch (Exception e)
                {
                    storeError = e;
                    log.LogError(e, "Some OME-TIFF files could not be completed; `livescope recover` can finish them from their journals");
                }
                finally
                {
                    analysis?.Dispose();
                }
            }
            if (analysis is { Analysis.Summaries.Count: > 0 }) Console.WriteLine(AnalysisSummary.FormatTable(analysis.Analysis.Summaries));
            if (analysis is not null) PrintAdaptive(analysis);
        }
        if (storeError is not null && result.Status == RunStatus.Completed)
            result = result with { Status = RunStatus.Failed, Error = new IOException($"completing the image files failed: {storeError.Message}", storeError) };
        var outcome = result.Status switch
        {
            RunStatus.Completed => "completed",
            RunStatus.Cancelled => "cancelled",
            _ => $"failed: {result.Error?.Message}",
        };
        RunManifestFile.Write(folder.ManifestPath, manifest with { EndTimeUtc = DateTimeOffset.UtcNow, Outcome = outcome });
        PrintSummary(folder, result);
        WriteReport(() => RunReport.Write(folder.Path));
        return (result.Status switch
        {
            RunStatus.Completed => 0,
            RunStatus.Cancelled => Shutdown.CancelledExitCode,
            _ => 1,
        }, folder.Path);
    }

    private static IDisposable? SubscribeGroundTruth(Microscope scope, RunFolder folder)
    {
        if (scope.Camera is not SimulatedCamera simulated) return null;
        var writer = GroundTruthCsvWriter.Create(folder.GroundTruthPath, Path.Combine(folder.Path, "ground-truth-frames.csv"));
        var subscription = simulated.GroundTruth.Subscribe(writer);
        return new Both(subscription, writer);
    }

    private sealed class Both(IDisposable first, IDisposable second) : IDisposable
    {
        public void Dispose()
        {
            first.Dispose();
            second.Dispose();
        }
    }

    private static string RunName(Protocol protocol, ConditionSpec? condition, DateTimeOffset at) => protocol.Output.Name
        .Replace("{protocol}", RunFolder.SafeName(protocol.Name))
        .Replace("{condition}", RunFolder.SafeName(condition?.Name ?? protocol.Sample.Condition))
        .Replace("{date}", at.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
        .Replace("{time}", at.ToString("HHmmss", CultureInfo.InvariantCulture))
        + (condition is not null && !protocol.Output.Name.Contains("{condition}") ? "_" + RunFolder.SafeName(condition.Name) : "");

    /// <summary>The simulator's seed also seeds random target choice, so a dry run repeats exactly.</summary>
    private static int Seed(List<KeyValuePair<string, string>> overrides) =>
        overrides.LastOrDefault(o => o.Key == "backends.simulated.seed").Value is { } s && int.TryParse(s, out var seed) ? seed : 1;

    private static void PrintAdaptive(AdaptiveController adaptive)
    {
        var done = adaptive.Decisions.Where(d => d.RefusedBy is null).ToList();
        if (adaptive.Decisions.Count > 0)
            Console.WriteLine($"adaptive: {done.Count} decisions ({string.Join(", ", done.GroupBy(d => d.Rule).Select(g => $"{g.Key} ×{g.Count()}"))}), " +
                              $"{adaptive.Decisions.Count - done.Count} refused by limits");
        foreach (var r in adaptive.FrapResults)
            Console.WriteLine(r.Succeeded
                ? $"FRAP {r.Step} ({r.Bleached}): t½ {r.Fit!.HalfTimeS:0.0} s, mobile fraction {r.Fit.MobileFraction:0.00}, R² {r.Fit.RSquared:0.000}"
                : $"FRAP {r.Step}: no usable fit ({r.Failure})");
    }

    private static string? ReadOrNull(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    private static void PrintSummary(RunFolder folder, RunResult r)
    {
        if (r.FramesNotAnalysed > 0) Console.WriteLine($"live analysis skipped {r.FramesNotAnalysed} frames to keep up (all were stored; `livescope analyze` covers them)");
        Console.WriteLine($"{r.Status}: {r.FramesAcquired} frames kept, {r.FramesDropped} dropped, {r.PositionsSkipped} position-timepoints skipped, " +
                          $"{r.Done.BleachEvents} bleaches ({r.BleachesSkipped} skipped), {r.Done.Stimulations} stimulation(s)");
        Console.WriteLine($"timing: lateness p50 {r.Timing.P50.TotalMilliseconds:0.###} ms, p99 {r.Timing.P99.TotalMilliseconds:0.###} ms, " +
                          $"max {r.Timing.Max.TotalMilliseconds:0.###} ms over {r.Timing.Events} timed events");
        if (r.SafetyFailures.Count > 0) Console.Error.WriteLine($"WARNING: {r.SafetyFailures.Count} device(s) could not be made safe; check the rig.");
        if (r.Error is not null) Console.Error.WriteLine($"error: {r.Error.Message}");
        Console.WriteLine($"output: {folder.Path}");
    }
}
