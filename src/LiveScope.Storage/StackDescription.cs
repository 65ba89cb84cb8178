namespace LiveScope.Storage;

/// <summary>OME dimension orders; the first two letters are always XY (one plane), the rest say how planes nest.</summary>
public enum OmeDimensionOrder { XYZCT, XYZTC, XYCTZ, XYCZT, XYTCZ, XYTZC }

/// <summary>
/// What one image stack (one stage position of a run) is, as far as is known when it starts. The planned sizes are
/// a plan: the file records the planes that actually arrive, and the plan only decides BigTIFF early.
/// Pixel size, width and height come from the frames when not given here.
/// </summary>
public sealed record StackDescription
{
    public string ImageName { get; init; } = "image";
    public int PositionIndex { get; init; }
    public string? PositionName { get; init; }
    public int PlannedSizeT { get; init; } = 1;
    public int PlannedSizeC { get; init; } = 1;
    public int PlannedSizeZ { get; init; } = 1;
    /// <summary>Channel names by channel index; a frame's own channel name fills any gap.</summary>
    public IReadOnlyList<string> ChannelNames { get; init; } = [];
    public double? PixelSizeUm { get; init; }
    public double? ZStepUm { get; init; }
    public OmeDimensionOrder DimensionOrder { get; init; } = OmeDimensionOrder.XYCZT;
    /// <summary>Free text for the OME Image Description (e.g. the protocol's name).</summary>
    public string? Description { get; init; }
    /// <summary>Sample and condition labels (cell line, condition, treatment history), kept as an OME MapAnnotation.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset? AcquisitionStartUtc { get; init; }

    public long PlannedPlaneCount => (long)Math.Max(1, PlannedSizeT) * Math.Max(1, PlannedSizeC) * Math.Max(1, PlannedSizeZ);
}
