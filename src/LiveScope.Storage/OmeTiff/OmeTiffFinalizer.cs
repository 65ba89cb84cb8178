namespace LiveScope.Storage.OmeTiff;

/// <summary>
/// Turns streamed pixel blocks into a complete OME-TIFF: after the last pixel block it appends the OME-XML and a
/// chain of one IFD per plane pointing back at the pixels, and only then rewrites the header to point at the chain.
/// The header write is the commit point, so a crash anywhere before it leaves a file recovery can finish the same
/// way. The writer's normal close and recovery share this one code path.
/// </summary>
internal static class OmeTiffFinalizer
{
    /// <summary>Returns whether the file was written as BigTIFF.</summary>
    public static bool Finish(Stream tiff, long dataEnd, IReadOnlyList<PlaneRecord> planes, byte[] omeXmlAscii,
        bool forceBigTiff, long plannedBytes, bool flushToDisk)
    {
        if (planes.Count == 0) throw new InvalidOperationException("a TIFF needs at least one plane");
        tiff.SetLength(dataEnd);

        long xmlOffset = Even(dataEnd);
        long xmlCount = omeXmlAscii.Length + 1; // TIFF ASCII values end with NUL
        long firstIfd = Even(xmlOffset + xmlCount);
        bool big = forceBigTiff || plannedBytes >= TiffFormat.ClassicLimit
            || firstIfd + ChainSize(false, planes.Count) >= TiffFormat.ClassicLimit;

        tiff.Position = dataEnd;
        Span<byte> pad = stackalloc byte[1];
        if (xmlOffset > dataEnd) tiff.Write(pad);
        tiff.Write(omeXmlAscii);
        tiff.Write(pad);
        if (firstIfd > xmlOffset + xmlCount) tiff.Write(pad);

        var buffer = new byte[TiffFormat.IfdSize(big, withDescription: true)];
        long at = firstIfd;
        for (int i = 0; i < planes.Count; i++)
        {
            bool first = i == 0;
            long next = i + 1 < planes.Count ? at + TiffFormat.IfdSize(big, first) : 0;
            int size = TiffFormat.WriteIfd(buffer, big, planes[i], next,
                first ? xmlOffset : 0, first ? xmlCount : 0);
            tiff.Write(buffer, 0, size);
            at += size;
        }
        // Everything above must be in the file before the header points at it (the kernel keeps write order for
        // a killed process). One fsync at the end suffices against power loss: until it returns the journal still
        // exists, so recovery redoes the finish whatever part of it reached the disk.
        tiff.Flush();

        Span<byte> header = stackalloc byte[TiffFormat.HeaderReserve];
        TiffFormat.WriteHeader(header, big, firstIfd);
        tiff.Position = 0;
        tiff.Write(header);
        Flush(tiff, flushToDisk);
        tiff.Position = tiff.Length;
        return big;
    }

    private static long ChainSize(bool big, int planeCount)
        => TiffFormat.IfdSize(big, true) + (long)(planeCount - 1) * TiffFormat.IfdSize(big, false);

    private static long Even(long offset) => (offset + 1) & ~1L;

    internal static void Flush(Stream s, bool toDisk)
    {
        if (toDisk && s is FileStream fs) fs.Flush(flushToDisk: true);
        else s.Flush();
    }
}
