using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;

namespace LiveScope.Acquisition.Protocols;

/// <summary>
/// What a microscope can do, as far as checking a protocol is concerned: safety limits, which optional devices
/// exist, what the pump carries, the light source's channel presets, stage travel, settle times and the sensor.
/// Built from an opened microscope with <see cref="From"/>, or by hand (tests, offline validation).
/// Timing figures the device interfaces do not report (readout, stage speed, channel switch, autofocus) are
/// assumptions with defaults, used only to estimate whether a timepoint fits its interval.
/// </summary>
public sealed record RigCapabilities
{
    public string Name { get; init; } = "microscope";
    public MicroscopeLimits Limits { get; init; } = new();

    public bool HasXYStage { get; init; } = true;
    public bool HasFocus { get; init; } = true;
    public bool HasPhotoTargeter { get; init; }
    public bool HasLiquidHandler { get; init; }
    public bool HasAutofocus { get; init; }

    /// <summary>Reagents the liquid handler carries (empty without one).</summary>
    public IReadOnlyList<string> Reagents { get; init; } = [];
    /// <summary>Channel preset names of the light source.</summary>
    public IReadOnlyList<string> ChannelPresets { get; init; } = [];

    /// <summary>Stage travel, µm; null when the axis is absent or unbounded.</summary>
    public AxisLimitsUm? XLimitsUm { get; init; }
    public AxisLimitsUm? YLimitsUm { get; init; }
    public AxisLimitsUm? ZLimitsUm { get; init; }

    public double XYSettleMs { get; init; }
    public double FocusSettleMs { get; init; }

    public int SensorWidthPx { get; init; } = 512;
    public int SensorHeightPx { get; init; } = 512;
    public double PixelSizeUm { get; init; } = 0.1;

    /// <summary>Assumed time between the end of one exposure and the start of the next (readout, transfer, software).</summary>
    public double ReadoutOverheadMs { get; init; } = 20;
    /// <summary>Assumed XY stage speed, µm/s.</summary>
    public double StageSpeedUmPerS { get; init; } = 5_000;
    /// <summary>Assumed time to switch light source preset / filter.</summary>
    public double ChannelSwitchMs { get; init; } = 10;
    /// <summary>Assumed time of one autofocus run.</summary>
    public double AutofocusMs { get; init; } = 1_000;

    public double FieldOfViewWidthUm => SensorWidthPx * PixelSizeUm;
    public double FieldOfViewHeightUm => SensorHeightPx * PixelSizeUm;

    /// <summary>Reads the capabilities of an opened microscope; assumed timings keep their defaults unless given.</summary>
    public static RigCapabilities From(Microscope microscope, RigCapabilities? assumptions = null)
    {
        var baseline = assumptions ?? new RigCapabilities();
        var xy = microscope.XYStage;
        var focus = microscope.Focus;
        return baseline with
        {
            Name = microscope.Name,
            Limits = microscope.Limits,
            HasXYStage = xy is not null,
            HasFocus = focus is not null,
            HasPhotoTargeter = microscope.PhotoTargeter is not null,
            HasLiquidHandler = microscope.LiquidHandler is not null,
            HasAutofocus = microscope.Autofocus is not null,
            Reagents = microscope.LiquidHandler?.Reagents.ToList() ?? [],
            ChannelPresets = microscope.LightSource?.Channels.Select(c => c.Name).ToList() ?? [],
            XLimitsUm = xy?.XLimits,
            YLimitsUm = xy?.YLimits,
            ZLimitsUm = focus?.Limits,
            XYSettleMs = xy?.SettleTime.TotalMilliseconds ?? 0,
            FocusSettleMs = focus?.SettleTime.TotalMilliseconds ?? 0,
            SensorWidthPx = microscope.Camera.SensorWidth,
            SensorHeightPx = microscope.Camera.SensorHeight,
            PixelSizeUm = microscope.Camera.PixelSizeUm,
        };
    }
}
