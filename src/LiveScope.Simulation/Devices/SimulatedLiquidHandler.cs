using LiveScope.Core.Devices;
using LiveScope.Simulation.Options;

namespace LiveScope.Simulation.Devices;

/// <summary>
/// A pump that adds reagents to the dish. An addition pumps for the configured time of simulated time; once it is in,
/// the sample's condition changes from that moment on (insulin nM, metformin mM, H2O2 µM; other units are converted).
/// </summary>
public sealed class SimulatedLiquidHandler(string name, SimulatedSession session, SimLiquidHandlerOptions options)
    : SimulatedDevice(name, DeviceKind.LiquidHandler, session, TimeSpan.FromMilliseconds(options.TimeoutMs)), ILiquidHandler
{
    private CancellationTokenSource _stop = new();
    private int _pumping;

    public IReadOnlyList<string> Reagents { get; } = options.Reagents.ToArray();
    public bool IsPumping => Volatile.Read(ref _pumping) != 0;
    public int Additions { get; private set; }

    public Task AddReagentAsync(ReagentAddition addition, CancellationToken ct) => Bounded("add reagent", async token =>
    {
        if (!Reagents.Contains(addition.Reagent, StringComparer.OrdinalIgnoreCase))
            throw new DeviceLimitException(Name, "add reagent", $"'{addition.Reagent}' is not loaded; loaded: {string.Join(", ", Reagents)}");
        double concentration = ToReagentUnit(addition);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, _stop.Token);
        Volatile.Write(ref _pumping, 1);
        try
        {
            await Session.Clock.AdvanceAsync(TimeSpan.FromSeconds(options.PumpDurationS), linked.Token).ConfigureAwait(false);
            lock (Session.Gate)
            {
                var sample = Session.Sample;
                double now = Session.Clock.Now.TotalSeconds;
                sample.AdvanceTo(now);
                sample.AddReagent(addition.Reagent, concentration);
            }
            Additions++;
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            throw new DeviceException(Name, "add reagent", "the pump was stopped before the addition was complete");
        }
        finally
        {
            Volatile.Write(ref _pumping, 0);
        }
    }, ct);

    /// <summary>Converts to the unit the sample model uses for the reagent: insulin nM, metformin mM, H2O2 µM.</summary>
    private double ToReagentUnit(ReagentAddition a)
    {
        double molar = a.Unit.Trim() switch
        {
            "pM" => 1e-12,
            "nM" => 1e-9,
            "uM" or "µM" or "μM" => 1e-6,
            "mM" => 1e-3,
            "M" => 1,
            _ => throw new DeviceLimitException(Name, "add reagent", $"unknown concentration unit '{a.Unit}'; use pM, nM, µM, mM or M"),
        };
        double target = a.Reagent.ToLowerInvariant() switch
        {
            "insulin" => 1e-9,
            "metformin" => 1e-3,
            "h2o2" => 1e-6,
            _ => molar,
        };
        if (!(a.Concentration >= 0)) throw new DeviceLimitException(Name, "add reagent", "concentration must be ≥ 0");
        return a.Concentration * molar / target;
    }

    public Task StopAsync(CancellationToken ct)
    {
        StopPump();
        return Task.CompletedTask;
    }

    private void StopPump()
    {
        var stop = Interlocked.Exchange(ref _stop, new CancellationTokenSource());
        stop.Cancel();
        stop.Dispose();
        Volatile.Write(ref _pumping, 0);
    }

    public override Task MakeSafeAsync(CancellationToken ct)
    {
        Session.CountMakeSafe();
        StopPump();
        return Task.CompletedTask;
    }
}
