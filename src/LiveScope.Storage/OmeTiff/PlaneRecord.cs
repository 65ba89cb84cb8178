using LiveScope.Core.Imaging;

namespace LiveScope.Storage.OmeTiff;

/// <summary>
/// Where one plane's pixels lie in the file and what was known about it. A struct so that recording a plane
/// allocates nothing; the same record goes to the journal and, at the end, into the OME-XML and the IFD chain.
/// </summary>
public readonly record struct PlaneRecord(
    long PixelOffset,
    long ByteCount,
    int Width,
    int Height,
    int TheT,
    int TheC,
    int TheZ,
    int Binning,
    long SequenceNumber,
    long TimestampTicks,
    double ExposureMs,
    double StageXUm,
    double StageYUm,
    double StageZUm,
    double PixelSizeUm)
{
    public long End => PixelOffset + ByteCount;

    public static PlaneRecord From(in FrameMetadata m, long pixelOffset, int width, int height) => new(
        pixelOffset, (long)width * height * sizeof(ushort), width, height,
        m.TimeIndex, m.ChannelIndex, m.ZIndex, m.Binning, m.SequenceNumber, m.Timestamp.Ticks,
        m.ExposureMs, m.StageXUm, m.StageYUm, m.StageZUm, m.PixelSizeUm);
}
