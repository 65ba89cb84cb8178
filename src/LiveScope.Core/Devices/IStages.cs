using LiveScope.Core.Geometry;

namespace LiveScope.Core.Devices;

/// <summary>Travel limits of a stage axis, µm.</summary>
public readonly record struct AxisLimitsUm(double MinUm, double MaxUm)
{
    public bool Contains(double um) => um >= MinUm && um <= MaxUm;
    public override string ToString() => $"[{MinUm}, {MaxUm}] µm";
}

public interface IXYStage : IDevice
{
    AxisLimitsUm XLimits { get; }
    AxisLimitsUm YLimits { get; }
    /// <summary>Time to wait after a move before imaging.</summary>
    TimeSpan SettleTime { get; }
    Task MoveToAsync(StagePositionUm target, CancellationToken ct);
    Task<StagePositionUm> GetPositionAsync(CancellationToken ct);
}

public interface IFocusStage : IDevice
{
    AxisLimitsUm Limits { get; }
    TimeSpan SettleTime { get; }
    Task MoveToAsync(double zUm, CancellationToken ct);
    Task<double> GetPositionAsync(CancellationToken ct);
}

public static class StageLimits
{
    public static void Check(string device, string axis, AxisLimitsUm limits, double um)
    {
        if (double.IsNaN(um) || !limits.Contains(um))
            throw new DeviceLimitException(device, "move", $"{axis} = {um} µm is outside the travel limits {limits}");
    }
}
