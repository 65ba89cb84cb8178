using LiveScope.Acquisition.Planning;
using LiveScope.Core.Devices;
using LiveScope.Core.Imaging;

namespace LiveScope.Acquisition.Engine;

/// <summary>Where acquired frames are kept (the OME-TIFF files of a run). Called from one thread, in order.</summary>
public interface IFrameStore : IAsyncDisposable
{
    /// <summary>Writes the frame; must not keep it after returning (Retain it if it must).</summary>
    ValueTask WriteAsync(Frame frame, FrameEvent planned, CancellationToken ct);
}

/// <summary>A live consumer of frames (analysis, live view). Gets frames in order; must not block for long.</summary>
public interface IFrameSubscriber
{
    /// <summary>Called for each frame; the frame is only valid during the call unless retained.</summary>
    void OnFrame(Frame frame, FrameEvent planned);
}

/// <summary>The run's event log (events.jsonl): every event, device action, stimulation, bleach and fault.</summary>
public interface IRunEventLog
{
    void Write(string type, TimeSpan at, IReadOnlyDictionary<string, object?> fields);
}

/// <summary>Asks the person at the microscope to do something (add insulin) and waits for them.</summary>
public interface IOperatorPrompt
{
    /// <summary>Returns when the operator confirms; throws OperationCanceledException if the run is cancelled.</summary>
    Task ConfirmAsync(string instruction, CancellationToken ct);
}

/// <summary>Chooses what to bleach when a FRAP step says <c>target: analysis</c> (the adaptive controller provides it).</summary>
public interface IBleachTargetChooser
{
    /// <summary>Null when nothing suitable is in view; the step is then skipped and logged.</summary>
    BleachRegion? Choose(BleachEvent step);
}

public sealed class NullEventLog : IRunEventLog
{
    public void Write(string type, TimeSpan at, IReadOnlyDictionary<string, object?> fields) { }
}

/// <summary>Confirms at once and says so: for scripted screens and dry runs without a person.</summary>
public sealed class AutoConfirmOperator(Action<string>? say = null) : IOperatorPrompt
{
    public Task ConfirmAsync(string instruction, CancellationToken ct)
    {
        say?.Invoke($"{instruction} (confirmed automatically)");
        return Task.CompletedTask;
    }
}
