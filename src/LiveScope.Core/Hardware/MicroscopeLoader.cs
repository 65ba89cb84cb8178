using LiveScope.Core.Config;
using LiveScope.Core.Devices;
using LiveScope.Core.Imaging;
using LiveScope.Core.Timing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.Core.Hardware;

/// <summary>
/// Opens a microscope from a device-config file:
/// <code>
/// name: …
/// backends: { simulated: {…}, micromanager: {…} }   # settings per backend
/// devices:  [ { name, backend, kind, settings } ]
/// roles:    { camera: Camera, xy_stage: XY, … }     # camera is required
/// limits:   { max_exposure_ms, max_light_power_fraction, max_bleach_power_fraction, max_bleach_dwell_ms }
/// </code>
/// Unknown backends, kinds, devices and roles, a missing camera role and out-of-range values fail with file:line:column.
/// </summary>
public sealed class MicroscopeLoader(DeviceBackendRegistry registry, ILoggerFactory? loggerFactory = null)
{
    private readonly ILoggerFactory _loggers = loggerFactory ?? NullLoggerFactory.Instance;

    private static readonly string[] RootKeys = ["name", "backends", "devices", "roles", "limits"];
    private static readonly string[] DeviceKeys = ["name", "backend", "kind", "settings"];

    /// <summary>Loads the file, applying <c>key.path=value</c> overrides (e.g. <c>backends.simulated.seed=7</c>) first.</summary>
    public async Task<Microscope> LoadAsync(string file, IEnumerable<KeyValuePair<string, string>>? overrides = null,
        CancellationToken ct = default)
    {
        var root = ConfigNode.LoadFile(file);
        foreach (var (path, value) in overrides ?? [])
            ConfigOverrides.Apply(root, path, value);
        return await LoadAsync(root, ct).ConfigureAwait(false);
    }

    public async Task<Microscope> LoadAsync(ConfigNode root, CancellationToken ct = default)
    {
        root.RejectUnknownKeys(RootKeys);
        var name = root.GetString("name", Path.GetFileNameWithoutExtension(root.File));
        var limits = ConfigBinder.Bind<MicroscopeLimits>(root.Child("limits"));
        var pool = new FramePool();
        var context = new BackendContext(root.File, pool, _loggers);
        var backendSettings = root.Child("backends");

        var sessions = new Dictionary<string, IBackendSession>(StringComparer.OrdinalIgnoreCase);
        var devices = new Dictionary<string, IDevice>(StringComparer.Ordinal);
        try
        {
            if (backendSettings is not null)
                foreach (var (backendName, _) in backendSettings.Entries)
                    if (!registry.TryGet(backendName, out _))
                        throw backendSettings.Required(backendName).Error(UnknownBackend(backendName));

            foreach (var entry in root.Required("devices").Items)
            {
                entry.RejectUnknownKeys(DeviceKeys);
                var deviceName = entry.Required("name").AsString();
                if (devices.ContainsKey(deviceName))
                    throw entry.Required("name").Error($"a device named '{deviceName}' is already defined");
                var backendNode = entry.Required("backend");
                var backendName = backendNode.AsString();
                if (!registry.TryGet(backendName, out var backend)) throw backendNode.Error(UnknownBackend(backendName));
                var kind = ParseKind(entry.Required("kind"));
                if (!sessions.TryGetValue(backend.Name, out var session))
                {
                    session = backend.Open(context, backendSettings?.Child(backend.Name));
                    sessions.Add(backend.Name, session);
                }
                var device = session.CreateDevice(deviceName, kind, entry.Child("settings"));
                if (device.Kind != kind)
                    throw entry.Required("kind").Error($"backend '{backend.Name}' made a {device.Kind} for kind {kind}");
                devices.Add(deviceName, device);
            }
            if (devices.Count == 0) throw root.Required("devices").Error("lists no devices");

            var roles = ReadRoles(root.Required("roles"), devices);
            var clocks = sessions.Values.Select(s => s.Clock).OfType<IMicroscopeClock>().Distinct().ToList();
            if (clocks.Count > 1)
                throw root.Required("devices").Error("devices from more than one backend that keeps its own clock cannot be mixed");
            IMicroscopeClock clock = clocks.Count == 1 ? clocks[0] : new SystemClock();

            var microscope = new Microscope(name, root.File, clock, pool, devices, roles, limits, sessions.Values.ToList(),
                _loggers.CreateLogger<Microscope>());
            try
            {
                foreach (var session in sessions.Values) await session.InitializeAsync(microscope, ct).ConfigureAwait(false);
            }
            catch
            {
                await microscope.DisposeAsync().ConfigureAwait(false);
                // The microscope made safe and closed everything; nothing is left for the handler below.
                devices.Clear();
                sessions.Clear();
                throw;
            }
            return microscope;
        }
        catch when (devices.Count > 0 || sessions.Count > 0)
        {
            // Whatever was opened before the error is closed again (and made safe) before the error surfaces.
            foreach (var d in devices.Values) await DisposeQuietly(d).ConfigureAwait(false);
            foreach (var s in sessions.Values) await DisposeQuietly(s).ConfigureAwait(false);
            throw;
        }
    }

    private string UnknownBackend(string name)
    {
        var known = registry.All.Select(b => b.Name).ToArray();
        return $"unknown backend '{name}'{Suggest.DidYouMean(name, known)}; known backends: {string.Join(", ", known)}";
    }

    private static DeviceKind ParseKind(ConfigNode node)
    {
        var text = node.AsString();
        foreach (var kind in Enum.GetValues<DeviceKind>())
            if (string.Equals(ConfigBinder.KeyName(kind.ToString()), text, StringComparison.OrdinalIgnoreCase)
                || string.Equals(kind.ToString(), text, StringComparison.OrdinalIgnoreCase))
                return kind;
        var names = Enum.GetNames<DeviceKind>().Select(ConfigBinder.KeyName).ToArray();
        throw node.Error($"unknown device kind '{text}'{Suggest.DidYouMean(text, names)}; expected one of: {string.Join(", ", names)}");
    }

    public static DeviceKind KindOf(MicroscopeRole role) => role switch
    {
        MicroscopeRole.Camera => DeviceKind.Camera,
        MicroscopeRole.XYStage => DeviceKind.XYStage,
        MicroscopeRole.Focus => DeviceKind.FocusStage,
        MicroscopeRole.PhotoTargeter => DeviceKind.PhotoTargeter,
        MicroscopeRole.LightSource => DeviceKind.LightSource,
        MicroscopeRole.Shutter => DeviceKind.Shutter,
        MicroscopeRole.LiquidHandler => DeviceKind.LiquidHandler,
        MicroscopeRole.Autofocus => DeviceKind.Autofocus,
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    private static Dictionary<MicroscopeRole, string> ReadRoles(ConfigNode node, IReadOnlyDictionary<string, IDevice> devices)
    {
        var byKey = Enum.GetValues<MicroscopeRole>().ToDictionary(r => ConfigBinder.KeyName(r.ToString()));
        node.RejectUnknownKeys(byKey.Keys.ToArray());
        var roles = new Dictionary<MicroscopeRole, string>();
        foreach (var (key, value) in node.Entries)
        {
            var role = byKey[key];
            var deviceName = value.AsString();
            if (!devices.TryGetValue(deviceName, out var device))
                throw value.Error($"no device named '{deviceName}'{Suggest.DidYouMean(deviceName, devices.Keys)}");
            if (device.Kind != KindOf(role))
                throw value.Error($"device '{deviceName}' is a {ConfigBinder.KeyName(device.Kind.ToString())}, but role {key} needs a {ConfigBinder.KeyName(KindOf(role).ToString())}");
            roles[role] = deviceName;
        }
        if (!roles.ContainsKey(MicroscopeRole.Camera))
            throw new ConfigException(node.Location, node.KeyPath + ".camera", "is required: every microscope needs a camera role");
        return roles;
    }

    private static async Task DisposeQuietly(IAsyncDisposable d)
    {
        try
        {
            if (d is IDevice device) await device.MakeSafeAsync(CancellationToken.None).ConfigureAwait(false);
            await d.DisposeAsync().ConfigureAwait(false);
        }
        catch
        {
            // The original error is the one worth reporting.
        }
    }
}
