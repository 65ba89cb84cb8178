namespace LiveScope.Core.Devices;

/// <summary>
/// Bounds a device call in time. The token is passed on so cooperative drivers stop early, and the wait itself
/// is bounded too, so a driver stuck in native code cannot hang the run.
/// </summary>
public static class DeviceCall
{
    public static async Task RunAsync(string device, string operation, TimeSpan timeout,
        Func<CancellationToken, Task> call, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        linked.CancelAfter(timeout);
        try
        {
            await call(linked.Token).WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new DeviceTimeoutException(device, operation, timeout);
        }
    }

    public static async Task<T> RunAsync<T>(string device, string operation, TimeSpan timeout,
        Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        linked.CancelAfter(timeout);
        try
        {
            return await call(linked.Token).WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new DeviceTimeoutException(device, operation, timeout);
        }
    }
}
