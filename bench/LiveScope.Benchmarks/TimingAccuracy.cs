using System.Runtime.CompilerServices;
using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;
using LiveScope.Core.Imaging;
using LiveScope.Core.Timing;
using LiveScope.Storage;
using LiveScope.Storage.OmeTiff;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.Benchmarks;

/// <summary>
/// Timing accuracy of the engine against its plan on the real monotonic clock: 600 frame events at a fixed interval,
/// a camera that exposes for real (waits on the clock) into pooled frames, frames written as OME-TIFF into a byte
/// counting sink. Prints p50/p99/max lateness. Run: dotnet run -c Release --project bench/LiveScope.Benchmarks -- timing
/// </summary>
public static class TimingAccuracy
{
    private const int WarmUpEvents = 20;

    public static async Task RunAsync(int events = 600, double intervalMs = 50, double exposureMs = 10, int size = 512)
    {
        var clock = new SystemClock();
        var pool = new FramePool();
        var camera = new ClockCamera(clock, pool, size);
        await using var scope = new Microscope("timing", "(bench)", clock, pool,
            new Dictionary<string, IDevice> { ["Camera"] = camera },
            new Dictionary<MicroscopeRole, string> { [MicroscopeRole.Camera] = "Camera" },
            new MicroscopeLimits(), [], NullLogger.Instance);
        var protocol = new Protocol
        {
            Name = "timing", SourceFile = "(bench)", Channels = [new ChannelSpec("GFP", exposureMs, null)],
            Phases = [new ImagingPhaseSpec("steady", intervalMs / 1000, events * intervalMs / 1000)],
        };
        var plan = Planner.Plan(protocol, size, size);
        var sink = new CountingSinkStream();
        var store = new SinkStore(new OmeTiffWriter(sink, null, new StackDescription { PlannedSizeT = events }));
        var engine = new AcquisitionEngine(scope, new EngineOptions(), NullLogger.Instance, new NullEventLog(), new AutoConfirmOperator());
        var result = await engine.RunAsync(plan, new EventQueue(plan.Events), store, [], null, CancellationToken.None);
        var t = result.Timing;
        if (Environment.GetEnvironmentVariable("LIVESCOPE_TIMING_DUMP") is not null)
            Console.WriteLine(string.Join(" ", result.LatenessMs.Select((v, i) => (v, i)).Where(x => x.v > 1).Select(x => $"{x.i}:{x.v:0.0}")));
        Console.WriteLine($"timing: {t.Events} events every {intervalMs} ms ({exposureMs} ms exposure, {size}² frames to OME-TIFF in a counting sink): " +
                          $"lateness p50 {t.P50.TotalMilliseconds:0.000} ms, p99 {t.P99.TotalMilliseconds:0.000} ms, max {t.Max.TotalMilliseconds:0.000} ms, " +
                          $"jitter (SD) {t.Jitter.TotalMilliseconds:0.000} ms; frames kept {result.FramesAcquired}, dropped {result.FramesDropped}, status {result.Status}");
        // The first events pay for JIT compilation and first use of every path; steady state is what a long run sees.
        var steady = result.LatenessMs.Skip(WarmUpEvents).Order().ToArray();
        Console.WriteLine($"steady state (events {WarmUpEvents}+): lateness p50 {TimingStats.Percentile(steady, 0.5):0.000} ms, " +
                          $"p99 {TimingStats.Percentile(steady, 0.99):0.000} ms, max {steady[^1]:0.000} ms");
    }

    private sealed class SinkStore(OmeTiffWriter writer) : IFrameStore
    {
        public ValueTask WriteAsync(Frame frame, FrameEvent planned, CancellationToken ct)
        {
            writer.WritePlane(frame);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            writer.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A camera whose exposure takes real time on the clock and whose pixels are a cheap ramp.</summary>
    private sealed class ClockCamera(IMicroscopeClock clock, FramePool pool, int size) : ICamera
    {
        private long _sequence;
        public string Name => "Camera";
        public DeviceKind Kind => DeviceKind.Camera;
        public int SensorWidth => size;
        public int SensorHeight => size;
        public int BitDepth => 16;
        public double PixelSizeUm => 0.1;
        public CameraSettings Settings { get; private set; } = new();
        public Task MakeSafeAsync(CancellationToken ct) => Task.CompletedTask;
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public Task ApplyAsync(CameraSettings settings, CancellationToken ct)
        {
            Settings = settings;
            return Task.CompletedTask;
        }

        public async Task<Frame> SnapAsync(CancellationToken ct)
        {
            var start = clock.Now;
            await clock.WaitUntilAsync(start + TimeSpan.FromMilliseconds(Settings.ExposureMs), ct);
            var frame = pool.Rent(size, size);
            var px = frame.Pixels;
            for (int i = 0; i < px.Length; i++) px[i] = (ushort)(i & 0xFFF);
            frame.Metadata = new FrameMetadata { SequenceNumber = _sequence++, Timestamp = start, ExposureMs = Settings.ExposureMs, PixelSizeUm = 0.1, Binning = 1 };
            return frame;
        }

        public async IAsyncEnumerable<Frame> StreamAsync(int frameCount, [EnumeratorCancellation] CancellationToken ct)
        {
            for (int i = 0; frameCount == 0 || i < frameCount; i++) yield return await SnapAsync(ct);
        }
    }
}
