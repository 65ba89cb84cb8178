namespace LiveScope.Simulation.Truth;

/// <summary>Receives the ground truth of every frame as it is rendered, on the rendering thread.</summary>
public interface IGroundTruthSink
{
    void OnFrame(FrameTruth truth);
}

/// <summary>
/// Where a simulated camera publishes ground truth. Subscribing returns a handle that unsubscribes on dispose.
/// When nobody listens (or truth is switched off) the camera skips collecting truth altogether.
/// </summary>
public sealed class GroundTruthFeed
{
    private readonly object _gate = new();
    private IGroundTruthSink[] _sinks = [];

    public bool HasSubscribers => Volatile.Read(ref _sinks).Length > 0;

    public IDisposable Subscribe(IGroundTruthSink sink)
    {
        lock (_gate) _sinks = [.. _sinks, sink];
        return new Subscription(this, sink);
    }

    private void Unsubscribe(IGroundTruthSink sink)
    {
        lock (_gate) _sinks = Array.FindAll(_sinks, s => !ReferenceEquals(s, sink));
    }

    internal void Publish(FrameTruth truth)
    {
        foreach (var sink in Volatile.Read(ref _sinks)) sink.OnFrame(truth);
    }

    private sealed class Subscription(GroundTruthFeed feed, IGroundTruthSink sink) : IDisposable
    {
        private int _disposed;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) feed.Unsubscribe(sink);
        }
    }
}

/// <summary>Keeps a copy of every frame's truth in memory (tests, short runs).</summary>
public sealed class GroundTruthRecorder : IGroundTruthSink
{
    private readonly List<FrameTruthSnapshot> _frames = [];
    private readonly object _gate = new();

    public IReadOnlyList<FrameTruthSnapshot> Frames
    {
        get { lock (_gate) return _frames.ToArray(); }
    }

    public void OnFrame(FrameTruth truth)
    {
        var copy = truth.Snapshot();
        lock (_gate) _frames.Add(copy);
    }
}
