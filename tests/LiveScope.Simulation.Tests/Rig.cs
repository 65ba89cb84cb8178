using LiveScope.Core.Config;
using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;
using LiveScope.Core.Imaging;
using LiveScope.Simulation;
using LiveScope.Simulation.Devices;
using LiveScope.Simulation.Options;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.Simulation.Tests;

/// <summary>A simulated session with every device, built in code so each test states the options it depends on.</summary>
public sealed class Rig : IAsyncDisposable
{
    private Rig(SimulatedSession session) => Session = session;

    public SimulatedSession Session { get; }
    public SimulatedCamera Camera => Session.Camera!;
    public SimulatedXYStage XY => Session.XYStage!;
    public SimulatedFocusStage Focus => Session.Focus!;
    public SimulatedPhotoTargeter Targeter => Session.PhotoTargeter!;
    public SimulatedLightSource Light => Session.LightSource!;
    public SimulatedShutter Shutter => Session.Shutter!;
    public SimulatedLiquidHandler Pump => Session.LiquidHandler!;
    public SimulatedAutofocus Autofocus { get; private set; } = null!;
    public FramePool Pool => Session.Context.FramePool;

    /// <summary>Opens a session; <paramref name="cameraYaml"/> is the camera's settings block as YAML.</summary>
    public static Rig Open(SimulationOptions? options = null, string? cameraYaml = null, string? targeterYaml = null)
    {
        var session = new SimulatedSession(options ?? new SimulationOptions(),
            new BackendContext("test.yaml", new FramePool(), NullLoggerFactory.Instance));
        var rig = new Rig(session);
        session.CreateDevice("Camera", DeviceKind.Camera, cameraYaml is null ? null : ConfigNode.Parse(cameraYaml, "camera.yaml"));
        session.CreateDevice("XY", DeviceKind.XYStage, null);
        session.CreateDevice("Z", DeviceKind.FocusStage, null);
        session.CreateDevice("FRAP", DeviceKind.PhotoTargeter, targeterYaml is null ? null : ConfigNode.Parse(targeterYaml, "frap.yaml"));
        session.CreateDevice("Light", DeviceKind.LightSource, null);
        session.CreateDevice("Shutter", DeviceKind.Shutter, null);
        session.CreateDevice("Pump", DeviceKind.LiquidHandler, null);
        rig.Autofocus = (SimulatedAutofocus)session.CreateDevice("AF", DeviceKind.Autofocus, null);
        return rig;
    }

    public ValueTask DisposeAsync() => Session.DisposeAsync();

    /// <summary>The folder holding LiveScope.sln.</summary>
    public static string RepoRoot() => LiveScope.Testing.RepoRoot.Path;

    public static ushort[] Copy(Frame f) => f.Pixels.ToArray();
}
