using System.Buffers.Binary;

namespace LiveScope.Storage.OmeTiff;

/// <summary>
/// The little TIFF this project needs: little-endian, one uncompressed 16-bit grey strip per plane, classic or
/// BigTIFF. The first <see cref="HeaderReserve"/> bytes are reserved so either header fits, which lets the format be
/// chosen at the end, when the real size is known.
/// </summary>
internal static class TiffFormat
{
    public const int HeaderReserve = 16;
    /// <summary>Classic TIFF offsets are 32-bit: anything at or past 4 GiB needs BigTIFF.</summary>
    public const long ClassicLimit = 1L << 32;

    public const ushort TagImageWidth = 256, TagImageLength = 257, TagBitsPerSample = 258, TagCompression = 259,
        TagPhotometric = 262, TagImageDescription = 270, TagStripOffsets = 273, TagSamplesPerPixel = 277,
        TagRowsPerStrip = 278, TagStripByteCounts = 279, TagPlanarConfiguration = 284, TagSampleFormat = 339;

    public const ushort TypeAscii = 2, TypeShort = 3, TypeLong = 4, TypeLong8 = 16;

    private const int PlaneEntries = 11;

    public static int EntrySize(bool big) => big ? 20 : 12;

    public static int IfdSize(bool big, bool withDescription)
    {
        int n = PlaneEntries + (withDescription ? 1 : 0);
        return big ? 8 + n * 20 + 8 : 2 + n * 12 + 4;
    }

    /// <summary>The header written while a file is still being streamed: marks it unfinished (no first IFD yet).</summary>
    public static void WriteUnfinishedHeader(Span<byte> header)
    {
        header[..HeaderReserve].Clear();
        header[0] = (byte)'I';
        header[1] = (byte)'I';
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], 42);
    }

    public static void WriteHeader(Span<byte> header, bool big, long firstIfdOffset)
    {
        header[..HeaderReserve].Clear();
        header[0] = (byte)'I';
        header[1] = (byte)'I';
        if (big)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header[2..], 43);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 8);
            BinaryPrimitives.WriteUInt64LittleEndian(header[8..], (ulong)firstIfdOffset);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header[2..], 42);
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], checked((uint)firstIfdOffset));
        }
    }

    /// <summary>Encodes one plane's IFD (tags in ascending order, as TIFF requires); returns its size in bytes.</summary>
    public static int WriteIfd(Span<byte> buffer, bool big, in PlaneRecord plane, long nextIfdOffset,
        long descriptionOffset, long descriptionCount)
    {
        bool withDescription = descriptionCount > 0;
        int n = PlaneEntries + (withDescription ? 1 : 0);
        int at;
        if (big) { BinaryPrimitives.WriteUInt64LittleEndian(buffer, (ulong)n); at = 8; }
        else { BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)n); at = 2; }

        at = Entry(buffer, at, big, TagImageWidth, TypeLong, 1, plane.Width);
        at = Entry(buffer, at, big, TagImageLength, TypeLong, 1, plane.Height);
        at = Entry(buffer, at, big, TagBitsPerSample, TypeShort, 1, 16);
        at = Entry(buffer, at, big, TagCompression, TypeShort, 1, 1);
        at = Entry(buffer, at, big, TagPhotometric, TypeShort, 1, 1); // BlackIsZero
        if (withDescription) at = Entry(buffer, at, big, TagImageDescription, TypeAscii, descriptionCount, descriptionOffset);
        at = Entry(buffer, at, big, TagStripOffsets, big ? TypeLong8 : TypeLong, 1, plane.PixelOffset);
        at = Entry(buffer, at, big, TagSamplesPerPixel, TypeShort, 1, 1);
        at = Entry(buffer, at, big, TagRowsPerStrip, TypeLong, 1, plane.Height);
        at = Entry(buffer, at, big, TagStripByteCounts, big ? TypeLong8 : TypeLong, 1, plane.ByteCount);
        at = Entry(buffer, at, big, TagPlanarConfiguration, TypeShort, 1, 1);
        at = Entry(buffer, at, big, TagSampleFormat, TypeShort, 1, 1); // unsigned integer

        if (big) { BinaryPrimitives.WriteUInt64LittleEndian(buffer[at..], (ulong)nextIfdOffset); at += 8; }
        else { BinaryPrimitives.WriteUInt32LittleEndian(buffer[at..], checked((uint)nextIfdOffset)); at += 4; }
        return at;
    }

    private static int Entry(Span<byte> b, int at, bool big, ushort tag, ushort type, long count, long value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(b[at..], tag);
        BinaryPrimitives.WriteUInt16LittleEndian(b[(at + 2)..], type);
        if (big)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b[(at + 4)..], (ulong)count);
            b.Slice(at + 12, 8).Clear();
            if (type == TypeShort) BinaryPrimitives.WriteUInt16LittleEndian(b[(at + 12)..], (ushort)value);
            else BinaryPrimitives.WriteUInt64LittleEndian(b[(at + 12)..], (ulong)value);
            return at + 20;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(b[(at + 4)..], checked((uint)count));
        b.Slice(at + 8, 4).Clear();
        if (type == TypeShort) BinaryPrimitives.WriteUInt16LittleEndian(b[(at + 8)..], (ushort)value);
        else BinaryPrimitives.WriteUInt32LittleEndian(b[(at + 8)..], checked((uint)value));
        return at + 12;
    }
}
