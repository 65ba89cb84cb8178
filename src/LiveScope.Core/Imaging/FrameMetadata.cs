namespace LiveScope.Core.Imaging;

/// <summary>
/// Per-frame metadata, versioned so files written today stay readable. A struct so that streaming frames
/// allocates nothing; the camera fills what it knows, the engine adds position, channel and indices.
/// </summary>
public readonly record struct FrameMetadata
{
    public const int SchemaVersion = 1;

    public long SequenceNumber { get; init; }
    /// <summary>Start of exposure on the microscope clock (simulated time on the simulator).</summary>
    public TimeSpan Timestamp { get; init; }
    public double ExposureMs { get; init; }
    public int Binning { get; init; }
    /// <summary>Pixel size at the sample after binning, µm.</summary>
    public double PixelSizeUm { get; init; }
    public double StageXUm { get; init; }
    public double StageYUm { get; init; }
    public double StageZUm { get; init; }
    public string? Channel { get; init; }
    public int TimeIndex { get; init; }
    public int ChannelIndex { get; init; }
    public int ZIndex { get; init; }
    public int PositionIndex { get; init; }
}
