using LiveScope.Acquisition.Protocols;
using static LiveScope.Acquisition.Tests.Protocols.ProtocolText;

namespace LiveScope.Acquisition.Tests.Protocols;

/// <summary>Every class of validation error, with the exact message the user reads.</summary>
public class ValidatorTests
{
    private const string Stimulation = """

          - name: insulin
            stimulate: { reagent: insulin, concentration: 100, unit: nM }
        """;

    private const string Frap = """

        frap:
          - { at: 1 min, position: a, channel: GFP, target: analysis, recovery_interval: 1 s, recovery_duration: 30 s }
        """;

    [Fact]
    public void The_minimal_protocol_is_valid() => Errors(Minimal).Should().BeEmpty();

    [Theory]
    [InlineData("interval: 0 s", "p.yaml:8:15: phases[0].interval: must be greater than zero, found 0 s")]
    [InlineData("interval: -30 s", "p.yaml:8:15: phases[0].interval: must be greater than zero, found -30 s")]
    public void Intervals_must_be_positive(string interval, string expected) =>
        Error(Minimal.Replace("interval: 30 s", interval)).Should().Be(expected);

    [Fact]
    public void Durations_must_be_positive() =>
        Error(Minimal.Replace("duration: 5 min", "duration_min: 0")).Should().Be(
            "p.yaml:9:19: phases[0].duration_min: must be greater than zero, found 0 s");

    [Fact]
    public void A_phase_shorter_than_its_interval_has_no_timepoint() =>
        Error(Minimal.Replace("duration: 5 min", "duration: 10 s")).Should().Be(
            "p.yaml:9:15: phases[0].duration: 10 s is shorter than the interval (30 s), so the phase has no timepoint");

    [Fact]
    public void Exposures_must_be_positive() =>
        Error(Minimal.Replace("exposure_ms: 50", "exposure_ms: -5")).Should().Be(
            "p.yaml:5:33: channels[0].exposure_ms: must be greater than zero, found -5 ms");

    [Fact]
    public void Exposures_over_the_configured_limit() =>
        Error(Minimal.Replace("exposure_ms: 50", "exposure_ms: 2500").Replace("interval: 30 s", "interval: 1 min")).Should().Be(
            "p.yaml:5:33: channels[0].exposure_ms: 2500 ms is over this microscope's limit of 1000 ms (limits.max_exposure_ms)");

    [Fact]
    public void Light_power_over_the_configured_limit() =>
        Error(Minimal.Replace("exposure_ms: 50", "exposure_ms: 50, power: 90%")).Should().Be(
            "p.yaml:5:44: channels[0].power: 0.9 is over this microscope's limit of 0.8 (limits.max_light_power_fraction)");

    [Fact]
    public void Light_power_is_a_fraction() =>
        Error(Minimal.Replace("exposure_ms: 50", "exposure_ms: 50, power: 30")).Should().Be(
            "p.yaml:5:44: channels[0].power: must be between 0 and 1 (a fraction of the light source's maximum), found 30");

    [Fact]
    public void Unknown_channel_preset_suggests_the_closest() =>
        Error(Minimal.Replace("preset: GFP", "preset: GPF")).Should().Be(
            "p.yaml:5:15: channels[0].preset: unknown channel preset 'GPF' (did you mean 'GFP'?); the light source has: GFP, mCherry");

    [Fact]
    public void Positions_outside_the_stage_travel() =>
        Errors(Minimal.Replace("x_um: 0, y_um: 0", "x_um: 6000, y_um: 0, z_um: 150")).Should().Equal(
            "p.yaml:3:22: positions[0].x_um: x = 6000 µm is outside the stage's travel [-5000, 5000] µm",
            "p.yaml:3:43: positions[0].z_um: z = 150 µm is outside the stage's travel [0, 100] µm");

    [Fact]
    public void Position_names_are_unique() =>
        Error(Minimal.Replace("  - { name: a, x_um: 0, y_um: 0 }", "  - { name: a, x_um: 0, y_um: 0 }\n  - { name: a, x_um: 10, y_um: 0 }"))
            .Should().Be("p.yaml:4:13: positions[1].name: position name 'a' is used twice");

    [Fact]
    public void A_reagent_without_a_liquid_handler_needs_the_operator()
    {
        var rig = Rig with { HasLiquidHandler = false, Reagents = [] };

        Error(Minimal + Stimulation, rig).Should().Be(
            "p.yaml:11:27: phases[1].stimulate.reagent: 'insulin' is to be added by the liquid handler, but this microscope has none; " +
            "write by: operator to pause the run for the operator instead");
        Errors(Minimal + Stimulation.Replace("unit: nM", "unit: nM, by: operator"), rig).Should().BeEmpty();
    }

    [Fact]
    public void A_reagent_the_pump_does_not_carry() =>
        Error(Minimal + Stimulation.Replace("reagent: insulin", "reagent: insuline")).Should().Be(
            "p.yaml:11:27: phases[1].stimulate.reagent: the liquid handler does not carry 'insuline' (did you mean 'insulin'?); " +
            "it carries: insulin, metformin (or write by: operator)");

    [Fact]
    public void One_stimulation_per_protocol() =>
        Error(Minimal + Stimulation + Stimulation.Replace("- name: insulin", "- name: again")).Should().Be(
            "p.yaml:12:5: phases[2]: a protocol has one stimulation (it marks time zero); this is the second");

    [Fact]
    public void Frap_needs_a_photo_targeter() =>
        Error(Minimal + Frap, Rig with { HasPhotoTargeter = false }).Should().Be(
            "p.yaml:11:5: frap[0]: this microscope has no photo-targeter, so FRAP steps cannot run");

    [Fact]
    public void Frap_at_an_unknown_position_or_channel() =>
        Errors(Minimal + Frap.Replace("position: a", "position: b").Replace("channel: GFP", "channel: mCherry")).Should().Equal(
            "p.yaml:11:28: frap[0].position: no position named 'b' (did you mean 'a'?); positions: a",
            "p.yaml:11:40: frap[0].channel: no channel 'mCherry' in this protocol; channels: GFP");

    [Fact]
    public void Frap_bleach_power_and_dwell_over_the_configured_limits() =>
        Errors(Minimal + Frap.Replace("target: analysis", "target: analysis, power: 1, dwell_ms: 10"),
                Rig with { Limits = Rig.Limits with { MaxBleachPowerFraction = 0.9 } }).Should().Equal(
            "p.yaml:11:70: frap[0].power: 1 is over this microscope's limit of 0.9 (limits.max_bleach_power_fraction)",
            "p.yaml:11:83: frap[0].dwell_ms: 10 ms is over this microscope's limit of 5 ms (limits.max_bleach_dwell_ms)");

    [Fact]
    public void A_default_bleach_power_over_the_limit_says_it_is_the_default() =>
        Error(Minimal + Frap, Rig with { Limits = Rig.Limits with { MaxBleachPowerFraction = 0.5 } }).Should().Be(
            "p.yaml:11:5: frap[0].power: 1 is over this microscope's limit of 0.5 (limits.max_bleach_power_fraction); " +
            "power is not written, so the default applies: set a lower one");

    [Fact]
    public void Frap_outside_the_run() =>
        Error(Minimal + Frap.Replace("at: 1 min", "at: 10 min")).Should().Be(
            "p.yaml:11:11: frap[0].at: 10 min from time zero is outside the run, which images from 0 s to 5 min");

    [Fact]
    public void Frap_roi_outside_the_sensor() =>
        Error(Minimal + Frap.Replace("target: analysis", "roi: { shape: circle, center_px: [510, 10], radius_px: 4 }")).Should().Be(
            "p.yaml:11:50: frap[0].roi: the ROI reaches outside the camera sensor (x 0 to 511, y 0 to 511 px)");

    [Fact]
    public void Frap_recovery_frames_must_fit_their_interval() =>
        Error(Minimal + Frap.Replace("recovery_interval: 1 s", "recovery_interval: 50 ms")).Should().Be(
            "p.yaml:11:82: frap[0].recovery_interval: 50 ms is shorter than one GFP frame (70 ms: exposure + 20 ms readout)");

    [Fact]
    public void A_timepoint_that_cannot_fit_its_interval()
    {
        var yaml = Minimal.Replace("interval: 30 s", "interval: 2 s") + """

            z_stack: { range_um: 10, step_um: 0.5 }
            """;
        // 21 slices × (50 ms + 20 ms readout) = 1.47 s, plus 21 × 20 ms focus settling = 0.42 s: 1.89 s fits in 2 s;
        // a second channel does not.
        Errors(yaml).Should().BeEmpty();
        Error(yaml.Replace("  - { preset: GFP, exposure_ms: 50 }", "  - { preset: GFP, exposure_ms: 50 }\n  - { preset: mCherry, exposure_ms: 50 }"))
            .Should().Be("p.yaml:9:15: phases[0].interval: one timepoint takes about 3.8 s (1 positions × 2 channels × 21 z-slices, " +
                         "exposure + 20 ms readout each, plus stage moves, settling), longer than the interval of 2 s");
    }

    [Fact]
    public void Z_stacks_need_a_focus_drive_and_autofocus_a_device()
    {
        var yaml = Minimal + "\nz_stack: { range_um: 4, step_um: 1 }\nautofocus: { every_timepoints: 5 }";

        Errors(yaml, Rig with { HasFocus = false, HasAutofocus = false }).Should().Equal(
            "p.yaml:10:10: z_stack: this microscope has no focus drive, so it cannot take z-stacks",
            "p.yaml:11:12: autofocus: this microscope has no autofocus device");
    }

    [Fact]
    public void Z_step_must_be_positive() =>
        Error(Minimal + "\nz_stack: { range_um: 4, step_um: 0 }").Should().Be(
            "p.yaml:10:34: z_stack.step_um: must be greater than zero, found 0 µm");

    [Fact]
    public void A_protocol_needs_an_imaging_phase() =>
        Error(Minimal.Replace("  - name: baseline\n    interval: 30 s\n    duration: 5 min",
                "  - name: insulin\n    stimulate: { reagent: insulin, concentration: 1, unit: nM }"))
            .Should().Be("p.yaml:7:3: phases: has no imaging phase; add one with an interval and a duration");

    [Fact]
    public void Every_problem_is_reported_in_file_order()
    {
        var yaml = Minimal.Replace("preset: GFP", "preset: GPF").Replace("interval: 30 s", "interval: 0 s") + Frap;
        var loaded = Parse(yaml);

        var act = () => new ProtocolValidator(Rig with { HasPhotoTargeter = false }).ThrowIfInvalid(loaded);

        var e = act.Should().Throw<ProtocolValidationException>().Which;
        e.Errors.Select(x => (x.Location.Line, x.KeyPath)).Should().Equal(
            (5, "channels[0].preset"), (8, "phases[0].interval"), (11, "frap[0]"), (11, "frap[0].channel"));
        e.Message.Should().StartWith("4 problems:");
    }

    [Fact]
    public void Protocols_built_in_code_are_validated_too()
    {
        var p = Parse(Minimal).Protocol with { Channels = [new ChannelSpec("GFP", 0, null)] };

        new ProtocolValidator(Rig).Validate(p).Select(e => e.Message).Should().Equal(
            "p.yaml: channels[0].exposure: must be greater than zero, found 0 ms");
    }

    [Theory]
    [InlineData("duplicate channel", "p.yaml:6:15: channels[1].preset: channel 'GFP' is listed twice")]
    [InlineData("no concentration", "p.yaml:11:51: phases[1].stimulate.concentration: must be greater than zero, found 0")]
    [InlineData("negative z range", "p.yaml:10:22: z_stack.range_um: must not be negative, found -1 µm")]
    [InlineData("autofocus every 0", "p.yaml:10:32: autofocus.every_timepoints: must be at least 1, found 0")]
    [InlineData("two-vertex polygon", "p.yaml:11:50: frap[0].roi: a polygon needs at least 3 vertices")]
    [InlineData("zero circle", "p.yaml:11:50: frap[0].roi: a circle's radius_px must be greater than zero")]
    [InlineData("zero analysis radius", "p.yaml:11:74: frap[0].radius_px: must be greater than zero, found 0 px")]
    [InlineData("zero recovery", "p.yaml:11:106: frap[0].recovery_duration: must be greater than zero, found 0 s")]
    [InlineData("zero dwell", "p.yaml:11:73: frap[0].dwell_ms: must be greater than zero, found 0 ms")]
    [InlineData("zero bleach power", "p.yaml:11:70: frap[0].power: must be greater than zero, found 0")]
    public void Other_impossible_values(string what, string expected)
    {
        var yaml = what switch
        {
            "duplicate channel" => Minimal.Replace("  - { preset: GFP, exposure_ms: 50 }", "  - { preset: GFP, exposure_ms: 50 }\n  - { preset: GFP, exposure_ms: 80 }"),
            "no concentration" => Minimal + Stimulation.Replace("concentration: 100", "concentration: 0"),
            "negative z range" => Minimal + "\nz_stack: { range_um: -1, step_um: 1 }",
            "autofocus every 0" => Minimal + "\nautofocus: { every_timepoints: 0 }",
            "two-vertex polygon" => Minimal + Frap.Replace("target: analysis", "roi: { shape: polygon, vertices_px: [[1, 1], [5, 5]] }"),
            "zero circle" => Minimal + Frap.Replace("target: analysis", "roi: { shape: circle, center_px: [9, 9], radius_px: 0 }"),
            "zero analysis radius" => Minimal + Frap.Replace("target: analysis", "target: analysis, radius_px: 0"),
            "zero recovery" => Minimal + Frap.Replace("recovery_duration: 30 s", "recovery_duration: 0 s"),
            "zero dwell" => Minimal + Frap.Replace("target: analysis", "target: analysis, dwell_ms: 0"),
            "zero bleach power" => Minimal + Frap.Replace("target: analysis", "target: analysis, power: 0"),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        Error(yaml).Should().Be(expected);
    }

    [Fact]
    public void Several_positions_need_an_xy_stage() =>
        Error(Minimal.Replace("  - { name: a, x_um: 0, y_um: 0 }", "  - { name: a, x_um: 0, y_um: 0 }\n  - { name: b, x_um: 10, y_um: 0 }"),
                Rig with { HasXYStage = false })
            .Should().Be("p.yaml:4:5: positions[1]: this microscope has no XY stage, so it can image only one position");

    [Fact]
    public void Run_folder_names_use_known_placeholders() =>
        Error(Minimal + "\noutput: { name: \"{date}_{protocl}\" }").Should().Be(
            "p.yaml:10:17: output.name: unknown placeholder {protocl} (did you mean 'protocol'?); use {protocol}, {condition}, {date} or {time}");

    [Fact]
    public void Condition_names_are_unique() =>
        Error(Minimal + "\nconditions:\n  - { name: x }\n  - { name: x }").Should().Be(
            "p.yaml:12:13: conditions[1].name: condition 'x' is listed twice");
}
