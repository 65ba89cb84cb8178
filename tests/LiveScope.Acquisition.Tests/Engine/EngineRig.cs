using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Acquisition.Recording;
using LiveScope.Core.Config;
using LiveScope.Core.Hardware;
using LiveScope.Core.Imaging;
using LiveScope.Simulation;
using LiveScope.Simulation.Devices;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.Acquisition.Tests.Engine;

/// <summary>
/// The default simulated microscope (device-configs/simulated.yaml) shrunk to a 128 px camera through config overrides,
/// so shipped protocols run unchanged in seconds.
/// </summary>
internal static class EngineRig
{
    public static string Root => LiveScope.Testing.RepoRoot.Path;

    public static string Config => Path.Combine(Root, "device-configs", "simulated.yaml");
    public static string ProtocolPath(string name) => Path.Combine(Root, "protocols", name);

    /// <summary>Camera side in pixels: large enough for the shipped protocols' FRAP ROIs, small enough to be quick.</summary>
    public const int CameraPx = 320;

    public static readonly KeyValuePair<string, string>[] Small =
    [
        new("devices.Camera.settings.sensor_width", $"{CameraPx}"),
        new("devices.Camera.settings.sensor_height", $"{CameraPx}"),
        new("backends.simulated.ground_truth", "false"),
        new("backends.simulated.sample.burn_in_s", "0"),
    ];

    public static Task<Microscope> OpenAsync(params KeyValuePair<string, string>[] extra) =>
        new MicroscopeLoader(new DeviceBackendRegistry().Register(new SimulatedBackend()))
            .LoadAsync(Config, [.. Small, .. extra]);

    public static Protocol Load(Microscope scope, string protocolFile)
    {
        var rig = RigCapabilities.From(scope);
        return new ProtocolLoader(rig).LoadAndValidate(ProtocolPath(protocolFile), rig).Protocol;
    }

    public static AcquisitionPlan Plan(Microscope scope, Protocol protocol) =>
        Planner.Plan(protocol, scope.Camera.SensorWidth, scope.Camera.SensorHeight);

    public static SafetyState Safety(Microscope scope) => ((SimulatedDevice)scope.Camera).Session.Safety;

    public static AcquisitionEngine Engine(Microscope scope, IRunEventLog? log = null, IOperatorPrompt? op = null,
        EngineOptions? options = null) =>
        new(scope, options ?? new EngineOptions(), NullLogger.Instance, log ?? new NullEventLog(), op ?? new AutoConfirmOperator());
}

/// <summary>Keeps what reached it: metadata of every frame, in order (frames themselves go back to the pool).</summary>
internal sealed class RecordingStore(Func<int, Exception?>? failOnFrame = null, TimeSpan? delay = null) : IFrameStore
{
    public List<(FrameMetadata Metadata, FrameEvent Planned)> Frames { get; } = [];

    public async ValueTask WriteAsync(Frame frame, FrameEvent planned, CancellationToken ct)
    {
        if (delay is { } d) await Task.Delay(d, ct);
        if (failOnFrame?.Invoke(Frames.Count) is { } e) throw e;
        Frames.Add((frame.Metadata, planned));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Records event-log lines as (type, fields).</summary>
internal sealed class ListEventLog : IRunEventLog
{
    public List<(string Type, TimeSpan At, IReadOnlyDictionary<string, object?> Fields)> Lines { get; } = [];

    public void Write(string type, TimeSpan at, IReadOnlyDictionary<string, object?> fields)
    {
        lock (Lines) Lines.Add((type, at, fields));
    }
}
