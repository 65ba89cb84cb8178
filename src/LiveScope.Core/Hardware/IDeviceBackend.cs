using LiveScope.Core.Config;
using LiveScope.Core.Devices;
using LiveScope.Core.Imaging;
using LiveScope.Core.Timing;
using Microsoft.Extensions.Logging;

namespace LiveScope.Core.Hardware;

/// <summary>What a backend gets when a configuration opens it.</summary>
public sealed record BackendContext(string ConfigFile, FramePool FramePool, ILoggerFactory LoggerFactory)
{
    /// <summary>Folder of the configuration file: relative paths in settings resolve against it.</summary>
    public string ConfigDirectory => Path.GetDirectoryName(Path.GetFullPath(ConfigFile)) ?? ".";
}

/// <summary>
/// A device backend (simulated, Micro-Manager, serial, …), registered under the name that device-config files use
/// in <c>backends:</c> and <c>devices[].backend</c>. Adding a vendor is a new backend, not an edit of the engine.
/// </summary>
public interface IDeviceBackend
{
    string Name { get; }
    string Description { get; }
    /// <summary>Opens the backend with its <c>backends.&lt;name&gt;</c> settings (null when the file has none).</summary>
    IBackendSession Open(BackendContext context, ConfigNode? settings);
}

/// <summary>One opened backend: it creates the devices the file lists for it and owns what they share.</summary>
public interface IBackendSession : IAsyncDisposable
{
    /// <summary>A backend that owns time (the simulator) supplies the microscope clock; others return null.</summary>
    IMicroscopeClock? Clock { get; }

    /// <summary>Creates a device; bad settings throw <see cref="ConfigException"/> at the offending key.</summary>
    IDevice CreateDevice(string name, DeviceKind kind, ConfigNode? settings);

    /// <summary>Called once all devices exist and roles are assigned (devices of one backend may need each other).</summary>
    Task InitializeAsync(Microscope microscope, CancellationToken ct);
}

/// <summary>The backends this process knows; the host composes it (no static registry).</summary>
public sealed class DeviceBackendRegistry
{
    private readonly Dictionary<string, IDeviceBackend> _backends = new(StringComparer.OrdinalIgnoreCase);

    public DeviceBackendRegistry Register(IDeviceBackend backend)
    {
        if (!_backends.TryAdd(backend.Name, backend))
            throw new InvalidOperationException($"a backend named '{backend.Name}' is already registered");
        return this;
    }

    public IReadOnlyCollection<IDeviceBackend> All => _backends.Values;

    public bool TryGet(string name, out IDeviceBackend backend) => _backends.TryGetValue(name, out backend!);
}
