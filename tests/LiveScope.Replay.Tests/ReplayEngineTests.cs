using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;
using LiveScope.Core.Imaging;
using LiveScope.Simulation.Timing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.Replay.Tests;

/// <summary>A recording replayed through the real acquisition engine: what storage receives is what was recorded.</summary>
public sealed class ReplayEngineTests : IDisposable
{
    private readonly Recordings _files = new();

    private sealed class PixelStore : IFrameStore
    {
        public List<(ushort[] Pixels, FrameMetadata Metadata)> Frames { get; } = [];

        public ValueTask WriteAsync(Frame frame, FrameEvent planned, CancellationToken ct)
        {
            Frames.Add((frame.Pixels.ToArray(), frame.Metadata));
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static async Task<(RunResult Result, PixelStore Store)> RunAsync(ReplayCamera camera, SimulatedClock clock, FramePool pool,
        double intervalS, double durationS)
    {
        await using var scope = new Microscope("replay", "(test)", clock, pool,
            new Dictionary<string, IDevice> { [camera.Name] = camera },
            new Dictionary<MicroscopeRole, string> { [MicroscopeRole.Camera] = camera.Name },
            new MicroscopeLimits(), [], NullLogger.Instance);
        var protocol = new Protocol
        {
            Name = "replay", SourceFile = "(test)", Channels = [new ChannelSpec("GFP", 20, null)],
            Phases = [new ImagingPhaseSpec("steady", intervalS, durationS)],
        };
        var plan = Planner.Plan(protocol, camera.SensorWidth, camera.SensorHeight);
        var store = new PixelStore();
        var engine = new AcquisitionEngine(scope, new EngineOptions(), NullLogger.Instance, new NullEventLog(), new AutoConfirmOperator());
        var result = await engine.RunAsync(plan, new EventQueue(plan.Events), store, [], null, CancellationToken.None);
        return (result, store);
    }

    [Fact]
    public async Task A_looped_recording_runs_a_longer_plan_in_order_and_bit_for_bit()
    {
        var (path, planes) = _files.TimeSeries("field_1", [0, 100, 200, 300]);
        var clock = new SimulatedClock(0);
        var pool = new FramePool();
        var camera = new ReplayCamera("Camera", ReplayRecording.Open(path), ReplayRate.Fps(10), loop: true, pool, clock);

        var (result, store) = await RunAsync(camera, clock, pool, intervalS: 0.1, durationS: 1.0);

        result.Status.Should().Be(RunStatus.Completed);
        result.FramesDropped.Should().Be(0);
        store.Frames.Should().HaveCountGreaterThan(planes.Count, "the plan is longer than one pass of the recording");
        for (int i = 0; i < store.Frames.Count; i++)
        {
            store.Frames[i].Pixels.Should().Equal(planes[i % planes.Count].Pixels, $"frame {i} is plane {i % planes.Count}");
            store.Frames[i].Metadata.TimeIndex.Should().Be(i);
        }
        pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task A_recording_that_runs_out_stops_the_run_with_a_message_naming_the_file()
    {
        var (path, planes) = _files.TimeSeries("field_1", [0, 100, 200]);
        var clock = new SimulatedClock(0);
        var pool = new FramePool();
        var camera = new ReplayCamera("Camera", ReplayRecording.Open(path), ReplayRate.Original, loop: false, pool, clock);

        var (result, store) = await RunAsync(camera, clock, pool, intervalS: 0.1, durationS: 1.0);

        result.Status.Should().Be(RunStatus.Failed);
        result.Error.Should().BeOfType<ReplayExhaustedException>().Which.Message.Should().Contain(path);
        store.Frames.Should().HaveCount(planes.Count, "every recorded plane was kept before the run stopped");
        pool.Outstanding.Should().Be(0);
    }

    public void Dispose() => _files.Dispose();
}
