using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Core.Calibration;
using LiveScope.Core.Hardware;
using LiveScope.Core.Imaging;
using LiveScope.Simulation;
using LiveScope.Simulation.Devices;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.Adaptive.Tests;

/// <summary>
/// The default simulated microscope shrunk to a 320 px camera, running a protocol written in the test through the
/// real engine with the adaptive controller subscribed — the same wiring as <c>livescope run</c>.
/// </summary>
internal sealed class AdaptRig : IAsyncDisposable
{
    public const int CameraPx = 320;
    private static string Root => LiveScope.Testing.RepoRoot.Path;

    public required Microscope Scope { get; init; }
    public required string Folder { get; init; }
    public ListEventLog Events { get; } = new();
    public RecordingStore Store { get; } = new();

    public static async Task<AdaptRig> OpenAsync(params KeyValuePair<string, string>[] extra)
    {
        KeyValuePair<string, string>[] small =
        [
            new("devices.Camera.settings.sensor_width", $"{CameraPx}"),
            new("devices.Camera.settings.sensor_height", $"{CameraPx}"),
            new("backends.simulated.sample.burn_in_s", "0"),
            // The galvo's reach follows the smaller sensor, so calibration spots land on the image.
            new("devices.FRAP.settings.target_max_x", $"{CameraPx - 1}"),
            new("devices.FRAP.settings.target_max_y", $"{CameraPx - 1}"),
        ];
        var scope = await new MicroscopeLoader(new DeviceBackendRegistry().Register(new SimulatedBackend()))
            .LoadAsync(Path.Combine(Root, "device-configs", "simulated.yaml"), [.. small, .. extra]);
        var folder = Path.Combine(Path.GetTempPath(), "livescope-adapt-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return new AdaptRig { Scope = scope, Folder = folder };
    }

    public SimulatedPhotoTargeter Targeter => (SimulatedPhotoTargeter)Scope.PhotoTargeter!;
    public SimulatedCamera Camera => (SimulatedCamera)Scope.Camera;

    public Protocol Load(string yaml)
    {
        var path = Path.Combine(Folder, "protocol.yaml");
        File.WriteAllText(path, yaml);
        var rig = RigCapabilities.From(Scope);
        return new ProtocolLoader(rig).LoadAndValidate(path, rig).Protocol;
    }

    public async Task CalibrateAsync()
    {
        var result = await PhotoTargeterCalibrator.CalibrateAsync(Targeter, Scope.Camera);
        Targeter.CameraToTarget = result.CameraToTarget;
    }

    public async Task<(RunResult Result, AdaptiveController Controller)> RunAsync(Protocol protocol, CancellationToken ct = default)
    {
        var plan = Planner.Plan(protocol, CameraPx, CameraPx);
        var queue = new EventQueue(plan.Events);
        var controller = new AdaptiveController(plan, queue, new AdaptiveSetup(Folder, Scope.Clock, Events, Scope.PhotoTargeter, Seed: 3),
            NullLogger.Instance);
        var engine = new AcquisitionEngine(Scope, new EngineOptions { LockstepSubscribers = true }, NullLogger.Instance, Events, new AutoConfirmOperator())
        {
            TargetChooser = controller,
        };
        RunResult result;
        try
        {
            result = await engine.RunAsync(plan, queue, Store, [controller], null, ct);
        }
        finally
        {
            controller.Dispose();
        }
        return (result, controller);
    }

    public IEnumerable<IReadOnlyDictionary<string, object?>> Lines(string type)
    {
        lock (Events.Lines) return Events.Lines.Where(l => l.Type == type).Select(l => l.Fields).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Scope.DisposeAsync();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Keeps the metadata of every frame that reached storage, in order.</summary>
internal sealed class RecordingStore : IFrameStore
{
    public List<(FrameMetadata Metadata, FrameEvent Planned)> Frames { get; } = [];

    private readonly HashSet<(int, string?, int, int, int)> _planes = [];

    /// <summary>Refuses a second plane with the same T/C/Z in one series, as the OME-TIFF writer does.</summary>
    public ValueTask WriteAsync(Frame frame, FrameEvent planned, CancellationToken ct)
    {
        if (!_planes.Add((planned.PositionIndex, planned.Series, planned.TimeIndex, planned.ChannelIndex, planned.ZIndex)))
            throw new ArgumentException($"plane T{planned.TimeIndex} C{planned.ChannelIndex} Z{planned.ZIndex} of {planned.Series ?? "position " + planned.PositionIndex} written twice");
        Frames.Add((frame.Metadata, planned));
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

internal sealed class ListEventLog : IRunEventLog
{
    public List<(string Type, TimeSpan At, IReadOnlyDictionary<string, object?> Fields)> Lines { get; } = [];

    public void Write(string type, TimeSpan at, IReadOnlyDictionary<string, object?> fields)
    {
        lock (Lines) Lines.Add((type, at, fields));
    }
}
