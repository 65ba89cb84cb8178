namespace LiveScope.Storage.OmeTiff;

/// <summary>How an <see cref="OmeTiffWriter"/> trades durability against speed.</summary>
public sealed record OmeTiffWriterOptions
{
    /// <summary>Write BigTIFF even when the file would fit classic TIFF (tests, or tools that want it).</summary>
    public bool ForceBigTiff { get; init; }
    /// <summary>Hand each plane to the operating system before returning, so a killed process loses nothing written.</summary>
    public bool FlushEveryPlane { get; init; } = true;
    /// <summary>Also fsync each plane and journal record: survives power loss, at a large cost in throughput.</summary>
    public bool SyncToDiskEveryPlane { get; init; }
    /// <summary>
    /// Start the disk write of each plane at once, without waiting (Linux): memory does not fill with dirty pages
    /// on long runs and the fsync that completes a file has little left to do. Needs <see cref="FlushEveryPlane"/>.
    /// </summary>
    public bool StartWritebackEveryPlane { get; init; } = true;
}
