using LiveScope.Core.Config;
using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;
using LiveScope.Core.Imaging;
using LiveScope.Core.Timing;
using LiveScope.MicroManager.Cfg;
using LiveScope.MicroManager.Core;
using LiveScope.MicroManager.Devices;
using LiveScope.MicroManager.Jni;
using Microsoft.Extensions.Logging;

namespace LiveScope.MicroManager.Backend;

/// <summary>
/// One opened Micro-Manager backend: the hosted JVM, one MMCore with the .cfg loaded (validated first), and the
/// devices the device config lists. Disposing it unloads every Micro-Manager device.
/// </summary>
public sealed class MicroManagerSession : IBackendSession
{
    private readonly FramePool _pool;
    private readonly ILogger _log;
    private readonly TimeSpan _callTimeout;
    private readonly List<MMDevice> _devices = [];
    private int _disposed;

    private MicroManagerSession(MMCore core, MMConfigFile? configuration, FramePool pool, TimeSpan callTimeout, ILogger log)
    {
        Core = core;
        Configuration = configuration;
        _pool = pool;
        _callTimeout = callTimeout;
        _log = log;
    }

    public MMCore Core { get; }
    /// <summary>The parsed .cfg that was loaded (null when none was configured).</summary>
    public MMConfigFile? Configuration { get; }
    public MMCoreEvents Events => Core.Events;
    public IReadOnlyList<MMDevice> Devices => _devices;
    public IMicroscopeClock? Clock => null;

    /// <summary>Opens from device-config settings; every problem in them is a <see cref="ConfigException"/> at its key.</summary>
    public static MicroManagerSession Open(BackendContext context, ConfigNode? settings, ILogger log)
    {
        if (settings is null || settings.IsNull)
            throw new ConfigException(new SourceLocation(context.ConfigFile, 0, 0), "backends.micromanager",
                "is required: it names the Micro-Manager installation folder and the .cfg to load");
        var options = ConfigBinder.Bind<MicroManagerOptions>(settings);
        var installationNode = settings.Required("installation");
        var installation = Path.GetFullPath(Path.Combine(context.ConfigDirectory, options.Installation));
        if (!Directory.Exists(installation)) throw installationNode.Error($"folder '{installation}' does not exist");
        var jar = FindJar(context, options, installation)
            ?? throw installationNode.Error($"no MMCoreJ.jar in '{installation}' or its plugins/Micro-Manager folder; set mmcorej_jar");

        MMConfigFile? cfg = null;
        string? cfgPath = null;
        if (options.Config is { } cfgSetting)
        {
            // Relative to the device config; a bare name not found there is looked up in the installation (which ships MMConfig_demo.cfg).
            cfgPath = Path.GetFullPath(Path.Combine(context.ConfigDirectory, cfgSetting));
            if (!File.Exists(cfgPath) && File.Exists(Path.Combine(installation, cfgSetting)))
                cfgPath = Path.GetFullPath(Path.Combine(installation, cfgSetting));
            cfg = MMConfigParser.ParseFile(cfgPath);
            if (!cfg.IsValid)
                throw settings.Required("config").Error($"the Micro-Manager configuration has {cfg.Problems.Count} problem(s): " +
                                                        string.Join("; ", cfg.Problems));
        }
        var roles = ReadRoles(settings.Child("roles"), options.Roles);

        string jvmLibrary;
        try
        {
            var javaHome = options.JavaHome is null ? null : Path.GetFullPath(Path.Combine(context.ConfigDirectory, options.JavaHome));
            jvmLibrary = JvmLocator.Find(javaHome, installation);
        }
        catch (JvmStartException e)
        {
            throw (settings.Child("java_home") ?? settings).Error(e.Message);
        }
        var vm = JavaVm.Start(new JvmOptions { JvmLibrary = jvmLibrary, ClassPath = [jar], LibraryPath = installation });
        log.LogInformation("JVM {Library} ({State}), MMCoreJ {Jar}", jvmLibrary, vm.CreatedHere ? "started" : "already running", jar);

        var core = new MMCore(vm);
        try
        {
            log.LogInformation("{Version}; {Api}", core.GetVersionInfo(), core.GetAPIVersionInfo());
            if (cfgPath is not null)
            {
                try { core.LoadSystemConfiguration(cfgPath); }
                catch (MicroManagerException e) { throw settings.Required("config").Error("MMCore could not load it: " + e.MMCoreMessage.Trim()); }
            }
            var extras = settings.Child("load_devices");
            for (int i = 0; i < options.LoadDevices.Count; i++)
            {
                var d = options.LoadDevices[i];
                try
                {
                    core.LoadDevice(d.Label, d.Library, d.Adapter);
                    if (d.Parent is not null) core.SetParentLabel(d.Label, d.Parent);
                    core.InitializeDevice(d.Label);
                }
                catch (MicroManagerException e)
                {
                    throw extras!.Items.ElementAt(i).Error($"MMCore could not load {d.Label} ({d.Library}/{d.Adapter}): {e.MMCoreMessage.Trim()}");
                }
            }
            foreach (var (role, (label, node)) in roles)
            {
                try { core.SetRoleDevice(role, label); }
                catch (MicroManagerException e) { throw node.Error(e.MMCoreMessage.Trim()); }
            }
            return new MicroManagerSession(core, cfg, context.FramePool, TimeSpan.FromSeconds(options.CallTimeoutS), log);
        }
        catch
        {
            core.Dispose();
            throw;
        }
    }

    private static string? FindJar(BackendContext context, MicroManagerOptions options, string installation)
    {
        if (options.MmcorejJar is { } explicitJar)
        {
            var path = Path.GetFullPath(Path.Combine(context.ConfigDirectory, explicitJar));
            return File.Exists(path) ? path : null;
        }
        foreach (var candidate in new[] { Path.Combine(installation, "MMCoreJ.jar"), Path.Combine(installation, "plugins", "Micro-Manager", "MMCoreJ.jar") })
            if (File.Exists(candidate)) return candidate;
        return null;
    }

    private static readonly Dictionary<string, CoreRole> RoleKeys = new()
    {
        ["camera"] = CoreRole.Camera,
        ["shutter"] = CoreRole.Shutter,
        ["focus"] = CoreRole.Focus,
        ["xy_stage"] = CoreRole.XYStage,
        ["auto_focus"] = CoreRole.AutoFocus,
        ["galvo"] = CoreRole.Galvo,
        ["slm"] = CoreRole.SLM,
    };

    private static Dictionary<CoreRole, (string Label, ConfigNode Node)> ReadRoles(ConfigNode? node, Dictionary<string, string> roles)
    {
        var result = new Dictionary<CoreRole, (string, ConfigNode)>();
        if (node is null) return result;
        node.RejectUnknownKeys(RoleKeys.Keys.ToArray());
        foreach (var (key, value) in node.Entries) result[RoleKeys[key]] = (roles[key], value);
        return result;
    }

    // ---- devices ------------------------------------------------------------------------------------------------

    public IDevice CreateDevice(string name, DeviceKind kind, ConfigNode? settings)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        MMDevice device = kind switch
        {
            DeviceKind.Camera => Camera(name, settings),
            DeviceKind.XYStage => XYStage(name, settings),
            DeviceKind.FocusStage => Focus(name, settings),
            DeviceKind.Shutter => new MMShutter(name, Label(name, kind, ConfigBinder.Bind<MMLabelSettings>(settings).Label, settings), Core, _callTimeout),
            DeviceKind.Autofocus => new MMAutofocus(name, Label(name, kind, ConfigBinder.Bind<MMLabelSettings>(settings).Label, settings), Core, _callTimeout),
            DeviceKind.LightSource => LightSource(name, settings),
            DeviceKind.PhotoTargeter => Galvo(name, settings),
            _ => throw new ConfigException(settings?.Location ?? new SourceLocation("", 0, 0), settings?.KeyPath ?? "",
                $"the micromanager backend has no {ConfigBinder.KeyName(kind.ToString())} devices"),
        };
        _devices.Add(device);
        _log.LogInformation("Micro-Manager device {Device}", device);
        return device;
    }

    private MMCamera Camera(string name, ConfigNode? settings)
    {
        var s = ConfigBinder.Bind<MMCameraSettings>(settings);
        var label = Label(name, DeviceKind.Camera, s.Label, settings);
        return new MMCamera(name, label, Core, _callTimeout, _pool,
            new MMCameraOptions { PixelType = s.PixelType, PixelSizeUm = s.PixelSizeUm, StreamQueueFrames = s.StreamQueueFrames });
    }

    private MMXYStage XYStage(string name, ConfigNode? settings)
    {
        var s = ConfigBinder.Bind<MMXYStageSettings>(settings);
        return new MMXYStage(name, Label(name, DeviceKind.XYStage, s.Label, settings), Core, _callTimeout,
            new MMStageOptions { MinUm = s.XMinUm, MaxUm = s.XMaxUm, SettleMs = s.SettleMs },
            new MMStageOptions { MinUm = s.YMinUm, MaxUm = s.YMaxUm, SettleMs = s.SettleMs });
    }

    private MMFocusStage Focus(string name, ConfigNode? settings)
    {
        var s = ConfigBinder.Bind<MMFocusSettings>(settings);
        return new MMFocusStage(name, Label(name, DeviceKind.FocusStage, s.Label, settings), Core, _callTimeout,
            new MMStageOptions { MinUm = s.MinUm, MaxUm = s.MaxUm, SettleMs = s.SettleMs });
    }

    private MMGalvoTargeter Galvo(string name, ConfigNode? settings)
    {
        var s = ConfigBinder.Bind<MMGalvoSettings>(settings);
        return new MMGalvoTargeter(name, Label(name, DeviceKind.PhotoTargeter, s.Label, settings), Core, _callTimeout,
            new MMGalvoOptions { SpotDiameterPx = s.SpotDiameterPx, UsePolygons = s.UsePolygons, Power = s.Power });
    }

    private MMLightSource LightSource(string name, ConfigNode? settings)
    {
        var s = ConfigBinder.Bind<MMLightSourceSettings>(settings);
        var groups = Core.GetAvailableConfigGroups();
        var group = s.Group ?? (Core.GetChannelGroup() is { Length: > 0 } g ? g : groups.Contains("Channel") ? "Channel" : null);
        var at = settings?.Child("group") ?? settings;
        if (group is null || !groups.Contains(group))
            throw Error(at, $"no configuration group '{group}'{Suggest.DidYouMean(group ?? "", groups)}; groups: {string.Join(", ", groups)}");
        var presets = Core.GetAvailableConfigs(group);
        var fromCfg = Configuration?.Channels(group, s.ExposureMs).ToDictionary(c => c.Name) ?? [];
        foreach (var key in s.Channels.Keys.Where(k => !presets.Contains(k)))
            throw Error(settings!.Required("channels").Required(key), $"group '{group}' has no preset '{key}'; presets: {string.Join(", ", presets)}");
        var channels = presets.Select(p =>
        {
            var c = fromCfg.GetValueOrDefault(p) ?? new ChannelPreset(p, 0, "", 1.0, s.ExposureMs);
            if (s.Channels.TryGetValue(p, out var o))
                c = c with
                {
                    ExcitationNm = o.ExcitationNm ?? c.ExcitationNm,
                    EmissionFilter = o.EmissionFilter ?? c.EmissionFilter,
                    ExposureMs = o.ExposureMs ?? c.ExposureMs,
                };
            return c;
        }).ToList();
        return new MMLightSource(name, group, Core, _callTimeout, channels, s.Power);
    }

    private static ConfigException Error(ConfigNode? node, string problem) =>
        node?.Error(problem) ?? new ConfigException(new SourceLocation("", 0, 0), "", problem);

    private static readonly Dictionary<DeviceKind, (string Type, CoreRole? Role)> Types = new()
    {
        [DeviceKind.Camera] = ("CameraDevice", CoreRole.Camera),
        [DeviceKind.XYStage] = ("XYStageDevice", CoreRole.XYStage),
        [DeviceKind.FocusStage] = ("StageDevice", CoreRole.Focus),
        [DeviceKind.Shutter] = ("ShutterDevice", CoreRole.Shutter),
        [DeviceKind.Autofocus] = ("AutoFocusDevice", CoreRole.AutoFocus),
        [DeviceKind.PhotoTargeter] = ("GalvoDevice", CoreRole.Galvo),
    };

    /// <summary>The Micro-Manager label for a device: explicit, else Core's role, else same name, else the only one of its type.</summary>
    private string Label(string name, DeviceKind kind, string? label, ConfigNode? settings)
    {
        var (type, role) = Types[kind];
        var loaded = Core.GetLoadedDevices();
        var ofType = loaded.Where(l => l != "Core" && Core.GetDeviceType(l) == type).ToList();
        if (label is not null)
        {
            var at = settings!.Required("label");
            if (!loaded.Contains(label))
                throw at.Error($"Micro-Manager has no device '{label}'{Suggest.DidYouMean(label, loaded)}; loaded: {string.Join(", ", loaded)}");
            if (!ofType.Contains(label))
                throw at.Error($"Micro-Manager device '{label}' is a {Core.GetDeviceType(label)}, not a {type}");
            return label;
        }
        if (role is { } r && Core.GetRoleDevice(r) is { Length: > 0 } byRole) return byRole;
        if (ofType.Contains(name)) return name;
        if (ofType.Count == 1) return ofType[0];
        throw Error(settings, $"cannot tell which Micro-Manager {type} '{name}' is; set settings.label to one of: " +
                              (ofType.Count == 0 ? "(none loaded)" : string.Join(", ", ofType)));
    }

    public Task InitializeAsync(Microscope microscope, CancellationToken ct)
    {
        foreach (var d in _devices) d.Clock = microscope.Clock;
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return ValueTask.CompletedTask;
        try
        {
            Core.Dispose();
        }
        catch (Exception e)
        {
            _log.LogError(e, "Closing MMCore failed");
        }
        return ValueTask.CompletedTask;
    }
}
