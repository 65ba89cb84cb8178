using System.Runtime.InteropServices;
using LiveScope.Core.Imaging;

namespace LiveScope.Storage.OmeTiff;

/// <summary>
/// Streams 16-bit planes into an OME-TIFF. While a run lasts the file is a reserved header followed by raw pixel
/// blocks, and a journal beside it gets each plane's record first; <see cref="Complete"/> appends the OME-XML and
/// one IFD per plane and commits the header (see <see cref="OmeTiffFinalizer"/>). Nothing is buffered beyond the
/// stream's own buffer, frames are not kept past <see cref="WritePlane"/>, and a plane allocates nothing in steady
/// state (the plane list grows by doubling). After a crash, <see cref="OmeTiffRecovery"/> finishes the file.
/// </summary>
public sealed class OmeTiffWriter : IImageStackWriter
{
    private readonly Stream _tiff;
    private readonly PlaneJournalWriter? _journal;
    private readonly bool _ownsStreams;
    private readonly string? _journalPathToDelete;
    private readonly string? _tiffPathIfEmpty;
    private readonly StackDescription _description;
    private readonly OmeTiffWriterOptions _options;
    private readonly List<PlaneRecord> _planes = new(capacity: 256);
    private readonly Dictionary<int, string> _learnedChannelNames = new();
    private readonly HashSet<(int T, int C, int Z)> _seen = new(capacity: 256);
    private long _dataEnd = TiffFormat.HeaderReserve;
    private int _width, _height;
    private bool _completed;
    private Exception? _fault;

    static OmeTiffWriter()
    {
        // Pixels go to disk straight from the frame's buffer; TIFF "II" means little-endian.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("OmeTiffWriter needs a little-endian machine");
    }

    /// <summary>
    /// Writes to caller-provided streams (a file, or a <see cref="CountingSinkStream"/>). The TIFF stream must be
    /// seekable and empty; <paramref name="journal"/> may be null when crash recovery is not wanted.
    /// </summary>
    public OmeTiffWriter(Stream tiff, Stream? journal, StackDescription description, OmeTiffWriterOptions? options = null,
        bool leaveOpen = false)
        : this(tiff, journal, description, options, !leaveOpen, null, null) { }

    private OmeTiffWriter(Stream tiff, Stream? journal, StackDescription description, OmeTiffWriterOptions? options,
        bool ownsStreams, string? journalPath, string? tiffPath)
    {
        if (!tiff.CanSeek || !tiff.CanWrite) throw new ArgumentException("the TIFF stream must be writable and seekable", nameof(tiff));
        _tiff = tiff;
        _description = description;
        _options = options ?? new OmeTiffWriterOptions();
        _ownsStreams = ownsStreams;
        _journalPathToDelete = journalPath;
        _tiffPathIfEmpty = tiffPath;
        _journal = journal is null ? null
            : new PlaneJournalWriter(journal, description, _options.ForceBigTiff, leaveOpen: !ownsStreams);
        Span<byte> header = stackalloc byte[TiffFormat.HeaderReserve];
        TiffFormat.WriteUnfinishedHeader(header);
        _tiff.Position = 0;
        _tiff.Write(header);
        _tiff.Flush();
    }

    /// <summary>
    /// Creates <paramref name="path"/> (never overwriting an existing file) and its journal beside it. On completion
    /// the journal is deleted; a journal that remains marks a file <see cref="OmeTiffRecovery"/> must finish.
    /// </summary>
    public static OmeTiffWriter Create(string path, StackDescription description, OmeTiffWriterOptions? options = null)
    {
        string journalPath = PlaneJournal.PathFor(path);
        var tiff = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, bufferSize: 1 << 16);
        FileStream? journal = null;
        try
        {
            journal = new FileStream(journalPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 4096);
            return new OmeTiffWriter(tiff, journal, description, options, ownsStreams: true, journalPath, path);
        }
        catch
        {
            journal?.Dispose();
            tiff.Dispose();
            throw;
        }
    }

    public int PlanesWritten => _planes.Count;
    /// <summary>Bytes in the TIFF so far (header and pixels while running; the whole file once complete).</summary>
    public long BytesWritten { get; private set; } = TiffFormat.HeaderReserve;
    /// <summary>Known once <see cref="Complete"/> has run: whether the file became BigTIFF.</summary>
    public bool IsBigTiff { get; private set; }

    public void WritePlane(Frame frame)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_fault is not null)
            throw new InvalidOperationException("an earlier plane failed to write; the stack keeps only the planes before it", _fault);
        if (_planes.Count == 0) { _width = frame.Width; _height = frame.Height; }
        else if (frame.Width != _width || frame.Height != _height)
            throw new ArgumentException(
                $"plane {frame.Width}x{frame.Height} does not match this stack's {_width}x{_height}", nameof(frame));

        var metadata = frame.Metadata;
        if (metadata.TimeIndex < 0 || metadata.ChannelIndex < 0 || metadata.ZIndex < 0)
            throw new ArgumentException("T, C and Z indices must be non-negative", nameof(frame));
        // Two planes claiming one (T, C, Z) would make the OME-XML ambiguous; refuse loudly so the caller counts it.
        if (!_seen.Add((metadata.TimeIndex, metadata.ChannelIndex, metadata.ZIndex)))
            throw new ArgumentException(
                $"a plane with T={metadata.TimeIndex} C={metadata.ChannelIndex} Z={metadata.ZIndex} was already written", nameof(frame));
        LearnChannelName(metadata.ChannelIndex, metadata.Channel);

        var record = PlaneRecord.From(metadata, _dataEnd, _width, _height);
        // Journal first: any pixel block that reaches the disk then has a record saying what it is.
        try
        {
            _journal?.AppendPlane(record, _options.SyncToDiskEveryPlane);
            _tiff.Write(MemoryMarshal.AsBytes(frame.Pixels));
            if (_options.FlushEveryPlane || _options.SyncToDiskEveryPlane)
                OmeTiffFinalizer.Flush(_tiff, _options.SyncToDiskEveryPlane);
            if (_options.StartWritebackEveryPlane && !_options.SyncToDiskEveryPlane)
                Writeback.Start(_tiff, record.PixelOffset, record.ByteCount);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // Disk full or gone: the stream position is now unknown, so stop appending. Complete() still finishes
            // the file with the planes before this one (it cuts the partial block off).
            _fault = e;
            throw;
        }
        _dataEnd += record.ByteCount;
        BytesWritten = _dataEnd;
        _planes.Add(record);
    }

    private void LearnChannelName(int channelIndex, string? name)
    {
        if (name is null || channelIndex < _description.ChannelNames.Count || _learnedChannelNames.ContainsKey(channelIndex)) return;
        _learnedChannelNames[channelIndex] = name;
        _journal?.AppendChannelName(channelIndex, name);
    }

    public void Complete()
    {
        if (_completed) return;
        _completed = true;
        if (_planes.Count > 0)
        {
            byte[] xml = OmeXmlBuilder.Build(_description, _planes, _learnedChannelNames, Guid.NewGuid());
            long plannedBytes = _description.PlannedPlaneCount * _planes[0].ByteCount;
            IsBigTiff = OmeTiffFinalizer.Finish(_tiff, _dataEnd, _planes, xml, _options.ForceBigTiff, plannedBytes,
                flushToDisk: _tiffPathIfEmpty is not null);
            BytesWritten = _tiff.Length;
        }
        CloseStreams();
        if (_journalPathToDelete is not null) File.Delete(_journalPathToDelete);
        // A stack that never received a plane is not a valid TIFF; leave nothing that pretends to be one.
        if (_planes.Count == 0 && _tiffPathIfEmpty is not null) File.Delete(_tiffPathIfEmpty);
    }

    private void CloseStreams()
    {
        _journal?.Dispose();
        if (_ownsStreams) _tiff.Dispose();
    }

    public void Dispose()
    {
        try { Complete(); }
        finally { CloseStreams(); }
    }
}
