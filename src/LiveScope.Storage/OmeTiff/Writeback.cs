using System.Runtime.InteropServices;

namespace LiveScope.Storage.OmeTiff;

/// <summary>
/// Asks Linux to start writing a just-written range to disk without waiting for it (sync_file_range with
/// SYNC_FILE_RANGE_WRITE). Streaming gigabytes otherwise piles dirty pages up in memory until the final fsync,
/// which then stalls for seconds; started early, the disk works while the camera does. Elsewhere, or on a stream
/// that is not a file, it does nothing.
/// </summary>
internal static partial class Writeback
{
    private const uint SyncFileRangeWrite = 2;

    public static void Start(Stream stream, long offset, long length)
    {
        if (!OperatingSystem.IsLinux() || stream is not FileStream file || length <= 0) return;
        var handle = file.SafeFileHandle;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            // Best effort: a failure (e.g. a filesystem without support) only loses the early start.
            _ = SyncFileRange((int)handle.DangerousGetHandle(), offset, length, SyncFileRangeWrite);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(int fd, long offset, long nbytes, uint flags);
}
