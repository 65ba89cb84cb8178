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

    /// <summary>
    /// What the pipeline calls: <see cref="OnFrame(Frame, FrameEvent)"/> plus the moment the camera handed the frame to
    /// the engine (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), for subscribers that measure latency from
    /// acquisition rather than from their own queue.
    /// </summary>
    void OnFrame(Frame frame, FrameEvent planned, long acquiredTimestamp) => OnFrame(frame, planned);

    /// <summary>
    /// Called on the engine's thread for every frame acquired — before it is queued, so also for frames that analysis
    /// will skip when behind or storage will drop: the sample was exposed either way. Must return at once.
    /// </summary>
    void OnAcquired(FrameEvent planned) { }
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
