using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.MicroManager.Core;

namespace LiveScope.MicroManager.Devices;

/// <summary>Travel limits and settle time of a stage; Micro-Manager's adapters do not report limits reliably.</summary>
public sealed record MMStageOptions
{
    public double MinUm { get; init; } = -50_000;
    public double MaxUm { get; init; } = 50_000;
    public double SettleMs { get; init; } = 0;
}

/// <summary>A Micro-Manager XY stage (setXYPosition / getXYPosition, waiting for the device after a move).</summary>
public sealed class MMXYStage(string name, string label, MMCore core, TimeSpan callTimeout, MMStageOptions xLimits, MMStageOptions yLimits)
    : MMDevice(name, label, core, callTimeout), IXYStage
{
    public override DeviceKind Kind => DeviceKind.XYStage;
    public AxisLimitsUm XLimits { get; } = new(xLimits.MinUm, xLimits.MaxUm);
    public AxisLimitsUm YLimits { get; } = new(yLimits.MinUm, yLimits.MaxUm);
    public TimeSpan SettleTime { get; } = TimeSpan.FromMilliseconds(Math.Max(xLimits.SettleMs, yLimits.SettleMs));

    public Task MoveToAsync(StagePositionUm target, CancellationToken ct)
    {
        StageLimits.Check(Name, "x", XLimits, target.XUm);
        StageLimits.Check(Name, "y", YLimits, target.YUm);
        return RunAsync("move", () =>
        {
            Core.SetXYPosition(Label, target.XUm, target.YUm);
            Core.WaitForDevice(Label);
        }, ct);
    }

    public Task<StagePositionUm> GetPositionAsync(CancellationToken ct) =>
        RunAsync("read position", () =>
        {
            var (x, y) = Core.GetXYPosition(Label);
            return new StagePositionUm(x, y);
        }, ct);

    public override Task MakeSafeAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>A Micro-Manager focus (Z) stage (setPosition / getPosition).</summary>
public sealed class MMFocusStage(string name, string label, MMCore core, TimeSpan callTimeout, MMStageOptions limits)
    : MMDevice(name, label, core, callTimeout), IFocusStage
{
    public override DeviceKind Kind => DeviceKind.FocusStage;
    public AxisLimitsUm Limits { get; } = new(limits.MinUm, limits.MaxUm);
    public TimeSpan SettleTime { get; } = TimeSpan.FromMilliseconds(limits.SettleMs);

    public Task MoveToAsync(double zUm, CancellationToken ct)
    {
        StageLimits.Check(Name, "z", Limits, zUm);
        return RunAsync("move", () =>
        {
            Core.SetPosition(Label, zUm);
            Core.WaitForDevice(Label);
        }, ct);
    }

    public Task<double> GetPositionAsync(CancellationToken ct) => RunAsync("read position", () => Core.GetPosition(Label), ct);

    public override Task MakeSafeAsync(CancellationToken ct) => Task.CompletedTask;
}
