using LiveScope.Core.Devices;
using LiveScope.Core.Timing;
using LiveScope.MicroManager.Core;

namespace LiveScope.MicroManager.Devices;

/// <summary>
/// What every Micro-Manager device shares: its LiveScope name, its Micro-Manager label, the core, and how calls
/// run — on a pool thread (JNI calls block) with a timeout, so a stuck adapter cannot hang a run.
/// </summary>
public abstract class MMDevice : IDevice
{
    protected MMDevice(string name, string label, MMCore core, TimeSpan callTimeout)
    {
        Name = name;
        Label = label;
        Core = core;
        CallTimeout = callTimeout;
    }

    public string Name { get; }
    /// <summary>The device's label in the Micro-Manager configuration.</summary>
    public string Label { get; }
    public abstract DeviceKind Kind { get; }
    public MMCore Core { get; }
    public TimeSpan CallTimeout { get; }
    /// <summary>The microscope clock (set when the microscope is assembled); stamps frames.</summary>
    public IMicroscopeClock Clock { get; internal set; } = new SystemClock();

    // The pool thread stays attached to the JVM for the whole operation (one attach/detach, however many MMCore
    // calls it makes) and is detached before it goes back to the pool.
    protected Task RunAsync(string operation, Action call, CancellationToken ct, TimeSpan? timeout = null) =>
        RunAsync(operation, _ => call(), ct, timeout);

    /// <summary>
    /// For long operations (a bleach raster): the call gets the token that is cancelled on cancel or timeout, and must
    /// check it between steps, since returning from the wait does not stop a thread already inside MMCore.
    /// </summary>
    protected Task RunAsync(string operation, Action<CancellationToken> call, CancellationToken ct, TimeSpan? timeout = null) =>
        DeviceCall.RunAsync(Name, operation, timeout ?? CallTimeout, token => Task.Run(() =>
        {
            using var attached = Core.Vm.Enter(4);
            call(token);
        }, CancellationToken.None), ct);

    protected async Task<T> RunAsync<T>(string operation, Func<T> call, CancellationToken ct, TimeSpan? timeout = null)
    {
        Task<T>? inner = null;
        try
        {
            return await DeviceCall.RunAsync(Name, operation, timeout ?? CallTimeout, _ => inner = Task.Run(() =>
            {
                using var attached = Core.Vm.Enter(4);
                return call();
            }, CancellationToken.None), ct).ConfigureAwait(false);
        }
        catch when (inner is { IsCompleted: false })
        {
            // Given up on (timeout, cancel) while MMCore still works: what it returns later (a pooled frame) is
            // nobody's, so it is disposed when it arrives.
            _ = inner.ContinueWith(static t => (t.Result as IDisposable)?.Dispose(), CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
    }

    public abstract Task MakeSafeAsync(CancellationToken ct);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"{Name} ({Kind}, Micro-Manager '{Label}')";
}
