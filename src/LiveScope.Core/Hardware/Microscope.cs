using LiveScope.Core.Devices;
using LiveScope.Core.Imaging;
using LiveScope.Core.Timing;
using Microsoft.Extensions.Logging;

namespace LiveScope.Core.Hardware;

/// <summary>The parts a protocol addresses; device configs map each to a device name under <c>roles:</c>.</summary>
public enum MicroscopeRole
{
    Camera,
    XYStage,
    Focus,
    PhotoTargeter,
    LightSource,
    Shutter,
    LiquidHandler,
    Autofocus,
}

/// <summary>Safety limits of a rig, from the device config; protocols are validated against them before anything moves.</summary>
public sealed record MicroscopeLimits
{
    public double MaxExposureMs { get; init; } = 10_000;
    /// <summary>Highest imaging light power, as a fraction of the source's maximum.</summary>
    public double MaxLightPowerFraction { get; init; } = 1.0;
    /// <summary>Highest FRAP laser power, as a fraction of the laser's maximum.</summary>
    public double MaxBleachPowerFraction { get; init; } = 1.0;
    public double MaxBleachDwellMs { get; init; } = 1_000;
}

/// <summary>
/// The set of devices one device-config file names, with their roles and the clock they run on.
/// Disposing it makes every device safe first (laser off, shutters closed, pump stopped), whatever failed before.
/// </summary>
public sealed class Microscope : IAsyncDisposable
{
    private static readonly TimeSpan MakeSafeTimeout = TimeSpan.FromSeconds(5);
    private readonly IReadOnlyList<IBackendSession> _sessions;
    private readonly ILogger _log;
    private int _disposed;

    public Microscope(string name, string configFile, IMicroscopeClock clock, FramePool framePool,
        IReadOnlyDictionary<string, IDevice> devices, IReadOnlyDictionary<MicroscopeRole, string> roles,
        MicroscopeLimits limits, IReadOnlyList<IBackendSession> sessions, ILogger log)
    {
        Name = name;
        ConfigFile = configFile;
        Clock = clock;
        FramePool = framePool;
        Devices = devices;
        Roles = roles;
        Limits = limits;
        _sessions = sessions;
        _log = log;
        Camera = Role<ICamera>(MicroscopeRole.Camera) ?? throw new ArgumentException("a microscope needs a camera role");
    }

    public string Name { get; }
    public string ConfigFile { get; }
    public IMicroscopeClock Clock { get; }
    public FramePool FramePool { get; }
    public IReadOnlyDictionary<string, IDevice> Devices { get; }
    public IReadOnlyDictionary<MicroscopeRole, string> Roles { get; }
    public MicroscopeLimits Limits { get; }

    public ICamera Camera { get; }
    public IXYStage? XYStage => Role<IXYStage>(MicroscopeRole.XYStage);
    public IFocusStage? Focus => Role<IFocusStage>(MicroscopeRole.Focus);
    public IPhotoTargeter? PhotoTargeter => Role<IPhotoTargeter>(MicroscopeRole.PhotoTargeter);
    public ILightSource? LightSource => Role<ILightSource>(MicroscopeRole.LightSource);
    public IShutter? Shutter => Role<IShutter>(MicroscopeRole.Shutter);
    public ILiquidHandler? LiquidHandler => Role<ILiquidHandler>(MicroscopeRole.LiquidHandler);
    public IAutofocus? Autofocus => Role<IAutofocus>(MicroscopeRole.Autofocus);

    private T? Role<T>(MicroscopeRole role) where T : class, IDevice =>
        Roles.TryGetValue(role, out var name) ? Devices[name] as T : null;

    /// <summary>The order hazards are removed in: light that can hurt first, then flow, then the rest.</summary>
    private static int SafetyOrder(IDevice d) => d.Kind switch
    {
        DeviceKind.PhotoTargeter => 0,
        DeviceKind.Shutter => 1,
        DeviceKind.LightSource => 2,
        DeviceKind.LiquidHandler => 3,
        DeviceKind.Camera => 4,
        _ => 5,
    };

    /// <summary>
    /// Makes every device safe, each bounded by a timeout, continuing past failures; returns what failed so the
    /// caller can report it. Never throws and is not cancellable: this is what runs when everything else went wrong.
    /// </summary>
    public async Task<IReadOnlyList<Exception>> MakeSafeAsync()
    {
        var failures = new List<Exception>();
        foreach (var device in Devices.Values.OrderBy(SafetyOrder))
        {
            try
            {
                await DeviceCall.RunAsync(device.Name, "make safe", MakeSafeTimeout, device.MakeSafeAsync, CancellationToken.None)
                    .ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _log.LogError(e, "Could not make {Device} safe", device.Name);
                failures.Add(e);
            }
        }
        return failures;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await MakeSafeAsync().ConfigureAwait(false);
        foreach (var device in Devices.Values)
        {
            try { await device.DisposeAsync().ConfigureAwait(false); }
            catch (Exception e) { _log.LogError(e, "Disposing {Device} failed", device.Name); }
        }
        foreach (var session in _sessions)
        {
            try { await session.DisposeAsync().ConfigureAwait(false); }
            catch (Exception e) { _log.LogError(e, "Closing a device backend failed"); }
        }
    }
}
