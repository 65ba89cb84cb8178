namespace LiveScope.Analysis.Detection;

/// <summary>
/// A fixed set of worker threads that run one callback per band and wait for all of them. Unlike Parallel.For it
/// allocates nothing per run, which the zero-allocation-per-frame rule needs. Band 0 runs on the caller's thread.
/// </summary>
internal sealed class BandWorkers : IDisposable
{
    private readonly Action<int> _work;
    private readonly Thread[] _threads;
    private readonly ManualResetEventSlim[] _start;
    private readonly CountdownEvent _done;
    private Exception? _failure;
    private volatile bool _stopping;

    public BandWorkers(int bands, Action<int> work)
    {
        Bands = Math.Max(1, bands);
        _work = work;
        _threads = new Thread[Bands - 1];
        _start = new ManualResetEventSlim[Bands - 1];
        _done = new CountdownEvent(1);
        for (int i = 0; i < _threads.Length; i++)
        {
            int band = i + 1;
            _start[i] = new ManualResetEventSlim(false, spinCount: 200);
            _threads[i] = new Thread(() => Loop(band)) { IsBackground = true, Name = $"LiveScope detector band {band}" };
            _threads[i].Start();
        }
        // The event allocates its lock object (24 bytes) the first time a wait really blocks, which otherwise
        // happens in whichever frame first has a late band. One short blocking wait here pays that up front.
        _done.Wait(TimeSpan.FromMilliseconds(1));
    }

    public int Bands { get; }

    public void Run()
    {
        _failure = null;
        if (_threads.Length > 0)
        {
            _done.Reset(_threads.Length);
            foreach (var s in _start) s.Set();
        }
        try { _work(0); }
        finally { if (_threads.Length > 0) _done.Wait(); }
        if (_failure is { } f) throw new InvalidOperationException("a detector band failed", f);
    }

    private void Loop(int band)
    {
        var start = _start[band - 1];
        while (true)
        {
            start.Wait();
            start.Reset();
            if (_stopping) return;
            try { _work(band); }
            catch (Exception e) { _failure = e; }
            finally { _done.Signal(); }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var s in _start) s.Set();
        foreach (var t in _threads) t.Join();
        foreach (var s in _start) s.Dispose();
        _done.Dispose();
    }
}
