using LiveScope.Core.Config;
using LiveScope.Core.Hardware;

namespace LiveScope.Replay;

/// <summary>
/// The "replay" device backend: cameras that play recorded OME-TIFF files back as live, so a real recording can be
/// dry-run through analysis, adaptive rules and storage. It provides cameras, and an autofocus that keeps the
/// recording's focus (so protocols with autofocus replay unchanged); the other devices of a replay
/// configuration come from another backend (usually <c>simulated</c>), and the camera paces itself on whatever clock
/// the microscope runs on. Register with <c>registry.Register(new ReplayBackend())</c>; configs use <c>backend: replay</c>.
/// </summary>
public sealed class ReplayBackend : IDeviceBackend
{
    public const string BackendName = "replay";

    public string Name => BackendName;
    public string Description => "cameras that play a recorded OME-TIFF back as live, at its own or a forced rate";

    public IBackendSession Open(BackendContext context, ConfigNode? settings)
    {
        // Everything a replay needs is per camera; a backends.replay section has nothing to say.
        if (settings is { IsNull: false }) settings.RejectUnknownKeys([]);
        return new ReplaySession(context);
    }
}
