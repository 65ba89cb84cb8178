namespace LiveScope.Core.Devices;

/// <summary>One addition of a reagent to the dish, to a final concentration.</summary>
public sealed record ReagentAddition(string Reagent, double Concentration, string Unit);

/// <summary>A pump that adds reagents (insulin, metformin, H2O2). Stopping it is part of making the rig safe.</summary>
public interface ILiquidHandler : IDevice
{
    IReadOnlyList<string> Reagents { get; }
    bool IsPumping { get; }
    Task AddReagentAsync(ReagentAddition addition, CancellationToken ct);
    Task StopAsync(CancellationToken ct);
}
