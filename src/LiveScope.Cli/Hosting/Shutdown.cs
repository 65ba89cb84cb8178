using System.Runtime.InteropServices;

namespace LiveScope.Cli.Hosting;

/// <summary>
/// Turns Ctrl-C and SIGTERM into a cancellation the run reacts to (it makes the rig safe and keeps its data) instead
/// of killing the process. A third signal gives up waiting and ends the process, for a run that is truly stuck.
/// </summary>
/// <remarks>
/// A process whose parent ignored SIGINT inherits that (a shell script's <c>cmd &amp;</c> does it, as does nohup-style
/// launching). The .NET runtime honours the Unix convention: Ctrl-C handlers are never called then, and resetting the
/// disposition from managed code leaves the process with no handler at all (killed outright, files unclosed). So a
/// run started that way cannot be stopped by Ctrl-C; <see cref="InterruptIgnored"/> lets the caller say so, and
/// SIGTERM, which no shell ignores, still stops it safely.
/// </remarks>
public sealed class Shutdown : IDisposable
{
    public const int CancelledExitCode = 130;
    private readonly CancellationTokenSource _cts = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signals;

    public Shutdown()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
    }

    public CancellationToken Token => _cts.Token;

    /// <summary>True when this process started with SIGINT ignored, so Ctrl-C will not reach it.</summary>
    public static bool InterruptIgnored { get; } = StartedIgnoring(signalNumber: 2);

    public const string InterruptIgnoredWarning =
        "Warning: this process was started with Ctrl-C (SIGINT) ignored (a background job of a script?), so Ctrl-C will " +
        "not stop the run; `kill -TERM {0}` stops it safely.";

    private static bool StartedIgnoring(int signalNumber)
    {
        // The kernel's view, as the runtime saw it at start-up: the SigIgn mask of /proc/self/status, in hex.
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line.AsSpan("SigIgn:".Length).Trim(), System.Globalization.NumberStyles.HexNumber, null, out var mask)
            && (mask & (1UL << (signalNumber - 1))) != 0;
    }

    private void OnSignal(PosixSignalContext context)
    {
        int count = Interlocked.Increment(ref _signals);
        if (count >= 3) return; // let the runtime end the process
        context.Cancel = true;
        if (count == 1) Console.Error.WriteLine("\nStopping: making the microscope safe and closing files (signal twice more to force).");
        _cts.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}
