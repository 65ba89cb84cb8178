using LiveScope.Core.Config;
using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;
using LiveScope.Core.Timing;
using LiveScope.Simulation.Devices;
using LiveScope.Simulation.Options;
using LiveScope.Simulation.Random;
using LiveScope.Simulation.Rendering;
using LiveScope.Simulation.Sample;
using LiveScope.Simulation.Timing;
using LiveScope.Simulation.Truth;
using Microsoft.Extensions.Logging;

namespace LiveScope.Simulation;

/// <summary>
/// One opened simulated microscope: the simulated clock, the virtual sample and the devices that act on it.
/// Devices find each other through the session (the camera reads the stages, the light and the shutter; the
/// photo-targeter paints its reflection into the camera's next frame). All access to the sample goes through
/// <see cref="Gate"/>, so devices driven from different tasks never see it half-updated.
/// </summary>
public sealed class SimulatedSession : IBackendSession
{
    private readonly List<SimulatedDevice> _devices = [];
    private readonly List<(double OffsetXUm, double OffsetYUm, double SigmaUm, double Photons)> _reflections = [];
    private readonly List<double> _focusWalk = [0];
    private Xoshiro _focusRandom;
    private int _makeSafeCalls;

    public SimulatedSession(SimulationOptions options, BackendContext context)
    {
        Options = options;
        Context = context;
        Clock = new SimulatedClock(options.TimeScale);
        Sample = new VirtualSample(options);
        Faults = new FaultInjector(options.Faults, options.Seed);
        _focusRandom = new Xoshiro((ulong)options.Seed, 3);
        Log = context.LoggerFactory.CreateLogger<SimulatedSession>();
    }

    public SimulationOptions Options { get; }
    public BackendContext Context { get; }
    public SimulatedClock Clock { get; }
    IMicroscopeClock? IBackendSession.Clock => Clock;
    public VirtualSample Sample { get; }
    public FaultInjector Faults { get; }
    public GroundTruthFeed GroundTruth { get; } = new();
    public object Gate { get; } = new();
    public MicroscopeLimits Limits { get; private set; } = new();
    internal ILogger Log { get; }

    public SimulatedCamera? Camera { get; private set; }
    public SimulatedXYStage? XYStage { get; private set; }
    public SimulatedFocusStage? Focus { get; private set; }
    public SimulatedPhotoTargeter? PhotoTargeter { get; private set; }
    public SimulatedLightSource? LightSource { get; private set; }
    public SimulatedShutter? Shutter { get; private set; }
    public SimulatedLiquidHandler? LiquidHandler { get; private set; }
    public IReadOnlyList<SimulatedDevice> Devices => _devices;

    public IDevice CreateDevice(string name, DeviceKind kind, ConfigNode? settings)
    {
        SimulatedDevice device = kind switch
        {
            DeviceKind.Camera => Camera ??= new SimulatedCamera(name, this, ConfigBinder.Bind<SimCameraOptions>(settings)),
            DeviceKind.XYStage => XYStage ??= new SimulatedXYStage(name, this, ConfigBinder.Bind<SimXYStageOptions>(settings)),
            DeviceKind.FocusStage => Focus ??= new SimulatedFocusStage(name, this, ConfigBinder.Bind<SimFocusStageOptions>(settings)),
            DeviceKind.PhotoTargeter => PhotoTargeter ??= new SimulatedPhotoTargeter(name, this, ConfigBinder.Bind<SimPhotoTargeterOptions>(settings)),
            DeviceKind.LightSource => LightSource ??= new SimulatedLightSource(name, this, ConfigBinder.Bind<SimLightSourceOptions>(settings)),
            DeviceKind.Shutter => Shutter ??= new SimulatedShutter(name, this, ConfigBinder.Bind<SimShutterOptions>(settings)),
            DeviceKind.LiquidHandler => LiquidHandler ??= new SimulatedLiquidHandler(name, this, ConfigBinder.Bind<SimLiquidHandlerOptions>(settings)),
            DeviceKind.Autofocus => new SimulatedAutofocus(name, this, ConfigBinder.Bind<SimAutofocusOptions>(settings)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        if (_devices.Contains(device))
            throw (settings?.Error($"the simulated backend models one {ConfigBinder.KeyName(kind.ToString())}; '{name}' would be a second")
                   ?? new ConfigException(new SourceLocation(Context.ConfigFile, 0, 0), name,
                       $"the simulated backend models one {ConfigBinder.KeyName(kind.ToString())}"));
        _devices.Add(device);
        return device;
    }

    public Task InitializeAsync(Microscope microscope, CancellationToken ct)
    {
        Limits = microscope.Limits;
        return Task.CompletedTask;
    }

    /// <summary>Stage x, y (µm) the camera sees: the XY stage's position, or (0, 0) without one.</summary>
    public (double XUm, double YUm) StagePosition => XYStage is { } xy ? (xy.Position.XUm, xy.Position.YUm) : (0, 0);

    /// <summary>Focus stage z, µm; without a focus stage the sample sits in its focal plane.</summary>
    public double StageZUm => Focus?.PositionUm ?? Options.Sample.FocusPlaneUm;

    /// <summary>
    /// Where the cells are in focus at a simulated time, µm: the configured plane, plus a steady drift and a seeded
    /// random walk (one step per simulated minute, interpolated) when drift is enabled.
    /// </summary>
    public double FocalPlaneUm(double timeS)
    {
        var o = Options.Optics;
        double plane = Options.Sample.FocusPlaneUm;
        if (!o.FocusDrift || timeS <= 0) return plane;
        double minutes = timeS / 60;
        int whole = (int)Math.Floor(minutes);
        while (_focusWalk.Count < whole + 2)
            _focusWalk.Add(_focusWalk[^1] + o.FocusJitterUmPerSqrtMin * _focusRandom.NextGaussian());
        double walk = _focusWalk[whole] + (_focusWalk[whole + 1] - _focusWalk[whole]) * (minutes - whole);
        return plane + o.FocusDriftUmPerMin * minutes + walk;
    }

    /// <summary>How strongly a channel excites GFP: a Gaussian around the excitation peak.</summary>
    public double ExcitationEfficiency(double excitationNm)
    {
        var p = Options.Photophysics;
        double d = (excitationNm - p.ExcitationPeakNm) / p.ExcitationWidthNm;
        return Math.Exp(-0.5 * d * d);
    }

    /// <summary>Queues a laser reflection for the camera's next frame, at an offset from the optical axis (µm).</summary>
    internal void AddReflection(double offsetXUm, double offsetYUm, double sigmaUm, double photons)
    {
        lock (_reflections) _reflections.Add((offsetXUm, offsetYUm, sigmaUm, photons));
    }

    /// <summary>Moves pending reflections into <paramref name="into"/> as spots of the given field of view; returns how many.</summary>
    internal int TakeReflections(FieldOfView fov, double stageXUm, double stageYUm, Span<SpotKernel> into)
    {
        lock (_reflections)
        {
            int n = Math.Min(into.Length, _reflections.Count);
            for (int i = 0; i < n; i++)
            {
                var r = _reflections[i];
                into[i] = new SpotKernel
                {
                    XPx = (float)fov.ToPixelX(stageXUm + r.OffsetXUm),
                    YPx = (float)fov.ToPixelY(stageYUm + r.OffsetYUm),
                    SigmaPx = (float)Math.Max(0.3, r.SigmaUm / fov.PixelUm),
                    Photons = (float)r.Photons,
                };
            }
            _reflections.Clear();
            return n;
        }
    }

    internal void CountMakeSafe() => Interlocked.Increment(ref _makeSafeCalls);

    /// <summary>What the rig is doing that matters for safety.</summary>
    public SafetyState Safety => new(
        PhotoTargeter?.LaserOn ?? false,
        Shutter?.IsOpen ?? false,
        LiquidHandler?.IsPumping ?? false,
        Camera?.IsStreaming ?? false,
        LightSource?.PowerFraction ?? 0,
        Volatile.Read(ref _makeSafeCalls),
        PhotoTargeter?.Firings ?? 0);

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _devices) await d.DisposeAsync().ConfigureAwait(false);
    }
}
