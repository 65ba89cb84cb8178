using System.Runtime.InteropServices;

namespace LiveScope.Core.Timing;

/// <summary>
/// Runs a short stretch of work on the calling thread ahead of bulk work — a decision taken on live analysis while
/// detection, replay and storage keep every core busy. On a loaded 2-core machine an ordinary thread waits milliseconds
/// for a core, and raising its nice value is not enough: the fair scheduler still lets every thread that has run less
/// go first (measured: 2–12 ms just to get the core back after the raise). So the section switches the thread to the
/// real-time FIFO class, which runs before every ordinary thread at once, and Dispose puts it back. Where real-time
/// scheduling is not permitted it raises the thread's nice value instead; where neither is (not Linux, no
/// CAP_SYS_NICE), it does nothing: the work is the same, only less urgent.
/// Use it with <c>using</c>, on one thread, around synchronous work that is short (a real-time thread that loops
/// would hold a core; the kernel still leaves ordinary threads 5 % of each second).
/// </summary>
public readonly partial struct UrgentSection : IDisposable
{
    /// <summary>How the sections of this process raise their priority.</summary>
    public enum Method { None, RealTime, Nice }

    /// <summary>Real-time priority inside a section (1–99): low, so device drivers' and the kernel's own threads still come first.</summary>
    public const int RealTimePriority = 10;
    /// <summary>The nice value inside a section where real-time scheduling is not permitted (−20 … 19, lower is more urgent).</summary>
    public const int UrgentNice = -15;

    private const int SchedOther = 0, SchedFifo = 1, SchedRoundRobin = 2;
    // Threads started from inside a section (the runtime starts thread-pool workers from whichever thread asks for
    // one) must not inherit its priority: a real-time pool thread running analysis starved every ordinary thread —
    // the signal handler's too, so Ctrl-C went unanswered under load. With this flag they start ordinary.
    private const int SchedResetOnFork = 0x40000000;
    private const int PrioProcess = 0;   // with a thread id as "who", Linux applies it to that thread only

    private static volatile int _method = OperatingSystem.IsLinux() ? -1 : (int)Method.None;   // −1: not tried yet

    private readonly int _threadId;
    private readonly Method _raisedBy;
    private readonly int _previousPolicy, _previousValue;

    private UrgentSection(int threadId, Method raisedBy, int previousPolicy, int previousValue)
    {
        _threadId = threadId;
        _raisedBy = raisedBy;
        _previousPolicy = previousPolicy;
        _previousValue = previousValue;
    }

    /// <summary>How sections raise the priority here; <see cref="Method.None"/> until one has been entered, if it failed.</summary>
    public static Method Raising => _method < 0 ? Method.None : (Method)_method;

    /// <summary>Whether sections raise the priority here (known after the first one).</summary>
    public static bool Available => Raising != Method.None;

    /// <summary>Raises the calling thread's priority until the returned section is disposed.</summary>
    public static UrgentSection Enter()
    {
        if (_method == (int)Method.None) return default;
        try
        {
            int tid = GetTid();
            if (_method != (int)Method.Nice && EnterRealTime(tid) is { } realTime)
            {
                _method = (int)Method.RealTime;
                return realTime;
            }
            if (EnterNice(tid) is { } nice)
            {
                _method = (int)Method.Nice;
                return nice;
            }
            _method = (int)Method.None;
            return default;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _method = (int)Method.None;
            return default;
        }
    }

    private static unsafe UrgentSection? EnterRealTime(int tid)
    {
        int policy = SchedGetScheduler(tid), priority = 0;
        if (policy < 0 || SchedGetParam(tid, &priority) != 0) return null;
        if ((policy & 0xFF) is SchedFifo or SchedRoundRobin) return new UrgentSection();   // already real-time: leave it
        int urgent = RealTimePriority;
        if (SchedSetScheduler(tid, SchedFifo | SchedResetOnFork, &urgent) != 0) return null;
        return new UrgentSection(tid, Method.RealTime, policy, priority);
    }

    private static unsafe UrgentSection? EnterNice(int tid)
    {
        Marshal.SetLastPInvokeError(0);
        int previous = GetPriority(PrioProcess, tid);
        if (previous == -1 && Marshal.GetLastPInvokeError() != 0) return null;
        if (previous <= UrgentNice) return new UrgentSection();                               // already as urgent
        int none = 0;
        if (SchedSetScheduler(tid, SchedOther | SchedResetOnFork, &none) != 0) return null;
        if (SetPriority(PrioProcess, tid, UrgentNice) != 0) return null;
        return new UrgentSection(tid, Method.Nice, SchedOther, previous);
    }

    public unsafe void Dispose()
    {
        int value = _previousValue;
        switch (_raisedBy)
        {
            case Method.RealTime: _ = SchedSetScheduler(_threadId, _previousPolicy, &value); break;
            case Method.Nice: _ = SetPriority(PrioProcess, _threadId, value); break;
        }
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "sched_getscheduler", SetLastError = true)]
    private static partial int SchedGetScheduler(int pid);

    [LibraryImport("libc", EntryPoint = "sched_getparam", SetLastError = true)]
    private static unsafe partial int SchedGetParam(int pid, int* param);

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static unsafe partial int SchedSetScheduler(int pid, int policy, int* param);

    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    private static partial int GetPriority(int which, int who);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);
}
