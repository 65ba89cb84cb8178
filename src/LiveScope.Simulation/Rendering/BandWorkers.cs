namespace LiveScope.Simulation.Rendering;

/// <summary>Work split into row bands; <paramref name="worker"/> identifies the thread's scratch buffer.</summary>
public interface IBandWork
{
    void RunBand(int band, int worker);
}

/// <summary>
/// A fixed set of long-lived threads that share the bands of one frame with the calling thread. Unlike Parallel.For
/// it allocates nothing per frame, and since each band seeds its own generator the result does not depend on which
/// thread took which band.
/// </summary>
public sealed class BandWorkers : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim _start = new(0);
    private readonly CountdownEvent _done = new(1);
    private readonly object _runLock = new();
    private IBandWork? _work;
    private int _bands;
    private int _next;
    private volatile bool _stopping;
    private Exception? _failure;

    public BandWorkers(int threads)
    {
        _threads = new Thread[Math.Max(0, threads)];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _threads[i] = new Thread(() => Loop(worker)) { IsBackground = true, Name = $"sim-render-{worker}" };
            _threads[i].Start();
        }
        // The event allocates its lock object the first time a wait really blocks; pay that here, not in a frame.
        _done.Wait(TimeSpan.FromMilliseconds(1));
    }

    /// <summary>Scratch buffers needed: one per worker thread plus the caller.</summary>
    public int Workers => _threads.Length + 1;

    public void Run(IBandWork work, int bands)
    {
        lock (_runLock)
        {
            _work = work;
            _bands = bands;
            _next = 0;
            _failure = null;
            if (_threads.Length > 0)
            {
                _done.Reset(_threads.Length);
                _start.Release(_threads.Length);
            }
            Drain(0);
            if (_threads.Length > 0) _done.Wait();
            _work = null;
            if (_failure is { } e) throw new InvalidOperationException("rendering a band failed", e);
        }
    }

    private void Drain(int worker)
    {
        var work = _work!;
        try
        {
            for (int band = Interlocked.Increment(ref _next) - 1; band < _bands; band = Interlocked.Increment(ref _next) - 1)
                work.RunBand(band, worker);
        }
        catch (Exception e)
        {
            _failure = e;
            Volatile.Write(ref _next, int.MaxValue / 2);
        }
    }

    private void Loop(int worker)
    {
        while (true)
        {
            _start.Wait();
            if (_stopping) return;
            Drain(worker);
            _done.Signal();
        }
    }

    private int _disposed;

    /// <summary>Stops the threads; safe to call more than once (the microscope and the session both dispose devices).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping = true;
        if (_threads.Length > 0) _start.Release(_threads.Length);
        foreach (var t in _threads) t.Join(TimeSpan.FromSeconds(2));
        _start.Dispose();
        _done.Dispose();
    }
}
