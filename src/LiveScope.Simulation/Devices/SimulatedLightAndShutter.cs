using LiveScope.Core.Devices;
using LiveScope.Simulation.Options;

namespace LiveScope.Simulation.Devices;

/// <summary>Excitation light with channel presets; only channels near GFP's excitation peak light up the IR-GFP.</summary>
public sealed class SimulatedLightSource : SimulatedDevice, ILightSource
{
    private readonly ChannelPreset[] _channels;
    private ChannelPreset? _active;
    private double _power;

    public SimulatedLightSource(string name, SimulatedSession session, SimLightSourceOptions options)
        : base(name, DeviceKind.LightSource, session, TimeSpan.FromMilliseconds(options.TimeoutMs))
    {
        _channels = options.Channels.Select(c => new ChannelPreset(c.Name, c.ExcitationNm, c.EmissionFilter, c.PowerFraction, c.ExposureMs)).ToArray();
        _active = Array.Find(_channels, c => c.Name == options.DefaultChannel);
        _power = _active?.PowerFraction ?? 0;
    }

    public IReadOnlyList<ChannelPreset> Channels => _channels;
    public ChannelPreset? ActiveChannel => _active;
    public double PowerFraction => Volatile.Read(ref _power);

    public Task SelectChannelAsync(string channel, CancellationToken ct) => Bounded("select channel", _ =>
    {
        var preset = Array.Find(_channels, c => string.Equals(c.Name, channel, StringComparison.OrdinalIgnoreCase))
            ?? throw new DeviceLimitException(Name, "select channel",
                $"no channel '{channel}'; known: {string.Join(", ", _channels.Select(c => c.Name))}");
        _active = preset;
        SetPower(preset.PowerFraction);
        return Task.CompletedTask;
    }, ct);

    public Task SetPowerAsync(double fraction, CancellationToken ct) => Bounded("set power", _ =>
    {
        SetPower(fraction);
        return Task.CompletedTask;
    }, ct);

    private void SetPower(double fraction)
    {
        double max = Math.Min(1, Session.Limits.MaxLightPowerFraction);
        if (!(fraction >= 0) || fraction > max)
            throw new DeviceLimitException(Name, "set power", $"power {fraction} is outside [0, {max}]");
        Volatile.Write(ref _power, fraction);
    }

    /// <summary>Light off (power 0); selecting a channel or setting the power turns it on again.</summary>
    public override Task MakeSafeAsync(CancellationToken ct)
    {
        Session.CountMakeSafe();
        Volatile.Write(ref _power, 0);
        return Task.CompletedTask;
    }
}

/// <summary>The excitation shutter. The camera's auto-shutter opens it only for the length of an exposure.</summary>
public sealed class SimulatedShutter(string name, SimulatedSession session, SimShutterOptions options)
    : SimulatedDevice(name, DeviceKind.Shutter, session, TimeSpan.FromMilliseconds(options.TimeoutMs)), IShutter
{
    private int _open;

    public bool IsOpen => Volatile.Read(ref _open) != 0;

    public Task SetOpenAsync(bool open, CancellationToken ct) => Bounded(open ? "open" : "close", async token =>
    {
        await Session.Clock.AdvanceAsync(TimeSpan.FromMilliseconds(options.ActuationMs), token).ConfigureAwait(false);
        SetOpenDirect(open);
    }, ct);

    internal void SetOpenDirect(bool open) => Volatile.Write(ref _open, open ? 1 : 0);

    public override Task MakeSafeAsync(CancellationToken ct)
    {
        Session.CountMakeSafe();
        SetOpenDirect(false);
        return Task.CompletedTask;
    }
}
