namespace LiveScope.Storage.OmeTiff;

/// <summary>What recovery did to one file.</summary>
/// <param name="PlanesRecovered">Complete planes now readable in the file.</param>
/// <param name="PlanesDiscarded">Planes the journal announced whose pixels never fully reached the disk.</param>
/// <param name="Removed">True when nothing complete was on disk, so the unreadable file and its journal were deleted.</param>
/// <param name="Error">Why this file could not be recovered (it is then left exactly as it was); null on success.</param>
public sealed record RecoveredFile(string Path, int PlanesRecovered, int PlanesDiscarded, long BytesTruncated, bool Removed, bool IsBigTiff,
    string? Error = null);

public sealed record RecoveryReport(IReadOnlyList<RecoveredFile> Files)
{
    public int PlanesRecovered => Files.Sum(f => f.PlanesRecovered);
}

/// <summary>
/// Finishes OME-TIFF files whose writer never completed (killed process, power loss, abandoned writer). A file
/// needs recovery exactly when its journal (<see cref="PlaneJournal.PathFor"/>) still exists. Every plane whose
/// journal record is intact and whose pixels lie wholly inside the file is kept; the partial tail is cut off, and
/// the OME-XML and IFD chain are written as a normal close would. Running it twice is harmless.
/// </summary>
public static class OmeTiffRecovery
{
    public const string JournalSuffix = ".journal";

    /// <summary>Recovers every unfinished OME-TIFF in <paramref name="runFolder"/> and its subfolders.</summary>
    public static async Task<RecoveryReport> RecoverAsync(string runFolder, CancellationToken ct = default)
    {
        if (!Directory.Exists(runFolder)) throw new DirectoryNotFoundException($"run folder not found: {runFolder}");
        var results = new List<RecoveredFile>();
        foreach (var journal in Directory.EnumerateFiles(runFolder, "*.ome.tif" + JournalSuffix, SearchOption.AllDirectories)
                     .Order(StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            string tiffPath = journal[..^JournalSuffix.Length];
            // File work is synchronous and short per file; run it off the caller's thread.
            try
            {
                results.Add(await Task.Run(() => RecoverFile(tiffPath), ct).ConfigureAwait(false));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or OverflowException or ArgumentException)
            {
                // One unreadable journal (a crash while the file was being created) must not stop the others.
                results.Add(new RecoveredFile(tiffPath, 0, 0, 0, Removed: false, IsBigTiff: false, Error: e.Message));
            }
        }
        return new RecoveryReport(results);
    }

    public static RecoveredFile RecoverFile(string tiffPath)
    {
        string journalPath = PlaneJournal.PathFor(tiffPath);
        PlaneJournalContents journal;
        using (var js = new FileStream(journalPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            journal = PlaneJournal.Read(js);

        if (!File.Exists(tiffPath))
        {
            File.Delete(journalPath);
            return new RecoveredFile(tiffPath, 0, journal.Planes.Count, 0, Removed: true, IsBigTiff: false);
        }

        using var tiff = new FileStream(tiffPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16);
        long length = tiff.Length;
        var complete = new List<PlaneRecord>(journal.Planes.Count);
        foreach (var plane in journal.Planes)
        {
            // Planes are appended in order, so the first one that is not wholly on disk ends the usable data.
            if (plane.End > length || plane.Width != journal.Planes[0].Width || plane.Height != journal.Planes[0].Height) break;
            complete.Add(plane);
        }
        int discarded = journal.Planes.Count - complete.Count;

        if (complete.Count == 0)
        {
            tiff.Dispose();
            File.Delete(tiffPath);
            File.Delete(journalPath);
            return new RecoveredFile(tiffPath, 0, discarded, length, Removed: true, IsBigTiff: false);
        }

        long dataEnd = complete[^1].End;
        byte[] xml = OmeXmlBuilder.Build(journal.Description, complete, journal.ChannelNames, Guid.NewGuid());
        long plannedBytes = journal.Description.PlannedPlaneCount * complete[0].ByteCount;
        bool big = OmeTiffFinalizer.Finish(tiff, dataEnd, complete, xml, journal.ForceBigTiff, plannedBytes, flushToDisk: true);
        tiff.Dispose();
        File.Delete(journalPath);
        return new RecoveredFile(tiffPath, complete.Count, discarded, Math.Max(0, length - dataEnd), Removed: false, big);
    }
}
