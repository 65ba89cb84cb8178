using System.Collections.Concurrent;

namespace LiveScope.Core.Imaging;

/// <summary>
/// Hands out frames whose buffers are reused, so steady-state acquisition allocates nothing. Frames of any size
/// up to the largest buffer seen fit; <see cref="Outstanding"/> lets tests catch frames that were never returned.
/// </summary>
public sealed class FramePool
{
    private readonly ConcurrentQueue<Frame> _free = new();
    private readonly int _maxPooled;
    private int _outstanding;

    public FramePool(int maxPooled = 64) => _maxPooled = maxPooled;

    public int Outstanding => Volatile.Read(ref _outstanding);
    public int Pooled => _free.Count;

    public Frame Rent(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "frame dimensions must be positive");
        int needed = width * height;
        Frame? frame = null;
        // A few tries to find a buffer large enough; a queue of mixed sizes is rare (ROI changes) and short.
        for (int tries = _free.Count; tries > 0 && _free.TryDequeue(out var candidate); tries--)
        {
            if (candidate.Buffer.Length >= needed) { frame = candidate; break; }
            _free.Enqueue(candidate);
        }
        frame ??= new Frame(this, GC.AllocateUninitializedArray<ushort>(needed));
        frame.Reset(width, height);
        Interlocked.Increment(ref _outstanding);
        return frame;
    }

    internal void Return(Frame frame)
    {
        Interlocked.Decrement(ref _outstanding);
        if (_free.Count < _maxPooled) _free.Enqueue(frame);
    }
}
