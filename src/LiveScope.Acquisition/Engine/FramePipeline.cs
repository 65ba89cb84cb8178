using System.Threading.Channels;
using LiveScope.Acquisition.Planning;
using LiveScope.Core.Imaging;
using Microsoft.Extensions.Logging;

namespace LiveScope.Acquisition.Engine;

/// <summary>
/// Carries frames from the camera to storage and, separately, to live subscribers (analysis), each through its own
/// bounded queue and thread, so a slow analysis never holds up the disk. Storage: when its queue is full the
/// acquiring side waits (back-pressure) up to <c>maxWait</c>; a frame that still cannot be queued is dropped, counted
/// and logged — never lost silently. A store failure is kept and surfaces as <see cref="Fault"/>. Subscribers: when
/// analysis falls behind, the oldest frame waiting for it is not analysed (counted in <see cref="NotAnalysed"/>; it is
/// still stored), unless <c>skipAnalysisWhenBehind</c> is off — then acquisition waits for analysis too; a run cancelled
/// during that wait still stores the frame (acquired data is never lost to a cancel), only its analysis is skipped.
/// </summary>
public sealed class FramePipeline : IAsyncDisposable
{
    private readonly Channel<(Frame Frame, FrameEvent Planned)> _storage;
    private readonly Channel<(Frame Frame, FrameEvent Planned, long Acquired)>? _analysis;
    private readonly IFrameStore _store;
    private readonly IReadOnlyList<IFrameSubscriber> _subscribers;
    private readonly TimeSpan _maxWait;
    private readonly ILogger _log;
    private readonly Task _storer, _analyser;
    private long _dropped, _written, _notAnalysed;
    private long _accepted, _processed;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FramePipeline(IFrameStore store, IReadOnlyList<IFrameSubscriber> subscribers, int capacity, TimeSpan maxWait, ILogger log,
        int analysisCapacity = 8, bool skipAnalysisWhenBehind = true)
    {
        _store = store;
        _subscribers = subscribers;
        _maxWait = maxWait;
        _log = log;
        _storage = Channel.CreateBounded<(Frame, FrameEvent)>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _storer = Task.Run(StoreAllAsync);
        if (subscribers.Count > 0)
        {
            var options = new BoundedChannelOptions(analysisCapacity)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = skipAnalysisWhenBehind ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
            };
            _analysis = Channel.CreateBounded<(Frame, FrameEvent, long)>(options, SkippedByAnalysis);
            _analyser = Task.Run(AnalyseAllAsync);
        }
        else _analyser = Task.CompletedTask;
    }

    public long Dropped => Interlocked.Read(ref _dropped);
    public long Written => Interlocked.Read(ref _written);
    /// <summary>Frames stored but not shown to subscribers because analysis was behind (the newest frames win).</summary>
    public long NotAnalysed => Interlocked.Read(ref _notAnalysed);
    /// <summary>The first storage failure; the engine stops the run on it (what was written stays readable).</summary>
    public Exception? Fault { get; private set; }

    /// <summary>
    /// Hands the frame on (the pipeline owns it from here); false if storage could not take it.
    /// <paramref name="acquiredTimestamp"/>: when the camera handed it over (Stopwatch; 0 = now), passed to subscribers.
    /// </summary>
    public async ValueTask<bool> OfferAsync(Frame frame, FrameEvent planned, CancellationToken ct, long acquiredTimestamp = 0)
    {
        if (acquiredTimestamp == 0) acquiredTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < _subscribers.Count; i++)
        {
            try { _subscribers[i].OnAcquired(planned); }
            catch (Exception e) { _log.LogError(e, "Frame subscriber {Subscriber} failed", _subscribers[i].GetType().Name); }
        }
        if (_analysis is not null)
        {
            try
            {
                await OfferToAnalysisAsync(frame.Retain(), planned, acquiredTimestamp, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Cancelled while analysis held acquisition back (lockstep): the frame was acquired, so it is stored
                // all the same — only its analysis is skipped. The run stops at the engine's next check.
                Interlocked.Increment(ref _notAnalysed);
                ct = CancellationToken.None;
            }
            catch
            {
                Interlocked.Increment(ref _dropped); // the pipeline was completed under us: nothing can take the frame now
                frame.Dispose();
                throw;
            }
        }
        Interlocked.Increment(ref _accepted); // counted before the consumer can see it, so WhenIdleAsync never misses it
        if (_storage.Writer.TryWrite((frame, planned))) return true;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(_maxWait);
        try
        {
            await _storage.Writer.WriteAsync((frame, planned), wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Lost();
            _log.LogWarning("Dropped frame T{T} P{P} C{C} Z{Z}: storage did not keep up within {WaitMs} ms",
                planned.TimeIndex, planned.PositionIndex, planned.ChannelIndex, planned.ZIndex, _maxWait.TotalMilliseconds);
            frame.Dispose();
            return false;
        }
        catch
        {
            // Cancelled while waiting for room: the frame is lost, and is counted as such.
            Lost();
            _log.LogWarning("Dropped frame T{T} P{P} C{C} Z{Z}: the run was cancelled while storage was full",
                planned.TimeIndex, planned.PositionIndex, planned.ChannelIndex, planned.ZIndex);
            frame.Dispose();
            throw;
        }
    }

    private void Lost()
    {
        Interlocked.Increment(ref _dropped);
        Done();
    }

    private async ValueTask OfferToAnalysisAsync(Frame retained, FrameEvent planned, long acquired, CancellationToken ct)
    {
        Interlocked.Increment(ref _accepted);
        try
        {
            // With DropOldest this never waits (a full queue skips its oldest frame); with Wait it is back-pressure.
            await _analysis!.Writer.WriteAsync((retained, planned, acquired), ct).ConfigureAwait(false);
        }
        catch
        {
            retained.Dispose();
            Done();
            throw;
        }
    }

    private void SkippedByAnalysis((Frame Frame, FrameEvent Planned, long Acquired) item)
    {
        Interlocked.Increment(ref _notAnalysed);
        item.Frame.Dispose();
        Done();
    }

    private async Task StoreAllAsync()
    {
        await foreach (var (frame, planned) in _storage.Reader.ReadAllAsync().ConfigureAwait(false))
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
            frame.Dispose();
            Done();
        }
    }

    private async Task AnalyseAllAsync()
    {
        await foreach (var (frame, planned, acquired) in _analysis!.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            foreach (var s in _subscribers)
            {
                try { s.OnFrame(frame, planned, acquired); }
                catch (Exception e) { _log.LogError(e, "Frame subscriber {Subscriber} failed", s.GetType().Name); }
            }
            frame.Dispose();
            Done();
        }
    }

    /// <summary>One queued item is finished (stored, analysed, skipped or lost): wakes <see cref="WhenIdleAsync"/>.</summary>
    private void Done()
    {
        Interlocked.Increment(ref _processed);
        Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Returns once every frame handed on so far has been stored and seen by every subscriber.</summary>
    public async Task WhenIdleAsync(CancellationToken ct)
    {
        while (true)
        {
            // Read the signal before the counts: an item finished in between completes the signal we hold.
            var progress = Volatile.Read(ref _progress);
            if (Interlocked.Read(ref _processed) >= Interlocked.Read(ref _accepted) || (_storer.IsCompleted && _analyser.IsCompleted)) return;
            await progress.Task.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Lets queued frames reach storage and subscribers, then returns. Safe to call more than once.</summary>
    public async Task CompleteAsync()
    {
        _storage.Writer.TryComplete();
        _analysis?.Writer.TryComplete();
        await _storer.ConfigureAwait(false);
        await _analyser.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await CompleteAsync().ConfigureAwait(false);
}
