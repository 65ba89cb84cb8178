namespace LiveScope.Core.Imaging;

/// <summary>
/// A 16-bit image in a pooled buffer. Reference counted: each consumer that keeps the frame beyond the call that
/// handed it over calls <see cref="Retain"/>, and every holder disposes once; the last dispose returns the buffer.
/// </summary>
public sealed class Frame : IDisposable
{
    private readonly FramePool _pool;
    private int _references;

    internal Frame(FramePool pool, ushort[] buffer)
    {
        _pool = pool;
        Buffer = buffer;
    }

    public int Width { get; private set; }
    public int Height { get; private set; }
    /// <summary>The pooled array; may be longer than Width·Height. Prefer <see cref="Pixels"/>.</summary>
    public ushort[] Buffer { get; }
    public FrameMetadata Metadata { get; set; }

    public Span<ushort> Pixels => Buffer.AsSpan(0, Width * Height);
    public ReadOnlySpan<ushort> Row(int y) => Buffer.AsSpan(y * Width, Width);
    public ushort this[int x, int y] => Buffer[y * Width + x];

    internal void Reset(int width, int height)
    {
        Width = width;
        Height = height;
        Metadata = default;
        _references = 1;
    }

    public Frame Retain()
    {
        if (Interlocked.Increment(ref _references) <= 1)
            throw new ObjectDisposedException(nameof(Frame), "retained after its buffer went back to the pool");
        return this;
    }

    public void Dispose()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0) _pool.Return(this);
        else if (left < 0) throw new ObjectDisposedException(nameof(Frame), "disposed more often than retained");
    }
}
