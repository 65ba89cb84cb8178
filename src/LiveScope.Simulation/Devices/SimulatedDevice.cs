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

    /// <summary>
    /// Runs <paramref name="call"/> bounded by <see cref="DeviceCall"/>. DeviceCall returns as soon as the caller's
    /// token fires or the timeout passes; the simulated operation then stops at its next await, and we wait for that
    /// (briefly) before returning, so no call ever returns while its laser, shutter or pump is still on.
    /// </summary>
    protected async Task Bounded(string operation, Func<CancellationToken, Task> call, CancellationToken ct)
    {
        Task? inner = null;
        try
        {
            await DeviceCall.RunAsync(Name, operation, Timeout, token => inner = call(token), ct).ConfigureAwait(false);
        }
        finally
        {
            if (inner is { IsCompleted: false }) await DrainAsync(inner).ConfigureAwait(false);
        }
    }

    protected async Task<T> Bounded<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        Task<T>? inner = null;
        bool returned = false;
        try
        {
            var result = await DeviceCall.RunAsync(Name, operation, Timeout, token => inner = call(token), ct).ConfigureAwait(false);
            returned = true;
            return result;
        }
        finally
        {
            if (!returned && inner is not null)
            {
                await DrainAsync(inner).ConfigureAwait(false);
                // A frame that arrived after the caller gave up goes back to its pool.
                if (inner.IsCompletedSuccessfully && inner.Result is IDisposable orphan) orphan.Dispose();
            }
        }
    }

    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    private static async Task DrainAsync(Task inner)
    {
        try
        {
            await inner.WaitAsync(DrainLimit).ConfigureAwait(false);
        }
        catch
        {
            // The caller already has the DeviceCall's exception; this only waits for the operation to stop.
        }
    }

    public abstract Task MakeSafeAsync(CancellationToken ct);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
