using System.Runtime.InteropServices;

namespace LiveScope.Core.Timing;

/// <summary>
/// Raises the calling thread's CPU priority for a short stretch of work that must not wait behind bulk work — a
/// decision taken on live analysis, while detection, replay and storage keep every core busy. On a loaded 2-core
/// machine a thread of ordinary priority can wait tens of milliseconds for a core; at nice −15 the kernel's fair
/// scheduler gives it about 90 % of a contested core, so it finishes at once. Dispose restores the previous
/// priority (use it with <c>using</c>, on the same thread, around synchronous work only).
/// Linux only (setpriority on the thread id, which Linux applies to that thread alone); elsewhere, or where the
/// process may not raise priorities (no CAP_SYS_NICE), it does nothing — the work is the same, only less urgent.
/// </summary>
public readonly partial struct UrgentSection : IDisposable
{
    /// <summary>The nice value inside the section (−20 … 19, lower is more urgent).</summary>
    public const int UrgentNice = -15;

    private const int PrioProcess = 0;   // with a thread id as "who", Linux applies it to that thread only
    private static volatile bool _unavailable = !OperatingSystem.IsLinux();

    private readonly int _threadId;
    private readonly int _previousNice;

    private UrgentSection(int threadId, int previousNice)
    {
        _threadId = threadId;
        _previousNice = previousNice;
    }

    /// <summary>Whether sections actually raise the priority here (false before the first one, if it failed).</summary>
    public static bool Available => !_unavailable;

    /// <summary>Raises the calling thread's priority until the returned section is disposed.</summary>
    public static UrgentSection Enter()
    {
        if (_unavailable) return default;
        try
        {
            int tid = GetTid();
            Marshal.SetLastPInvokeError(0);
            int previous = GetPriority(PrioProcess, tid);
            if (previous == -1 && Marshal.GetLastPInvokeError() != 0) { _unavailable = true; return default; }
            if (previous <= UrgentNice) return default;               // already at least as urgent: leave it
            if (SetPriority(PrioProcess, tid, UrgentNice) != 0) { _unavailable = true; return default; }
            return new UrgentSection(tid, previous);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return default;
        }
    }

    public void Dispose()
    {
        if (_threadId != 0) _ = SetPriority(PrioProcess, _threadId, _previousNice);
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    private static partial int GetPriority(int which, int who);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);
}
