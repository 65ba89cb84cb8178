using System.Runtime.InteropServices;

namespace LiveScope.Cli.Hosting;

/// <summary>
/// Turns Ctrl-C and SIGTERM into a cancellation the run reacts to (it makes the rig safe and keeps its data) instead
/// of killing the process. A third signal gives up waiting and ends the process, for a run that is truly stuck.
/// </summary>
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
