using LiveScope.Acquisition.Protocols;
using LiveScope.Core.Hardware;

namespace LiveScope.Acquisition.Tests.Protocols;

/// <summary>A small valid protocol and a hand-built rig, for tests that change one thing and read the exact error.</summary>
internal static class ProtocolText
{
    /// <summary>Line numbers matter: tests name them in expected messages.</summary>
    public const string Minimal = """
        name: t
        positions:
          - { name: a, x_um: 0, y_um: 0 }
        channels:
          - { preset: GFP, exposure_ms: 50 }
        phases:
          - name: baseline
            interval: 30 s
            duration: 5 min
        """;

    public static readonly RigCapabilities Rig = new()
    {
        Name = "test",
        Limits = new MicroscopeLimits
        {
            MaxExposureMs = 1000, MaxLightPowerFraction = 0.8, MaxBleachPowerFraction = 1.0, MaxBleachDwellMs = 5,
        },
        HasPhotoTargeter = true,
        HasLiquidHandler = true,
        HasAutofocus = true,
        Reagents = ["insulin", "metformin"],
        ChannelPresets = ["GFP", "mCherry"],
        XLimitsUm = new(-5000, 5000),
        YLimitsUm = new(-5000, 5000),
        ZLimitsUm = new(0, 100),
        XYSettleMs = 50,
        FocusSettleMs = 20,
        SensorWidthPx = 512,
        SensorHeightPx = 512,
        PixelSizeUm = 0.1625,
        ReadoutOverheadMs = 20,
        StageSpeedUmPerS = 5000,
        ChannelSwitchMs = 10,
        AutofocusMs = 1000,
    };

    public static LoadedProtocol Parse(string yaml, string file = "p.yaml") => new ProtocolLoader(Rig).Parse(yaml, file);

    /// <summary>Loading errors, or else validation errors against <paramref name="rig"/>, as the user reads them.</summary>
    public static IReadOnlyList<string> Errors(string yaml, RigCapabilities? rig = null)
    {
        try
        {
            var loaded = Parse(yaml);
            return new ProtocolValidator(rig ?? Rig).Validate(loaded).Select(e => e.Message).ToList();
        }
        catch (ProtocolValidationException e)
        {
            return e.Errors.Select(x => x.Message).ToList();
        }
    }

    public static string Error(string yaml, RigCapabilities? rig = null)
    {
        var errors = Errors(yaml, rig);
        errors.Should().HaveCount(1, string.Join("\n", errors));
        return errors[0];
    }
}
