using LiveScope.Core.Config;
using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;
using LiveScope.Core.Imaging;
using LiveScope.Core.Timing;

namespace LiveScope.Core.Tests;

/// <summary>A backend whose devices only record what was asked of them, for loader and safety tests.</summary>
internal sealed class FakeBackend : IDeviceBackend
{
    public string Name => "fake";
    public string Description => "records calls";
    public List<FakeDevice> Created { get; } = [];
    public List<string> SafetyLog { get; } = [];
    public bool Disposed { get; private set; }

    public IBackendSession Open(BackendContext context, ConfigNode? settings) => new Session(this);

    private sealed class Session(FakeBackend owner) : IBackendSession
    {
        public IMicroscopeClock? Clock => null;

        public IDevice CreateDevice(string name, DeviceKind kind, ConfigNode? settings)
        {
            var failSafe = settings?.GetBool("fail_make_safe", false) ?? false;
            FakeDevice d = kind == DeviceKind.Camera ? new FakeCamera(name, owner.SafetyLog) : new FakeDevice(name, kind, owner.SafetyLog);
            d.FailMakeSafe = failSafe;
            owner.Created.Add(d);
            return d;
        }

        public Task InitializeAsync(Microscope microscope, CancellationToken ct) => Task.CompletedTask;

        public ValueTask DisposeAsync()
        {
            owner.Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}

internal class FakeDevice(string name, DeviceKind kind, List<string> log) : IDevice,
    IXYStage, IFocusStage, IPhotoTargeter, ILightSource, IShutter, ILiquidHandler, IAutofocus
{
    public string Name { get; } = name;
    public DeviceKind Kind { get; } = kind;
    public bool FailMakeSafe { get; set; }
    public bool Disposed { get; private set; }

    public Task MakeSafeAsync(CancellationToken ct)
    {
        log.Add(Name);
        if (FailMakeSafe) throw new InvalidOperationException($"{Name} refuses");
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    // The remaining members are not exercised by these tests.
    public AxisLimitsUm XLimits => default;
    public AxisLimitsUm YLimits => default;
    public AxisLimitsUm Limits => default;
    public TimeSpan SettleTime => default;
    public Task MoveToAsync(Geometry.StagePositionUm target, CancellationToken ct) => Task.CompletedTask;
    public Task<Geometry.StagePositionUm> GetPositionAsync(CancellationToken ct) => Task.FromResult(default(Geometry.StagePositionUm));
    public Task MoveToAsync(double zUm, CancellationToken ct) => Task.CompletedTask;
    Task<double> IFocusStage.GetPositionAsync(CancellationToken ct) => Task.FromResult(0.0);
    public Geometry.AffineTransform2D CameraToTarget { get; set; }
    public double SpotDiameterPx => 1;
    public bool LaserOn => false;
    public TargetBounds TargetRange => default;
    public Task FireAtTargetAsync(Geometry.PixelPoint target, TimeSpan dwell, double powerFraction, CancellationToken ct) => Task.CompletedTask;
    public Task BleachAsync(BleachRegion region, BleachSettings settings, CancellationToken ct) => Task.CompletedTask;
    public IReadOnlyList<ChannelPreset> Channels => [];
    public ChannelPreset? ActiveChannel => null;
    public double PowerFraction => 0;
    public Task SelectChannelAsync(string channel, CancellationToken ct) => Task.CompletedTask;
    public Task SetPowerAsync(double fraction, CancellationToken ct) => Task.CompletedTask;
    public bool IsOpen => false;
    public Task SetOpenAsync(bool open, CancellationToken ct) => Task.CompletedTask;
    public IReadOnlyList<string> Reagents => [];
    public bool IsPumping => false;
    public Task AddReagentAsync(ReagentAddition addition, CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    public string Method => "fake";
    public Task<AutofocusResult> FocusAsync(CancellationToken ct) => Task.FromResult(new AutofocusResult(true, 0, 0));
}

internal sealed class FakeCamera(string name, List<string> log) : FakeDevice(name, DeviceKind.Camera, log), ICamera
{
    public int SensorWidth => 4;
    public int SensorHeight => 4;
    public int BitDepth => 16;
    public double PixelSizeUm => 0.1;
    public CameraSettings Settings { get; private set; } = new();
    public Task ApplyAsync(CameraSettings settings, CancellationToken ct) { Settings = settings; return Task.CompletedTask; }
    public Task<Frame> SnapAsync(CancellationToken ct) => throw new NotSupportedException();
    public IAsyncEnumerable<Frame> StreamAsync(int frameCount, CancellationToken ct) => throw new NotSupportedException();
}
