using LiveScope.Core.Imaging;

namespace LiveScope.Core.Devices;

/// <summary>Region of interest on the sensor, in unbinned sensor pixels.</summary>
public readonly record struct SensorRoi(int X, int Y, int Width, int Height);

/// <summary>What a camera is asked to do for the next frames.</summary>
public sealed record CameraSettings
{
    public double ExposureMs { get; init; } = 50;
    /// <summary>Null means the full sensor.</summary>
    public SensorRoi? Roi { get; init; }
    public int Binning { get; init; } = 1;
}

/// <summary>
/// A camera producing 16-bit frames into pooled buffers. Frames carry the camera's metadata (sequence number,
/// timestamp on the microscope clock, exposure); callers add stage position and channel. Every frame returned
/// must be disposed, which hands its buffer back to the pool.
/// </summary>
public interface ICamera : IDevice
{
    int SensorWidth { get; }
    int SensorHeight { get; }
    /// <summary>Bits per pixel the sensor digitises (12, 14, 16); values never exceed 2^BitDepth − 1.</summary>
    int BitDepth { get; }
    /// <summary>Size of one unbinned pixel at the sample, µm.</summary>
    double PixelSizeUm { get; }
    CameraSettings Settings { get; }

    /// <summary>Validates and applies exposure, ROI and binning; out-of-range values throw <see cref="DeviceLimitException"/>.</summary>
    Task ApplyAsync(CameraSettings settings, CancellationToken ct);

    Task<Frame> SnapAsync(CancellationToken ct);

    /// <summary>Streams <paramref name="frameCount"/> frames (0: until cancelled) at the camera's own pace.</summary>
    IAsyncEnumerable<Frame> StreamAsync(int frameCount, CancellationToken ct);
}

public static class CameraImage
{
    /// <summary>Size of the frames the camera delivers with its current settings: the ROI (or sensor) over the binning.</summary>
    public static (int Width, int Height) SizeOf(ICamera camera)
    {
        int binning = Math.Max(1, camera.Settings.Binning);
        return ((camera.Settings.Roi?.Width ?? camera.SensorWidth) / binning, (camera.Settings.Roi?.Height ?? camera.SensorHeight) / binning);
    }
}
