using LiveScope.Core.Devices;

namespace LiveScope.Simulation.Devices;

/// <summary>
/// Shared plumbing of the simulated devices: name, kind, the session they live in, and calls bounded by
/// <see cref="DeviceCall"/> with the device's timeout.
/// </summary>
public abstract class SimulatedDevice(string name, DeviceKind kind, SimulatedSession session, TimeSpan timeout) : IDevice
{
    public string Name { get; } = name;
    public DeviceKind Kind { get; } = kind;
    public TimeSpan Timeout { get; } = timeout;
    /// <summary>The simulated microscope this device belongs to (clock, sample, ground truth, safety state).</summary>
    public SimulatedSession Session { get; } = session;

    protected Task Bounded(string operation, Func<CancellationToken, Task> call, CancellationToken ct) =>
        DeviceCall.RunAsync(Name, operation, Timeout, call, ct);

    protected Task<T> Bounded<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken ct) =>
        DeviceCall.RunAsync(Name, operation, Timeout, call, ct);

    public abstract Task MakeSafeAsync(CancellationToken ct);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
