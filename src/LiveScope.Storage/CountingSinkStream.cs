namespace LiveScope.Storage;

/// <summary>
/// A seekable stream that keeps nothing and only counts, so writers can be measured without a disk
/// (throughput benchmarks, replaying very large runs). Reads return zeros.
/// </summary>
public sealed class CountingSinkStream : Stream
{
    private long _position;
    private long _length;

    public long BytesWritten { get; private set; }
    public int WriteCalls { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _position; set => _position = value; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        BytesWritten += buffer.Length;
        WriteCalls++;
        _position += buffer.Length;
        if (_position > _length) _length = _position;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = (int)Math.Clamp(_length - _position, 0, buffer.Length);
        buffer[..n].Clear();
        _position += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _length + offset,
    };

    public override void SetLength(long value)
    {
        _length = value;
        if (_position > value) _position = value;
    }

    public override void Flush() { }
}
