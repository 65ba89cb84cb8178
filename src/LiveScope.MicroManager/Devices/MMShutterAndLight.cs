using LiveScope.Core.Devices;
using LiveScope.MicroManager.Core;

namespace LiveScope.MicroManager.Devices;

/// <summary>A Micro-Manager shutter; making it safe closes it.</summary>
public sealed class MMShutter(string name, string label, MMCore core, TimeSpan callTimeout)
    : MMDevice(name, label, core, callTimeout), IShutter
{
    private volatile bool _open;

    public override DeviceKind Kind => DeviceKind.Shutter;
    public bool IsOpen => _open;

    public Task SetOpenAsync(bool open, CancellationToken ct) =>
        RunAsync(open ? "open" : "close", () =>
        {
            Core.SetShutterOpen(Label, open);
            Core.WaitForDevice(Label);
            _open = Core.GetShutterOpen(Label);
        }, ct);

    public override Task MakeSafeAsync(CancellationToken ct) => SetOpenAsync(false, ct);
}

/// <summary>Where a light source's power is set: one device property, scaled so fraction 1 is <see cref="Max"/>.</summary>
public sealed record MMPowerProperty
{
    public string Device { get; init; } = "";
    public string Property { get; init; } = "";
    public double Max { get; init; } = 100;
}

/// <summary>
/// A Micro-Manager configuration group (the channel group: filters, LEDs, lasers) as a light source: each preset
/// is a channel. Power goes to an optional device property; without one, power stays at 1 (the presets decide).
/// </summary>
public sealed class MMLightSource : MMDevice, ILightSource
{
    private readonly MMPowerProperty? _power;
    private ChannelPreset? _active;
    private double _powerFraction = 1;

    public MMLightSource(string name, string group, MMCore core, TimeSpan callTimeout, IReadOnlyList<ChannelPreset> channels, MMPowerProperty? power)
        : base(name, group, core, callTimeout)
    {
        Channels = channels;
        _power = power;
        var current = core.GetCurrentConfig(group);
        _active = channels.FirstOrDefault(c => c.Name == current);
    }

    public override DeviceKind Kind => DeviceKind.LightSource;
    /// <summary>The configuration group this light source switches.</summary>
    public string Group => Label;
    public IReadOnlyList<ChannelPreset> Channels { get; }
    public ChannelPreset? ActiveChannel => _active;
    public double PowerFraction => _powerFraction;

    public Task SelectChannelAsync(string channel, CancellationToken ct)
    {
        var preset = Channels.FirstOrDefault(c => c.Name == channel)
            ?? throw new DeviceLimitException(Name, "select channel",
                $"no preset '{channel}' in group '{Group}'; presets: {string.Join(", ", Channels.Select(c => c.Name))}");
        return RunAsync("select channel", () =>
        {
            Core.SetConfig(Group, channel);
            Core.WaitForConfig(Group, channel);
            _active = preset;
        }, ct);
    }

    public Task SetPowerAsync(double fraction, CancellationToken ct)
    {
        if (double.IsNaN(fraction) || fraction < 0 || fraction > 1)
            throw new DeviceLimitException(Name, "set power", $"power fraction {fraction} is outside 0 to 1");
        if (_power is null)
        {
            _powerFraction = fraction;
            return Task.CompletedTask;
        }
        return RunAsync("set power", () =>
        {
            Core.SetProperty(_power.Device, _power.Property, fraction * _power.Max);
            _powerFraction = fraction;
        }, ct);
    }

    /// <summary>Light is gated by shutters; a configured power property is turned down to 0 as well.</summary>
    public override Task MakeSafeAsync(CancellationToken ct) => _power is null ? Task.CompletedTask : SetPowerAsync(0, ct);
}

/// <summary>A Micro-Manager autofocus device (fullFocus), ending with the focus stage at the result.</summary>
public sealed class MMAutofocus(string name, string label, MMCore core, TimeSpan callTimeout)
    : MMDevice(name, label, core, callTimeout), IAutofocus
{
    public override DeviceKind Kind => DeviceKind.Autofocus;
    public string Method => $"Micro-Manager {Label}";

    public Task<AutofocusResult> FocusAsync(CancellationToken ct) =>
        RunAsync("focus", () =>
        {
            if (Core.GetRoleDevice(CoreRole.AutoFocus) != Label) Core.SetRoleDevice(CoreRole.AutoFocus, Label);
            bool ok = true;
            try { Core.FullFocus(); }
            catch (MicroManagerException) { ok = false; }
            var focus = Core.GetRoleDevice(CoreRole.Focus);
            double z = focus.Length > 0 ? Core.GetPosition(focus) : double.NaN;
            return new AutofocusResult(ok, z, Core.GetLastFocusScore());
        }, ct, CallTimeout * 3);

    public override Task MakeSafeAsync(CancellationToken ct) => Task.CompletedTask;
}
