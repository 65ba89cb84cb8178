using LiveScope.Core.Devices;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace LiveScope.Acquisition.Engine;

public sealed record ResilienceOptions
{
    public int MaxRetries { get; init; } = 3;
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(50);
    /// <summary>Upper bound on one device operation including its retries.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public double BreakFailureRatio { get; init; } = 0.5;
    public int BreakMinimumThroughput { get; init; } = 8;
    public TimeSpan BreakSamplingDuration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Polly pipelines per device kind: retry with exponential backoff for transient faults (timeouts, dropped frames),
/// a circuit breaker so a dead device stops being hammered, and an overall timeout. The photo-targeter and the liquid
/// handler are never retried: a repeated bleach or a second dose would change the experiment.
/// </summary>
public sealed class DeviceResilience
{
    private readonly Dictionary<DeviceKind, ResiliencePipeline> _pipelines = new();

    public DeviceResilience(ResilienceOptions options, ILogger log, Action<DeviceKind, Exception, int>? onRetry = null)
    {
        foreach (var kind in Enum.GetValues<DeviceKind>())
        {
            var builder = new ResiliencePipelineBuilder().AddTimeout(options.OperationTimeout);
            if (kind is not (DeviceKind.PhotoTargeter or DeviceKind.LiquidHandler))
                builder.AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder().Handle<TransientDeviceException>(),
                    MaxRetryAttempts = options.MaxRetries,
                    Delay = options.FirstRetryDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    OnRetry = args =>
                    {
                        log.LogWarning(args.Outcome.Exception, "Retrying {Kind} (attempt {Attempt})", kind, args.AttemptNumber + 1);
                        if (args.Outcome.Exception is { } e) onRetry?.Invoke(kind, e, args.AttemptNumber + 1);
                        return default;
                    },
                });
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<DeviceException>(),
                FailureRatio = options.BreakFailureRatio,
                MinimumThroughput = options.BreakMinimumThroughput,
                SamplingDuration = options.BreakSamplingDuration,
                BreakDuration = options.BreakDuration,
            });
            _pipelines[kind] = builder.Build();
        }
    }

    public ValueTask RunAsync(DeviceKind kind, Func<CancellationToken, Task> call, CancellationToken ct)
        => _pipelines[kind].ExecuteAsync(async c => await call(c).ConfigureAwait(false), ct);

    public ValueTask<T> RunAsync<T>(DeviceKind kind, Func<CancellationToken, Task<T>> call, CancellationToken ct)
        => _pipelines[kind].ExecuteAsync(async c => await call(c).ConfigureAwait(false), ct);

    /// <summary>Faults a run survives by skipping a position: device errors, including an open circuit or a timeout.</summary>
    public static bool IsDeviceFault(Exception e) => e is DeviceException or BrokenCircuitException or TimeoutRejectedException;
}
