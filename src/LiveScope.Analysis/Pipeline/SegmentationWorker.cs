using System.Runtime.ExceptionServices;
using LiveScope.Analysis.Cells;

namespace LiveScope.Analysis.Pipeline;

/// <summary>
/// Finishes cell segmentations off the frame path, one at a time, on a thread of its own: Task.Run would allocate
/// a task and a closure per call (the analysis allocates nothing per frame) and queue behind other work on the
/// shared thread pool. The caller lends it the binned frame, buffers and masks to fill for the duration of one run,
/// from <see cref="Start"/> until <see cref="Collect"/> or <see cref="Abandon"/> returns, and must not touch them
/// meanwhile. Used from one thread (the pipeline's).
/// </summary>
internal sealed class SegmentationWorker : IDisposable
{
    private readonly CellSegmenter _segmenter;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _start = new(false), _done = new(false);
    private BinnedFrame? _frame;
    private CellSegmentationBuffers? _buffers;
    private CellMasks? _into, _result;
    private ExceptionDispatchInfo? _failure;
    private volatile bool _stopping;
    private bool _disposed;

    public SegmentationWorker(CellSegmenter segmenter)
    {
        _segmenter = segmenter;
        _thread = new Thread(Loop) { IsBackground = true, Name = "LiveScope cell segmentation" };
        _thread.Start();
        // The event allocates its lock object the first time a wait really blocks, which would otherwise happen in
        // whichever frame first waits for a late segmentation. One short blocking wait here pays that up front.
        _done.Wait(TimeSpan.FromMilliseconds(1));
        _done.Set();
    }

    /// <summary>Test seam: runs on the worker's thread before each segmentation (may block or throw as one could).</summary>
    public Action? BeforeSegment { get; set; }

    /// <summary>A segmentation was started and has been neither collected nor abandoned.</summary>
    public bool Busy { get; private set; }

    public void Start(BinnedFrame frame, CellSegmentationBuffers buffers, CellMasks? into)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Busy) throw new InvalidOperationException("a segmentation is still running");
        _frame = frame; _buffers = buffers; _into = into; _result = null; _failure = null;
        Busy = true;
        _done.Reset();
        _start.Set();
    }

    /// <summary>Waits for the started segmentation and returns its masks, or throws what it threw.</summary>
    public CellMasks Collect()
    {
        if (!Busy) throw new InvalidOperationException("no segmentation was started");
        _done.Wait();
        Busy = false;
        var (result, failure) = (_result, _failure);
        Release();
        failure?.Throw();
        return result!;
    }

    /// <summary>Waits for a started segmentation, if any, and drops its outcome (its masks will never be used).</summary>
    public void Abandon()
    {
        if (!Busy) return;
        _done.Wait();
        Busy = false;
        Release();
    }

    private void Release() { _frame = null; _buffers = null; _into = null; _result = null; _failure = null; }

    private void Loop()
    {
        while (true)
        {
            _start.Wait();
            _start.Reset();
            if (_stopping) return;
            try
            {
                BeforeSegment?.Invoke();
                _result = _segmenter.Segment(_frame!, _buffers, _into);
            }
            catch (Exception e) { _failure = ExceptionDispatchInfo.Capture(e); }
            finally { _done.Set(); }
        }
    }

    /// <summary>Waits for a running segmentation and ends the thread.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Abandon();
        _stopping = true;
        _start.Set();
        _thread.Join();
        _start.Dispose();
        _done.Dispose();
    }
}
