using System.Buffers.Binary;
using System.Text;

namespace LiveScope.Storage.OmeTiff;

/// <summary>One image file directory, reduced to what a 16-bit grey plane needs.</summary>
internal sealed record TiffDirectory(
    long Offset, int Width, int Height, int BitsPerSample, int Compression, int SamplesPerPixel,
    long[] StripOffsets, long[] StripByteCounts, string? Description);

/// <summary>Walks the IFD chain of a little-endian classic or BigTIFF file.</summary>
internal static class TiffDirectoryReader
{
    public static (bool Big, List<TiffDirectory> Directories) ReadAll(Stream s, int maxDirectories = 10_000_000)
    {
        var header = new byte[16];
        s.Position = 0;
        int got = s.ReadAtLeast(header, 8, throwOnEndOfStream: false);
        if (got < 8 || header[0] != 'I' || header[1] != 'I')
            throw new InvalidDataException("not a little-endian TIFF file");
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(2));
        bool big = version switch
        {
            42 => false,
            43 => true,
            _ => throw new InvalidDataException($"unknown TIFF version {version}"),
        };
        if (big && got < 16) throw new InvalidDataException("truncated BigTIFF header");
        long next = big ? (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(8))
                        : BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
        if (next == 0)
            throw new InvalidDataException("the TIFF has no image directory: it was not finished (run 'livescope recover')");

        var directories = new List<TiffDirectory>();
        var seen = new HashSet<long>();
        while (next != 0)
        {
            if (!seen.Add(next) || directories.Count >= maxDirectories)
                throw new InvalidDataException($"IFD chain loops or is too long at offset {next}");
            if (next < 8 || next >= s.Length) throw new InvalidDataException($"IFD offset {next} lies outside the file");
            var (dir, following) = ReadOne(s, big, next);
            directories.Add(dir);
            next = following;
        }
        return (big, directories);
    }

    private static (TiffDirectory, long) ReadOne(Stream s, bool big, long offset)
    {
        s.Position = offset;
        Span<byte> countBytes = stackalloc byte[8];
        s.ReadExactly(countBytes[..(big ? 8 : 2)]);
        long count = big ? (long)BinaryPrimitives.ReadUInt64LittleEndian(countBytes) : BinaryPrimitives.ReadUInt16LittleEndian(countBytes);
        if (count is <= 0 or > 4096) throw new InvalidDataException($"implausible IFD entry count {count} at offset {offset}");
        int entrySize = TiffFormat.EntrySize(big);
        var entries = new byte[count * entrySize + (big ? 8 : 4)];
        s.ReadExactly(entries);
        long next = big ? (long)BinaryPrimitives.ReadUInt64LittleEndian(entries.AsSpan(entries.Length - 8))
                        : BinaryPrimitives.ReadUInt32LittleEndian(entries.AsSpan(entries.Length - 4));

        int width = 0, height = 0, bits = 1, compression = 1, samples = 1;
        long[] offsets = [], byteCounts = [];
        string? description = null;
        for (int i = 0; i < count; i++)
        {
            var e = entries.AsSpan(i * entrySize, entrySize);
            ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(e);
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(e[2..]);
            switch (tag)
            {
                case TiffFormat.TagImageWidth: width = (int)Values(s, big, e, type)[0]; break;
                case TiffFormat.TagImageLength: height = (int)Values(s, big, e, type)[0]; break;
                case TiffFormat.TagBitsPerSample: bits = (int)Values(s, big, e, type)[0]; break;
                case TiffFormat.TagCompression: compression = (int)Values(s, big, e, type)[0]; break;
                case TiffFormat.TagSamplesPerPixel: samples = (int)Values(s, big, e, type)[0]; break;
                case TiffFormat.TagStripOffsets: offsets = Values(s, big, e, type); break;
                case TiffFormat.TagStripByteCounts: byteCounts = Values(s, big, e, type); break;
                case TiffFormat.TagImageDescription:
                    description = Encoding.UTF8.GetString(Raw(s, big, e, 1)).TrimEnd('\0');
                    break;
            }
        }
        return (new TiffDirectory(offset, width, height, bits, compression, samples, offsets, byteCounts, description), next);
    }

    private static long[] Values(Stream s, bool big, ReadOnlySpan<byte> entry, ushort type)
    {
        int size = type switch
        {
            TiffFormat.TypeShort => 2,
            TiffFormat.TypeLong => 4,
            TiffFormat.TypeLong8 => 8,
            _ => throw new InvalidDataException($"unexpected TIFF field type {type}"),
        };
        byte[] raw = Raw(s, big, entry, size);
        var values = new long[raw.Length / size];
        for (int i = 0; i < values.Length; i++)
            values[i] = size switch
            {
                2 => BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(i * 2)),
                4 => BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(i * 4)),
                _ => (long)BinaryPrimitives.ReadUInt64LittleEndian(raw.AsSpan(i * 8)),
            };
        return values;
    }

    /// <summary>A field's bytes: inline in the entry when they fit, else at the offset the entry holds.</summary>
    private static byte[] Raw(Stream s, bool big, ReadOnlySpan<byte> entry, int elementSize)
    {
        long count = big ? (long)BinaryPrimitives.ReadUInt64LittleEndian(entry[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
        long length = count * elementSize;
        int inline = big ? 8 : 4;
        var valueField = entry[(big ? 12 : 8)..];
        if (length <= inline) return valueField[..(int)length].ToArray();
        if (length > int.MaxValue) throw new InvalidDataException("TIFF field too large");
        long at = big ? (long)BinaryPrimitives.ReadUInt64LittleEndian(valueField) : BinaryPrimitives.ReadUInt32LittleEndian(valueField);
        if (at + length > s.Length) throw new InvalidDataException($"TIFF field at {at} runs past the end of the file");
        long back = s.Position;
        var bytes = new byte[length];
        s.Position = at;
        s.ReadExactly(bytes);
        s.Position = back;
        return bytes;
    }
}
