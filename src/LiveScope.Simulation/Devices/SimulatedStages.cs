using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Simulation.Options;

namespace LiveScope.Simulation.Devices;

/// <summary>An XY stage over the virtual sample: a move takes distance/speed plus settle time of simulated time.</summary>
public sealed class SimulatedXYStage(string name, SimulatedSession session, SimXYStageOptions options)
    : SimulatedDevice(name, DeviceKind.XYStage, session, TimeSpan.FromMilliseconds(options.TimeoutMs)), IXYStage
{
    private StagePositionUm _position = new(options.StartXUm, options.StartYUm);

    public AxisLimitsUm XLimits { get; } = new(options.MinXUm, options.MaxXUm);
    public AxisLimitsUm YLimits { get; } = new(options.MinYUm, options.MaxYUm);
    public TimeSpan SettleTime { get; } = TimeSpan.FromMilliseconds(options.SettleMs);
    public StagePositionUm Position => _position;
    public int Moves { get; private set; }

    public Task MoveToAsync(StagePositionUm target, CancellationToken ct) => Bounded("move", async token =>
    {
        StageLimits.Check(Name, "x", XLimits, target.XUm);
        StageLimits.Check(Name, "y", YLimits, target.YUm);
        if (Session.Faults.StageFails()) throw new TransientDeviceException(Name, "move", "simulated stage error (fault injection)");
        double distance = Math.Sqrt(Math.Pow(target.XUm - _position.XUm, 2) + Math.Pow(target.YUm - _position.YUm, 2));
        await Session.Clock.AdvanceAsync(TimeSpan.FromSeconds(distance / options.SpeedUmPerS) + SettleTime, token).ConfigureAwait(false);
        _position = target;
        Moves++;
    }, ct);

    public Task<StagePositionUm> GetPositionAsync(CancellationToken ct) => Task.FromResult(_position);

    public override Task MakeSafeAsync(CancellationToken ct)
    {
        Session.CountMakeSafe();
        return Task.CompletedTask;
    }
}

/// <summary>A focus drive: moving it changes the defocus of every following frame.</summary>
public sealed class SimulatedFocusStage(string name, SimulatedSession session, SimFocusStageOptions options)
    : SimulatedDevice(name, DeviceKind.FocusStage, session, TimeSpan.FromMilliseconds(options.TimeoutMs)), IFocusStage
{
    private double _z = options.StartUm;

    public AxisLimitsUm Limits { get; } = new(options.MinUm, options.MaxUm);
    public TimeSpan SettleTime { get; } = TimeSpan.FromMilliseconds(options.SettleMs);
    public double PositionUm => Volatile.Read(ref _z);

    public Task MoveToAsync(double zUm, CancellationToken ct) => Bounded("move", async token =>
    {
        StageLimits.Check(Name, "z", Limits, zUm);
        if (Session.Faults.StageFails()) throw new TransientDeviceException(Name, "move", "simulated stage error (fault injection)");
        double distance = Math.Abs(zUm - _z);
        await Session.Clock.AdvanceAsync(TimeSpan.FromSeconds(distance / options.SpeedUmPerS) + SettleTime, token).ConfigureAwait(false);
        Volatile.Write(ref _z, zUm);
    }, ct);

    public Task<double> GetPositionAsync(CancellationToken ct) => Task.FromResult(PositionUm);

    public override Task MakeSafeAsync(CancellationToken ct)
    {
        Session.CountMakeSafe();
        return Task.CompletedTask;
    }
}
