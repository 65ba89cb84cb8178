using System.ComponentModel;
using LiveScope.Core.Config;

namespace LiveScope.Replay;

/// <summary>Settings of a replay camera (<c>devices[].settings</c> of a camera with <c>backend: replay</c>).</summary>
public sealed record ReplayCameraOptions
{
    [Description("OME-TIFF to play back, or a run folder holding one file per position (then pick one with position). " +
                 "Relative paths resolve against the device-config's folder, then the current directory. Required.")]
    public string? File { get; init; }

    [Description("Pace of the frames: original (the recording's own plane timestamps) or a number of frames per second. Default original.")]
    public string Rate { get; init; } = "original";

    [Description("Start again from the first plane when the recording is exhausted; without it the next frame is an error. Default false.")]
    public bool Loop { get; init; }

    [Description("Channel to play when the file has several: its name or its index. Default: every plane (required when the file has more than one channel).")]
    public string? Channel { get; init; }

    [Description("Only the planes of this z-slice (index); default every slice, in file order.")]
    [ConfigRange(0, 100_000)]
    public int? ZIndex { get; init; }

    [Description("When file is a run folder with several positions: the position (file name without .ome.tif) to play.")]
    public string? Position { get; init; }

    [Description("Unbinned pixel size at the sample, µm; default the file's PhysicalSizeX (required when the file has none).")]
    [ConfigRange(0.001, 1000)]
    public double? PixelSizeUm { get; init; }

    [Description("Bits per pixel the recording's camera digitised. Default 16.")]
    [ConfigRange(8, 16)]
    public int BitDepth { get; init; } = 16;

    [Description("Longest exposure the camera accepts, ms (exposure changes are accepted but do not change the recorded pixels). Default 10000.")]
    [ConfigRange(0.01, 1_000_000)]
    public double MaxExposureMs { get; init; } = 10_000;
}
