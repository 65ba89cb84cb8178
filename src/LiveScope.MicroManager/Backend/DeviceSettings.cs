using LiveScope.MicroManager.Devices;

namespace LiveScope.MicroManager.Backend;

// The settings: block of each device kind in a device config. "label" is the Micro-Manager device label; without
// it the device of Core's role for that kind is used, else the device whose label is the LiveScope name, else the
// only device of that type.

public sealed record MMCameraSettings
{
    public string? Label { get; init; }
    public string? PixelType { get; init; }
    public double PixelSizeUm { get; init; } = 1.0;
    public int StreamQueueFrames { get; init; } = 4;
}

public sealed record MMXYStageSettings
{
    public string? Label { get; init; }
    public double XMinUm { get; init; } = -50_000;
    public double XMaxUm { get; init; } = 50_000;
    public double YMinUm { get; init; } = -50_000;
    public double YMaxUm { get; init; } = 50_000;
    public double SettleMs { get; init; }
}

public sealed record MMFocusSettings
{
    public string? Label { get; init; }
    public double MinUm { get; init; } = -10_000;
    public double MaxUm { get; init; } = 10_000;
    public double SettleMs { get; init; }
}

public sealed record MMLabelSettings
{
    public string? Label { get; init; }
}

/// <summary>What the .cfg cannot say about a channel; overrides what LiveScope reads from the preset.</summary>
public sealed record MMChannelOverride
{
    public double? ExcitationNm { get; init; }
    public string? EmissionFilter { get; init; }
    public double? ExposureMs { get; init; }
}

public sealed record MMLightSourceSettings
{
    /// <summary>Configuration group whose presets are the channels; default: Core's channel group, else "Channel".</summary>
    public string? Group { get; init; }
    public double ExposureMs { get; init; } = 10;
    public MMPowerProperty? Power { get; init; }
    public Dictionary<string, MMChannelOverride> Channels { get; init; } = [];
}

public sealed record MMGalvoSettings
{
    public string? Label { get; init; }
    public double SpotDiameterPx { get; init; } = 3;
    public bool UsePolygons { get; init; } = true;
    public MMPowerProperty? Power { get; init; }
}
