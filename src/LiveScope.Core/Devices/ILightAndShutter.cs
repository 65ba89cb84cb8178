namespace LiveScope.Core.Devices;

/// <summary>A named imaging channel: excitation line, emission filter, power and a default exposure.</summary>
public sealed record ChannelPreset(string Name, double ExcitationNm, string EmissionFilter, double PowerFraction, double ExposureMs);

/// <summary>An excitation source with channel presets (laser lines, LED, filter combinations).</summary>
public interface ILightSource : IDevice
{
    IReadOnlyList<ChannelPreset> Channels { get; }
    ChannelPreset? ActiveChannel { get; }
    double PowerFraction { get; }
    Task SelectChannelAsync(string channel, CancellationToken ct);
    Task SetPowerAsync(double fraction, CancellationToken ct);
}

public interface IShutter : IDevice
{
    bool IsOpen { get; }
    Task SetOpenAsync(bool open, CancellationToken ct);
}
