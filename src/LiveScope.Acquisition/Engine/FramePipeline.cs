using System.Threading.Channels;
using LiveScope.Acquisition.Planning;
using LiveScope.Core.Imaging;
using Microsoft.Extensions.Logging;

namespace LiveScope.Acquisition.Engine;

/// <summary>
/// Carries frames from the camera to storage and live subscribers through a bounded queue. When the queue is full the
/// acquiring side waits (back-pressure) up to <c>maxWait</c>; a frame that still cannot be queued is dropped, counted
/// and logged — never lost silently. A store failure is kept and surfaces as <see cref="Fault"/>.
/// </summary>
public sealed class FramePipeline : IAsyncDisposable
{
    private readonly Channel<(Frame Frame, FrameEvent Planned)> _channel;
    private readonly IFrameStore _store;
    private readonly IReadOnlyList<IFrameSubscriber> _subscribers;
    private readonly TimeSpan _maxWait;
    private readonly ILogger _log;
    private readonly Task _consumer;
    private long _dropped;
    private long _written;
    private long _accepted, _processed;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FramePipeline(IFrameStore store, IReadOnlyList<IFrameSubscriber> subscribers, int capacity, TimeSpan maxWait, ILogger log)
    {
        _store = store;
        _subscribers = subscribers;
        _maxWait = maxWait;
        _log = log;
        _channel = Channel.CreateBounded<(Frame, FrameEvent)>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _consumer = Task.Run(ConsumeAsync);
    }

    public long Dropped => Interlocked.Read(ref _dropped);
    public long Written => Interlocked.Read(ref _written);
    /// <summary>The first storage failure; the engine stops the run on it (what was written stays readable).</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Hands the frame on (the pipeline owns it from here); false if it had to be dropped.</summary>
    public async ValueTask<bool> OfferAsync(Frame frame, FrameEvent planned, CancellationToken ct)
    {
        Interlocked.Increment(ref _accepted); // counted before the consumer can see it, so WhenIdleAsync never misses it
        if (_channel.Writer.TryWrite((frame, planned))) return true;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(_maxWait);
        try
        {
            await _channel.Writer.WriteAsync((frame, planned), wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Interlocked.Decrement(ref _accepted);
            Interlocked.Increment(ref _dropped);
            _log.LogWarning("Dropped frame T{T} P{P} C{C} Z{Z}: storage did not keep up within {WaitMs} ms",
                planned.TimeIndex, planned.PositionIndex, planned.ChannelIndex, planned.ZIndex, _maxWait.TotalMilliseconds);
            frame.Dispose();
            return false;
        }
        catch
        {
            // Cancelled while waiting for room: the frame is lost, and is counted as such.
            Interlocked.Decrement(ref _accepted);
            Interlocked.Increment(ref _dropped);
            _log.LogWarning("Dropped frame T{T} P{P} C{C} Z{Z}: the run was cancelled while storage was full",
                planned.TimeIndex, planned.PositionIndex, planned.ChannelIndex, planned.ZIndex);
            frame.Dispose();
            throw;
        }
    }

    private async Task ConsumeAsync()
    {
        await foreach (var (frame, planned) in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (Fault is null)
                {
                    await _store.WriteAsync(frame, planned, CancellationToken.None).ConfigureAwait(false);
                    Interlocked.Increment(ref _written);
                }
                else Interlocked.Increment(ref _dropped);
            }
            catch (Exception e)
            {
                Fault ??= e;
                Interlocked.Increment(ref _dropped);
                _log.LogError(e, "Storage failed; frames from here on are not kept");
            }
            foreach (var s in _subscribers)
            {
                try { s.OnFrame(frame, planned); }
                catch (Exception e) { _log.LogError(e, "Frame subscriber {Subscriber} failed", s.GetType().Name); }
            }
            frame.Dispose();
            Interlocked.Increment(ref _processed);
            Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    /// <summary>Returns once every frame handed on so far has been stored and seen by every subscriber.</summary>
    public async Task WhenIdleAsync(CancellationToken ct)
    {
        while (true)
        {
            // Read the signal before the counts: a frame finished in between completes the signal we hold.
            var progress = Volatile.Read(ref _progress);
            if (Interlocked.Read(ref _processed) >= Interlocked.Read(ref _accepted) || _consumer.IsCompleted) return;
            await progress.Task.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Lets queued frames reach storage, then returns. Safe to call more than once.</summary>
    public async Task CompleteAsync()
    {
        _channel.Writer.TryComplete();
        await _consumer.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await CompleteAsync().ConfigureAwait(false);
}
