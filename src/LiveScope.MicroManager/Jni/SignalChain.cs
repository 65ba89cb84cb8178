using System.Runtime.InteropServices;

namespace LiveScope.MicroManager.Jni;

/// <summary>
/// Makes the JVM's SIGSEGV handler run on the alternate signal stack. .NET turns a SIGSEGV in managed code into
/// a NullReferenceException and assumes its handler runs on the alternate stack; once the JVM has installed its own
/// SIGSEGV handler (without SA_ONSTACK) and chains to .NET's, the first NRE after the JVM starts dies or hangs.
/// Adding SA_ONSTACK to that one handler was measured to fix it (issue 5, recipe 1); adding it to SIGFPE as well
/// broke DivideByZeroException, so only SIGSEGV is touched. The raw rt_sigaction syscall is used so that no libc
/// or JVM interposition (libjsig) sees or rewrites the change.
/// </summary>
internal static unsafe class SignalChain
{
    private const int SigSegv = 11;
    private const ulong SaOnStack = 0x08000000;

    [StructLayout(LayoutKind.Sequential)]
    private struct KernelSigaction
    {
        public IntPtr Handler;
        public ulong Flags;
        public IntPtr Restorer;
        public ulong Mask;
    }

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, long signal, KernelSigaction* act, KernelSigaction* old, long sigsetSize);

    private static long RtSigactionNumber => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 13,
        Architecture.Arm64 => 134,
        _ => -1,
    };

    /// <summary>Adds SA_ONSTACK to the current SIGSEGV handler; returns whether the flag is now set.</summary>
    public static bool AddOnStackToSegvHandler()
    {
        if (!OperatingSystem.IsLinux() || RtSigactionNumber < 0) return false;
        KernelSigaction current;
        if (Syscall(RtSigactionNumber, SigSegv, null, &current, sizeof(ulong)) != 0) return false;
        if ((current.Flags & SaOnStack) != 0) return true;
        current.Flags |= SaOnStack;
        return Syscall(RtSigactionNumber, SigSegv, &current, null, sizeof(ulong)) == 0;
    }

    /// <summary>Whether SIGSEGV's handler has SA_ONSTACK (for tests and diagnostics).</summary>
    public static bool SegvHandlerHasOnStack()
    {
        if (!OperatingSystem.IsLinux() || RtSigactionNumber < 0) return false;
        KernelSigaction current;
        return Syscall(RtSigactionNumber, SigSegv, null, &current, sizeof(ulong)) == 0 && (current.Flags & SaOnStack) != 0;
    }
}
