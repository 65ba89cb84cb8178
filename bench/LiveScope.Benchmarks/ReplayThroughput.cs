using System.Diagnostics;
using System.Globalization;
using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Acquisition.Recording;
using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;
using LiveScope.Core.Imaging;
using LiveScope.Core.Timing;
using LiveScope.Replay;
using LiveScope.Simulation;
using LiveScope.Storage;
using LiveScope.Storage.OmeTiff;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.Benchmarks;

public sealed record ReplayBenchOptions
{
    public double Seconds { get; init; } = 30;
    public double Fps { get; init; } = 100;
    /// <summary>Planes in the generated recording; the replay loops over them.</summary>
    public int Planes { get; init; } = 64;
    public int Size { get; init; } = 2048;
    /// <summary>Analyse every frame (the default subscriber list); false measures camera and store alone.</summary>
    public bool Analysis { get; init; } = true;
    /// <summary>Analysis through the adaptive controller with rules (the default); false: the analysis pipeline alone.</summary>
    public bool Rules { get; init; } = true;
    /// <summary>replay-disk only: how much to write to the real file, GiB.</summary>
    public double DiskGiB { get; init; } = 3;

    public static ReplayBenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new ReplayBenchOptions();
        for (int i = 0; i < args.Count; i++)
        {
            double Next() => double.Parse(args[++i], CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--seconds" => o with { Seconds = Next() },
                "--fps" => o with { Fps = Next() },
                "--planes" => o with { Planes = (int)Next() },
                "--size" => o with { Size = (int)Next() },
                "--gib" => o with { DiskGiB = Next() },
                "--no-analysis" => o with { Analysis = false },
                "--no-rules" => o with { Rules = false },
                _ => throw new ArgumentException($"unknown option '{args[i]}'; expected --seconds, --fps, --planes, --size, --gib, --no-analysis, --no-rules"),
            };
        }
        return o;
    }
}

/// <summary>
/// Issue #6's replay benchmark. <c>replay</c>: a simulated 2048² recording (made once, kept in the temp folder) is
/// replayed looped at a forced 100 fps for 30 s through the real engine, live subscribers (analysis by default) and
/// the real <see cref="OmeTiffFrameStore"/> writing OME-TIFF into byte-counting sinks — the compute path, not the
/// disk. Reports frames/s achieved, drops, peak RSS, time per stage and GC counts. <c>replay-disk</c>: the fastest
/// rate the same writer sustains to a real file in the temp folder (deleted afterwards).
/// Run: dotnet run -c Release --project bench/LiveScope.Benchmarks -- replay [--seconds 30] [--fps 100] [--no-analysis]
/// </summary>
public static class ReplayThroughput
{
    private static string Folder => Path.Combine(Path.GetTempPath(), "livescope-replay-bench");

    /// <summary>
    /// Runs the replay. <paramref name="subscribers"/> builds the live subscribers for a plan and microscope (default: one
    /// analysis pipeline); each is timed on its own. Subscribers that are <see cref="IDisposable"/> are disposed after.
    /// </summary>
    public static async Task RunAsync(ReplayBenchOptions o,
        Func<AcquisitionPlan, Microscope, EventQueue, IReadOnlyList<IFrameSubscriber>>? subscribers = null)
    {
        var path = await EnsureRecordingAsync(o.Planes, o.Size);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        bool peakReset = ReplayMemory.ResetPeak();
        Console.WriteLine($"replay: {path}; RSS before the run {ReplayMemory.RssMiB():0} MiB (peak {(peakReset ? "reset" : "NOT reset: includes generation")})");

        int frames = (int)Math.Floor(o.Seconds * o.Fps + 1e-9);
        var wait = new ReplayStageTimes("snap: wait until due", frames + 16);
        var read = new ReplayStageTimes("snap: read plane", frames + 16);
        var write = new ReplayStageTimes("store: OME-TIFF write", frames + 16);

        var clock = new SystemClock();
        var pool = new FramePool();
        var replay = new ReplayCamera("Camera", ReplayRecording.Open(path), ReplayRate.Fps(o.Fps), loop: true, pool, clock);
        var camera = new ReplayTimedCamera(replay, clock, wait, read);
        await using var scope = new Microscope("replay-bench", "(bench)", clock, pool,
            new Dictionary<string, IDevice> { ["Camera"] = camera },
            new Dictionary<MicroscopeRole, string> { [MicroscopeRole.Camera] = "Camera" },
            new MicroscopeLimits(), [], NullLogger.Instance);
        var protocol = new Protocol
        {
            Name = "replay-benchmark", SourceFile = "(bench)", Channels = [new ChannelSpec("GFP", 8, null)],
            Phases = [new ImagingPhaseSpec("replay", 1 / o.Fps, o.Seconds)],
        };
        if (o.Analysis && o.Rules) protocol = protocol with { Adapt = ReplayRules.Spec };
        var plan = Planner.Plan(protocol, o.Size, o.Size);
        var queue = new EventQueue(plan.Events);

        var sinks = new List<CountingSinkStream>();
        var store = new OmeTiffFrameStore(Folder, plan, replay.PixelSizeUm, clock.StartedAt, (_, description) =>
        {
            var tiff = new CountingSinkStream();
            sinks.Add(tiff);
            // The journal goes to a sink too: its per-plane record is part of the real write path.
            return new ReplayTimedWriter(new OmeTiffWriter(tiff, new CountingSinkStream(), description), write);
        });
        var live = (subscribers ?? DefaultSubscribers(o))(plan, scope, queue);
        var timedSubscribers = live.Select(s => new ReplayTimedSubscriber(s, new ReplayStageTimes($"subscriber {s.GetType().Name}", frames + 16))).ToList();

        var gcBefore = (G0: GC.CollectionCount(0), G1: GC.CollectionCount(1), G2: GC.CollectionCount(2));
        long allocatedBefore = GC.GetTotalAllocatedBytes();
        var pauseBefore = GC.GetTotalPauseDuration();
        using var sampling = new CancellationTokenSource();
        int maxInFlight = 0;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                maxInFlight = Math.Max(maxInFlight, pool.Outstanding);
                try { await Task.Delay(20, sampling.Token); } catch (OperationCanceledException) { }
            }
        });

        var engine = new AcquisitionEngine(scope, new EngineOptions(), NullLogger.Instance, new NullEventLog(), new AutoConfirmOperator());
        // The engine's schedule starts now; anchoring the replay here keeps a slow first frame (JIT) from shifting
        // the camera's schedule behind the engine's for the whole run.
        replay.StartAt(clock.Now);
        var wall = Stopwatch.StartNew();
        TimeSpan acquisitionDone = TimeSpan.Zero;
        // Allocation after warm-up: the first frames grow the frame pool (one 8 MB buffer per frame in flight) and JIT.
        const int WarmUpFrames = 200;
        long allocatedAtWarm = 0;
        var progress = new SynchronousProgress(p =>
        {
            if (p.EventsDone == WarmUpFrames) allocatedAtWarm = GC.GetTotalAllocatedBytes();
            // The last progress report is the last snap (a rule's rewrite changes EventsTotal, so don't wait for equality).
            acquisitionDone = wall.Elapsed;
        });
        var result = await engine.RunAsync(plan, queue, store, timedSubscribers, progress, CancellationToken.None);
        var drained = wall.Elapsed;
        await store.DisposeAsync();
        sampling.Cancel();
        await sampler;
        foreach (var s in timedSubscribers) s.Dispose();

        long bytes = sinks.Sum(s => s.Length);
        double seconds = drained.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replay {o.Size}² at a forced {o.Fps:0} fps for {o.Seconds:0} s ({frames} frames planned), subscribers: " +
            $"{(live.Count == 0 ? "none" : string.Join(", ", live.Select(s => s.GetType().Name)))}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  status {result.Status}{(result.Error is { } e ? $" ({e.Message})" : "")}; frames kept {result.FramesAcquired}, dropped {result.FramesDropped}, " +
            $"not analysed (analysis behind, stored anyway) {result.FramesNotAnalysed}"));
        foreach (var s in live.OfType<LiveScope.Adaptive.AdaptiveController>()) ReplayRules.Print(s, Folder);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  achieved {result.FramesAcquired / seconds:0.0} frames/s end to end ({seconds:0.00} s until the last frame was stored and analysed); " +
            $"acquisition side {replay.FramesServed / Math.Max(1e-9, acquisitionDone.TotalSeconds):0.0} frames/s (last snap at {acquisitionDone.TotalSeconds:0.00} s)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  engine lateness p50 {result.Timing.P50.TotalMilliseconds:0.0} ms, p99 {result.Timing.P99.TotalMilliseconds:0.0} ms, max {result.Timing.Max.TotalMilliseconds:0.0} ms; " +
            $"most frames in flight (queue + in hand) {maxInFlight} of capacity {new EngineOptions().PipelineCapacity}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  OME-TIFF bytes into the sinks {bytes / 1e9:0.00} GB ({bytes / 1e6 / seconds:0} MB/s)"));
        foreach (var stage in new[] { wait, read, write }.Concat(timedSubscribers.Select(s => s.Times)))
            Console.WriteLine("  " + stage.Summary());
        var pause = GC.GetTotalPauseDuration() - pauseBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  GC: gen0 {GC.CollectionCount(0) - gcBefore.G0}, gen1 {GC.CollectionCount(1) - gcBefore.G1}, gen2 {GC.CollectionCount(2) - gcBefore.G2}, " +
            $"allocated {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1e6:0.0} MB ({(GC.GetTotalAllocatedBytes() - allocatedBefore) / Math.Max(1, result.FramesAcquired) / 1024.0:0.0} KiB/frame), " +
            $"pauses {pause.TotalMilliseconds:0} ms; after frame {WarmUpFrames}: " +
            $"{(allocatedAtWarm == 0 ? double.NaN : (GC.GetTotalAllocatedBytes() - allocatedAtWarm) / Math.Max(1.0, result.FramesAcquired - WarmUpFrames) / 1024.0):0.0} KiB/frame"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  peak RSS {ReplayMemory.PeakRssMiB():0} MiB (VmHWM{(peakReset ? " since the run started" : ", whole process")}); pool outstanding at end {pool.Outstanding}"));
    }

    private static Func<AcquisitionPlan, Microscope, EventQueue, IReadOnlyList<IFrameSubscriber>> DefaultSubscribers(ReplayBenchOptions o) =>
        (plan, scope, queue) => !o.Analysis ? [] : o.Rules ? [ReplayRules.Controller(plan, scope, queue, Folder)] : [new ReplayAnalysisSubscriber()];

    /// <summary>
    /// The fastest rate the same writer sustains to a real file: planes of the recording written back to back with the
    /// run's default options (flush and start write-back every plane), then Complete (which fsyncs). Deleted afterwards.
    /// </summary>
    public static async Task RunDiskAsync(ReplayBenchOptions o)
    {
        var path = await EnsureRecordingAsync(o.Planes, o.Size);
        var pool = new FramePool();
        using var recording = ReplayRecording.Open(path);
        var source = Enumerable.Range(0, Math.Min(8, recording.Count)).Select(i => recording.Read(i, pool)).ToArray();
        long planeBytes = (long)o.Size * o.Size * 2;
        int planes = (int)Math.Max(1, o.DiskGiB * (1L << 30) / planeBytes);
        var target = Path.Combine(Folder, $"disk-test-{Environment.ProcessId}.ome.tif");
        var perPlane = new ReplayStageTimes("write plane", planes);
        var perSecond = new List<double>();
        try
        {
            var wall = Stopwatch.StartNew();
            TimeSpan completeTime;
            using (var writer = OmeTiffWriter.Create(target, new StackDescription
                   {
                       ImageName = "disk test", PixelSizeUm = recording.PixelSizeUm, PlannedSizeT = planes, ChannelNames = ["GFP"],
                   }))
            {
                int inThisSecond = 0;
                var secondStart = wall.Elapsed;
                for (int t = 0; t < planes; t++)
                {
                    var frame = source[t % source.Length];
                    frame.Metadata = frame.Metadata with { TimeIndex = t, SequenceNumber = t };
                    long start = Stopwatch.GetTimestamp();
                    writer.WritePlane(frame);
                    perPlane.Add(start);
                    inThisSecond++;
                    if (wall.Elapsed - secondStart >= TimeSpan.FromSeconds(1))
                    {
                        perSecond.Add(inThisSecond / (wall.Elapsed - secondStart).TotalSeconds);
                        inThisSecond = 0;
                        secondStart = wall.Elapsed;
                    }
                }
                var beforeComplete = wall.Elapsed;
                writer.Complete();
                completeTime = wall.Elapsed - beforeComplete;
            }
            var total = wall.Elapsed;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"replay-disk: {planes} planes of {o.Size}² ({planes * planeBytes / 1e9:0.00} GB) to {target} with the run's writer options"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  sustained {planes / total.TotalSeconds:0.0} frames/s = {planes * planeBytes / 1e6 / total.TotalSeconds:0} MB/s including the final " +
                $"Complete+fsync ({completeTime.TotalSeconds:0.00} s); {(planes / (total - completeTime).TotalSeconds):0.0} frames/s before it"));
            if (perSecond.Count > 0)
                Console.WriteLine("  frames/s per wall second: " + string.Join(" ", perSecond.Select(v => v.ToString("0", CultureInfo.InvariantCulture))));
            Console.WriteLine("  " + perPlane.Summary());
        }
        finally
        {
            foreach (var f in source) f.Dispose();
            File.Delete(target);
            File.Delete(PlaneJournal.PathFor(target));
        }
    }

    /// <summary>
    /// A simulated recording of <paramref name="planes"/> planes of <paramref name="size"/>² (the default simulated
    /// sample, 8 ms exposure + 2 ms readout: 100 fps as recorded), made once and kept in the temp folder.
    /// </summary>
    public static async Task<string> EnsureRecordingAsync(int planes, int size)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, $"simulated-{size}px-{planes}planes.ome.tif");
        if (File.Exists(path))
        {
            try
            {
                using var existing = ReplayRecording.Open(path);
                if (existing.Count == planes && existing.Width == size) return path;
            }
            catch (ReplayFileException) { }
            File.Delete(path);
        }
        var partial = Path.Combine(Folder, $"partial-{Environment.ProcessId}.ome.tif");
        var wall = Stopwatch.StartNew();
        await using (var scope = await new MicroscopeLoader(new DeviceBackendRegistry().Register(new SimulatedBackend()))
                         .LoadAsync(Path.Combine(LiveScope.Testing.RepoRoot.Path, "device-configs", "simulated.yaml"),
                         [
                             new("devices.Camera.settings.sensor_width", $"{size}"), new("devices.Camera.settings.sensor_height", $"{size}"),
                             new("devices.Camera.settings.exposure_ms", "8"), new("devices.Camera.settings.readout_ms", "2"),
                             new("backends.simulated.ground_truth", "false"),
                         ]))
        using (var writer = OmeTiffWriter.Create(partial, new StackDescription
               {
                   ImageName = "replay benchmark recording", PixelSizeUm = scope.Camera.PixelSizeUm, PlannedSizeT = planes, ChannelNames = ["GFP"],
               }))
        {
            if (scope.LightSource is { } light) await light.SelectChannelAsync("GFP", CancellationToken.None);
            await scope.Camera.ApplyAsync(scope.Camera.Settings with { ExposureMs = 8 }, CancellationToken.None);
            for (int t = 0; t < planes; t++)
            {
                using var frame = await scope.Camera.SnapAsync(CancellationToken.None);
                frame.Metadata = frame.Metadata with { TimeIndex = t, Channel = "GFP" };
                writer.WritePlane(frame);
            }
        }
        File.Move(partial, path);
        Console.WriteLine($"replay: generated {path} ({planes} planes of {size}², {wall.Elapsed.TotalSeconds:0.0} s)");
        return path;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and lag).</summary>
    private sealed class SynchronousProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}
