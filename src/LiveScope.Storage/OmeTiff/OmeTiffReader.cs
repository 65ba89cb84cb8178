using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LiveScope.Core.Imaging;

namespace LiveScope.Storage.OmeTiff;

/// <summary>
/// Reads LiveScope's own OME-TIFF files (classic and BigTIFF; one uncompressed 16-bit strip set per plane) back as
/// pooled frames with the metadata the OME-XML recorded. For the replay camera and for analysis of saved runs.
/// </summary>
public sealed class OmeTiffReader : IImageStackReader
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly List<TiffDirectory> _directories;
    private readonly FrameMetadata[] _planes;

    public OmeTiffReader(Stream stream, bool leaveOpen = false)
    {
        if (!stream.CanSeek || !stream.CanRead) throw new ArgumentException("the stream must be readable and seekable", nameof(stream));
        _stream = stream;
        _leaveOpen = leaveOpen;
        (IsBigTiff, _directories) = TiffDirectoryReader.ReadAll(stream);
        var first = _directories[0];
        foreach (var d in _directories)
        {
            if (d.BitsPerSample != 16 || d.SamplesPerPixel != 1 || d.Compression != 1)
                throw new InvalidDataException(
                    $"IFD at {d.Offset}: only uncompressed 16-bit single-sample planes are supported " +
                    $"(bits {d.BitsPerSample}, samples {d.SamplesPerPixel}, compression {d.Compression})");
            if (d.Width != first.Width || d.Height != first.Height)
                throw new InvalidDataException($"IFD at {d.Offset}: plane size differs from the first plane's");
        }
        Width = first.Width;
        Height = first.Height;

        OmeXml = first.Description is { } text && text.Contains("<OME", StringComparison.Ordinal) ? text : null;
        var ome = OmeXml is null ? null : OmeXmlParser.Parse(OmeXml);
        Description = ome?.Description ?? new StackDescription { PlannedSizeT = _directories.Count };
        SizeT = ome?.SizeT ?? _directories.Count;
        SizeC = ome?.SizeC ?? 1;
        SizeZ = ome?.SizeZ ?? 1;
        _planes = new FrameMetadata[_directories.Count];
        for (int i = 0; i < _planes.Length; i++)
            _planes[i] = ome is not null && ome.PlanesByIfd.TryGetValue(i, out var m)
                ? m
                : new FrameMetadata { SequenceNumber = i, TimeIndex = ome is null ? i : 0, Binning = 1 };
    }

    public static OmeTiffReader Open(string path)
        => new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16));

    public bool IsBigTiff { get; }
    /// <summary>The OME-XML of the first IFD's ImageDescription, verbatim (null if the file has none).</summary>
    public string? OmeXml { get; }
    public StackDescription Description { get; }
    public int Width { get; }
    public int Height { get; }
    public int SizeT { get; }
    public int SizeC { get; }
    public int SizeZ { get; }
    public IReadOnlyList<FrameMetadata> Planes => _planes;

    public Frame ReadPlane(int index, FramePool pool)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _planes.Length);
        var directory = _directories[index];
        var frame = pool.Rent(Width, Height);
        try
        {
            var bytes = MemoryMarshal.AsBytes(frame.Pixels);
            int at = 0;
            for (int s = 0; s < directory.StripOffsets.Length; s++)
            {
                long count = s < directory.StripByteCounts.Length ? directory.StripByteCounts[s] : bytes.Length - at;
                if (at + count > bytes.Length) throw new InvalidDataException($"plane {index}: strips hold more bytes than the plane");
                _stream.Position = directory.StripOffsets[s];
                _stream.ReadExactly(bytes.Slice(at, (int)count));
                at += (int)count;
            }
            if (at != bytes.Length) throw new InvalidDataException($"plane {index}: strips hold {at} of {bytes.Length} bytes");
            frame.Metadata = _planes[index];
            return frame;
        }
        catch
        {
            frame.Dispose();
            throw;
        }
    }

    public async IAsyncEnumerable<Frame> ReadAllAsync(FramePool pool, [EnumeratorCancellation] CancellationToken ct)
    {
        for (int i = 0; i < _planes.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            yield return ReadPlane(i, pool);
            await Task.Yield();
        }
    }

    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }
}
