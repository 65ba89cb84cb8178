using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace LiveScope.Storage.OmeTiff;

/// <summary>
/// The small file beside an OME-TIFF being written (<c>NAME.ome.tif.journal</c>): the stack description once, then
/// one checksummed binary record per plane, appended and flushed BEFORE the plane's pixels go to the TIFF. After a
/// crash every pixel block that reached the disk therefore has its record, and recovery can rebuild the file.
/// Records are fixed-size and written from a reused buffer, so journaling a plane allocates nothing.
/// </summary>
public sealed class PlaneJournalWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _record = new byte[PlaneJournal.PlaneRecordSize];

    public PlaneJournalWriter(Stream stream, StackDescription description, bool forceBigTiff = false, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(new PlaneJournal.Header(description, forceBigTiff), PlaneJournal.JsonOptions);
        Span<byte> head = stackalloc byte[PlaneJournal.Magic.Length + 4];
        PlaneJournal.Magic.CopyTo(head);
        BinaryPrimitives.WriteInt32LittleEndian(head[PlaneJournal.Magic.Length..], json.Length);
        _stream.Write(head);
        _stream.Write(json);
        _stream.Flush();
    }

    public void AppendPlane(in PlaneRecord p, bool flushToDisk)
    {
        var b = _record.AsSpan();
        b[0] = PlaneJournal.PlaneTag;
        var s = b[1..^4];
        BinaryPrimitives.WriteInt64LittleEndian(s[0..], p.PixelOffset);
        BinaryPrimitives.WriteInt64LittleEndian(s[8..], p.ByteCount);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], p.Width);
        BinaryPrimitives.WriteInt32LittleEndian(s[20..], p.Height);
        BinaryPrimitives.WriteInt32LittleEndian(s[24..], p.TheT);
        BinaryPrimitives.WriteInt32LittleEndian(s[28..], p.TheC);
        BinaryPrimitives.WriteInt32LittleEndian(s[32..], p.TheZ);
        BinaryPrimitives.WriteInt32LittleEndian(s[36..], p.Binning);
        BinaryPrimitives.WriteInt64LittleEndian(s[40..], p.SequenceNumber);
        BinaryPrimitives.WriteInt64LittleEndian(s[48..], p.TimestampTicks);
        BinaryPrimitives.WriteDoubleLittleEndian(s[56..], p.ExposureMs);
        BinaryPrimitives.WriteDoubleLittleEndian(s[64..], p.StageXUm);
        BinaryPrimitives.WriteDoubleLittleEndian(s[72..], p.StageYUm);
        BinaryPrimitives.WriteDoubleLittleEndian(s[80..], p.StageZUm);
        BinaryPrimitives.WriteDoubleLittleEndian(s[88..], p.PixelSizeUm);
        BinaryPrimitives.WriteUInt32LittleEndian(b[^4..], PlaneJournal.Checksum(b[..^4]));
        _stream.Write(b);
        Flush(flushToDisk);
    }

    /// <summary>Records a channel name learned from a frame (once per channel, so the allocation does not recur).</summary>
    public void AppendChannelName(int channelIndex, string name)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(name);
        var b = new byte[1 + 8 + utf8.Length + 4];
        b[0] = PlaneJournal.ChannelTag;
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(1), channelIndex);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(5), utf8.Length);
        utf8.CopyTo(b, 9);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(b.Length - 4), PlaneJournal.Checksum(b.AsSpan(0, b.Length - 4)));
        _stream.Write(b);
        _stream.Flush();
    }

    private void Flush(bool toDisk)
    {
        if (toDisk && _stream is FileStream fs) fs.Flush(flushToDisk: true);
        else _stream.Flush();
    }

    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }
}

/// <summary>What a journal says: the description, the channel names learned on the way, and every intact plane record.</summary>
public sealed record PlaneJournalContents(
    StackDescription Description,
    IReadOnlyDictionary<int, string> ChannelNames,
    IReadOnlyList<PlaneRecord> Planes,
    bool EndedCleanly,
    bool ForceBigTiff);

public static class PlaneJournal
{
    internal const byte PlaneTag = 1;
    internal const byte ChannelTag = 2;
    internal const int PlaneRecordSize = 1 + 96 + 4;
    internal static ReadOnlySpan<byte> Magic => "LSJRNL01"u8;
    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    public static string PathFor(string tiffPath) => tiffPath + ".journal";

    /// <summary>What the journal says once, at its start: everything the finish needs besides the planes.</summary>
    internal sealed record Header(StackDescription Description, bool ForceBigTiff);

    /// <summary>Reads a journal up to its first torn or corrupt record (the tail a crash may leave).</summary>
    public static PlaneJournalContents Read(Stream stream)
    {
        var head = new byte[Magic.Length + 4];
        stream.ReadExactly(head);
        if (!head.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException("not a LiveScope plane journal (bad magic)");
        int jsonLength = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(Magic.Length));
        var json = new byte[jsonLength];
        stream.ReadExactly(json);
        var header = JsonSerializer.Deserialize<Header>(json, JsonOptions);
        var description = header?.Description ?? throw new InvalidDataException("plane journal has an empty description");

        var rest = new MemoryStream();
        stream.CopyTo(rest);
        var data = rest.GetBuffer().AsSpan(0, (int)rest.Length);
        var planes = new List<PlaneRecord>();
        var channels = new Dictionary<int, string>();
        bool clean = true;
        int at = 0;
        while (at < data.Length)
        {
            if (data[at] == PlaneTag && at + PlaneRecordSize <= data.Length)
            {
                var b = data.Slice(at, PlaneRecordSize);
                if (Checksum(b[..^4]) != BinaryPrimitives.ReadUInt32LittleEndian(b[^4..])) { clean = false; break; }
                planes.Add(DecodePlane(b[1..^4]));
                at += PlaneRecordSize;
            }
            else if (data[at] == ChannelTag && at + 9 <= data.Length)
            {
                int index = BinaryPrimitives.ReadInt32LittleEndian(data[(at + 1)..]);
                int length = BinaryPrimitives.ReadInt32LittleEndian(data[(at + 5)..]);
                int size = 9 + length + 4;
                if (length < 0 || at + size > data.Length) { clean = false; break; }
                var b = data.Slice(at, size);
                if (Checksum(b[..^4]) != BinaryPrimitives.ReadUInt32LittleEndian(b[^4..])) { clean = false; break; }
                channels[index] = Encoding.UTF8.GetString(b.Slice(9, length));
                at += size;
            }
            else { clean = false; break; }
        }
        return new PlaneJournalContents(description, channels, planes, clean, header.ForceBigTiff);
    }

    private static PlaneRecord DecodePlane(ReadOnlySpan<byte> s) => new(
        BinaryPrimitives.ReadInt64LittleEndian(s[0..]),
        BinaryPrimitives.ReadInt64LittleEndian(s[8..]),
        BinaryPrimitives.ReadInt32LittleEndian(s[16..]),
        BinaryPrimitives.ReadInt32LittleEndian(s[20..]),
        BinaryPrimitives.ReadInt32LittleEndian(s[24..]),
        BinaryPrimitives.ReadInt32LittleEndian(s[28..]),
        BinaryPrimitives.ReadInt32LittleEndian(s[32..]),
        BinaryPrimitives.ReadInt32LittleEndian(s[36..]),
        BinaryPrimitives.ReadInt64LittleEndian(s[40..]),
        BinaryPrimitives.ReadInt64LittleEndian(s[48..]),
        BinaryPrimitives.ReadDoubleLittleEndian(s[56..]),
        BinaryPrimitives.ReadDoubleLittleEndian(s[64..]),
        BinaryPrimitives.ReadDoubleLittleEndian(s[72..]),
        BinaryPrimitives.ReadDoubleLittleEndian(s[80..]),
        BinaryPrimitives.ReadDoubleLittleEndian(s[88..]));

    /// <summary>FNV-1a: enough to tell a torn record from a whole one, and allocation-free.</summary>
    internal static uint Checksum(ReadOnlySpan<byte> bytes)
    {
        uint h = 2166136261;
        foreach (byte x in bytes) { h ^= x; h *= 16777619; }
        return h;
    }
}
