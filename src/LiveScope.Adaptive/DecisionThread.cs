using LiveScope.Core.Timing;

namespace LiveScope.Adaptive;

/// <summary>
/// A thread of its own for decisions, in the real-time scheduling class for its whole life (<see cref="UrgentSection"/>):
/// handed a frame's decision, it runs at once, ahead of detection, replay and storage. Raising the analysing thread's
/// priority only once its result was in was not enough: on a loaded 2-core machine that thread is often preempted
/// right after its analysis ends (threads it woke run first), and 1 frame in 50 waited 10–20 ms before its decision
/// started. The hand-over goes through <see cref="WakeSignal"/>s, which the kernel delivers without a user-space lock
/// (through a SemaphoreSlim the wake itself took 2–25 ms). <see cref="Run"/> is synchronous — the caller waits for the decision, so the analysis state it reads
/// stays current, and an exception comes back to the caller. One caller at a time.
/// </summary>
internal sealed class DecisionThread : IDisposable
{
    private readonly Action<AnalysedFrame> _decide;
    private readonly Thread _thread;
    private readonly WakeSignal _start = new(), _finished = new();
    private AnalysedFrame _frame;
    private Exception? _error;
    private volatile bool _stopping;

    public DecisionThread(Action<AnalysedFrame> decide)
    {
        _decide = decide;
        _thread = new Thread(Loop) { IsBackground = true, Name = "livescope decisions" };
        _thread.Start();
    }

    /// <summary>How the thread's priority is raised here (none where the system does not permit it).</summary>
    public UrgentSection.Method Raising { get; private set; }

    /// <summary>Takes the decision for <paramref name="frame"/> on the decision thread and returns when it is done.</summary>
    public void Run(AnalysedFrame frame)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        _frame = frame;
        _start.Set();
        _finished.Wait();
        _frame = default;
        if (_error is { } e)
        {
            _error = null;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        }
    }

    private void Loop()
    {
        using var urgent = UrgentSection.Enter();
        Raising = UrgentSection.Raising;
        while (true)
        {
            _start.Wait();
            if (_stopping) return;
            try
            {
                _decide(_frame);
            }
            catch (Exception e)
            {
                _error = e;
            }
            _finished.Set();
        }
    }

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        _start.Set();
        _thread.Join();
        _start.Dispose();
        _finished.Dispose();
    }
}
