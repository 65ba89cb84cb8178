using System.Buffers.Binary;
using System.IO.Compression;

namespace LiveScope.Analysis.Output;

/// <summary>A minimal PNG encoder (8-bit RGB, filter 0, zlib) — enough for overlay previews without an imaging library.</summary>
public static class PngWriter
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>
    /// Writes width × height RGB pixels (3 bytes each, row-major). The compressed data is gathered in
    /// <paramref name="scratch"/> when given (emptied first, kept by the caller for the next image), else in a new stream.
    /// </summary>
    public static void WriteRgb(Stream output, ReadOnlySpan<byte> rgb, int width, int height, MemoryStream? scratch = null)
    {
        if (rgb.Length < width * height * 3) throw new ArgumentException("fewer bytes than width × height × 3", nameof(rgb));
        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; header[9] = 2; header[10] = 0; header[11] = 0; header[12] = 0;   // 8-bit, truecolour, no interlace
        WriteChunk(output, "IHDR"u8, header);

        var compressed = scratch ?? new MemoryStream();
        compressed.SetLength(0);
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0);   // filter: none
                z.Write(rgb.Slice(y * width * 3, width * 3));
            }
        }
        WriteChunk(output, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND"u8, []);
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        uint crc = Crc(Crc(0xFFFFFFFFu, type), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
