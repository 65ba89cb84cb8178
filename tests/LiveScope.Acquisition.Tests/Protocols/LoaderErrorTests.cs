using LiveScope.Acquisition.Protocols;
using static LiveScope.Acquisition.Tests.Protocols.ProtocolText;

namespace LiveScope.Acquisition.Tests.Protocols;

/// <summary>Errors found while reading a protocol file: each names file:line:column, the key path and the problem.</summary>
public class LoaderErrorTests
{
    [Fact]
    public void The_minimal_protocol_loads()
    {
        var p = Parse(Minimal).Protocol;

        p.Name.Should().Be("t");
        p.Positions.Should().Equal(new PositionSpec("a", 0, 0, null));
        p.Channels.Should().Equal(new ChannelSpec("GFP", 50, null));
        p.Phases.Should().Equal(new ImagingPhaseSpec("baseline", 30, 300));
        p.SourceFile.Should().Be("p.yaml");
    }

    [Fact]
    public void Unknown_key_suggests_the_closest()
    {
        Error(Minimal + "\nchanels: []").Should().Be(
            "p.yaml:10:1: chanels: unknown key (did you mean 'channels'?); expected one of: name, description, sample, positions, " +
            "rois, channels, z_stack, autofocus, phases, frap, output, axis_order, skip_failing_positions, conditions, adapt");
    }

    [Fact]
    public void Unknown_nested_key_names_its_path()
    {
        Error(Minimal.Replace("exposure_ms: 50", "exposure_ms: 50, powr: 0.2")).Should().Be(
            "p.yaml:5:37: channels[0].powr: unknown key (did you mean 'power'?); expected one of: preset, exposure_ms, power");
    }

    [Fact]
    public void Wrong_type()
    {
        Error(Minimal.Replace("exposure_ms: 50", "exposure_ms: fifty")).Should().Be(
            "p.yaml:5:33: channels[0].exposure_ms: expected a number, found 'fifty'");
    }

    [Fact]
    public void Duration_without_unit()
    {
        Error(Minimal.Replace("interval: 30 s", "interval: 30")).Should().Be(
            "p.yaml:8:15: phases[0].interval: '30' has no unit; write e.g. '30 s' or '30 min' (or interval_s: 30)");
    }

    [Fact]
    public void Duration_that_is_not_one()
    {
        Error(Minimal.Replace("interval: 30 s", "interval: soon")).Should().Be(
            "p.yaml:8:15: phases[0].interval: expected a duration such as '30 s', '5 min' or '2 h', found 'soon'");
    }

    [Fact]
    public void Duration_given_twice()
    {
        Error(Minimal.Replace("interval: 30 s", "interval: 30 s\n    interval_s: 30")).Should().Be(
            "p.yaml:9:17: phases[0].interval_s: interval is given more than once; write it one way only");
    }

    [Fact]
    public void Missing_required_key()
    {
        Error(Minimal.Replace("    duration: 5 min", "")).Should().Be(
            "p.yaml:7:5: phases[0].duration: is required but missing");
    }

    [Fact]
    public void Unknown_enum_value_lists_the_choices()
    {
        var yaml = Minimal + """

              - name: insulin
                stimulate: { reagent: insulin, concentration: 100, unit: nM, by: robot }
            """;
        Error(yaml).Should().Be("p.yaml:11:70: phases[1].stimulate.by: 'robot' is not one of: liquid_handler, operator");
    }

    [Fact]
    public void Unknown_roi_suggests_a_defined_one()
    {
        var yaml = Minimal + """

            rois:
              cluster_a: { shape: circle, center_px: [10, 10], radius_px: 3 }
            frap:
              - { at: 1 min, roi: cluster_b, recovery_interval: 1 s, recovery_duration: 30 s }
            """;
        Error(yaml).Should().Be("p.yaml:13:23: frap[0].roi: no ROI named 'cluster_b' (did you mean 'cluster_a'?); rois: cluster_a");
    }

    [Fact]
    public void Roi_shape_keys_must_fit_the_shape()
    {
        var yaml = Minimal + """

            rois:
              spot: { shape: point, center_px: [10, 10], radius_px: 3 }
            """;
        Error(yaml).Should().Be("p.yaml:11:57: rois.spot.radius_px: does not apply to a point; a point takes center_px");
    }

    [Fact]
    public void Frap_needs_a_time_and_a_target()
    {
        var yaml = Minimal + """

            frap:
              - { recovery_interval: 1 s, recovery_duration: 30 s }
            """;
        Errors(yaml).Should().Equal(
            "p.yaml:11:5: frap[0].at: is required but missing: give at (e.g. '2 min' after time zero) or at_timepoint",
            "p.yaml:11:5: frap[0].roi: is required but missing: name an ROI from rois (or give one inline), or write target: analysis");
    }

    [Fact]
    public void Frap_timepoint_must_exist()
    {
        var yaml = Minimal + """

            frap:
              - { at_timepoint: 10, target: analysis, recovery_interval: 1 s, recovery_duration: 30 s }
            """;
        Error(yaml).Should().Be("p.yaml:11:21: frap[0].at_timepoint: timepoint 10 does not exist; the phases have timepoints 0 to 9");
    }

    [Fact]
    public void Missing_sections_are_named()
    {
        Errors("name: empty").Should().Equal(
            "p.yaml:1:1: positions: is required but missing: list at least one stage position",
            "p.yaml:1:1: channels: is required but missing: list at least one channel",
            "p.yaml:1:1: phases: is required but missing: list at least one imaging phase");
    }

    [Fact]
    public void Every_reading_error_is_reported_at_once()
    {
        var yaml = Minimal.Replace("exposure_ms: 50", "exposure_ms: fifty").Replace("interval: 30 s", "interval: 30")
                   + "\nchanels: []";

        var act = () => Parse(yaml);

        var e = act.Should().Throw<ProtocolValidationException>().Which;
        e.Errors.Select(x => x.Location.Line).Should().Equal(5, 8, 10);
        e.Message.Should().StartWith("3 problems:" + Environment.NewLine + "  p.yaml:5:33: channels[0].exposure_ms:");
    }

    [Fact]
    public void Not_yaml()
    {
        Error("name: [unclosed").Should().Be(
            "p.yaml:2:1: not valid YAML: While parsing a flow sequence, did not find expected ',' or ']'.");
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var act = () => new ProtocolLoader().Load("/nonexistent/protocol.yaml");

        act.Should().Throw<ProtocolValidationException>().WithMessage("/nonexistent/protocol.yaml: file not found");
    }

    [Fact]
    public void Validate_reports_reading_and_rig_problems_together_without_their_consequences()
    {
        const string yaml = """
            name: bad
            positions:
              - { name: a, x_um: 9000, y_um: 0 }
            channels:
              - { preset: GPF, exposure_ms: 50 }
            phases:
              - { name: base, interval: 30, duration: 5 min }
            z_stack: { range_um: 10, step_um: 0.5 }
            """;

        var act = () => new ProtocolLoader(Rig).ParseAndValidate(yaml, "p.yaml", Rig);

        // Read with a placeholder 1 s interval, the 21-slice timepoint (about 1.9 s) would also "not fit its interval".
        act.Should().Throw<ProtocolValidationException>().Which.Errors.Select(e => e.Message).Should().Equal(
            "p.yaml:3:22: positions[0].x_um: x = 9000 µm is outside the stage's travel [-5000, 5000] µm",
            "p.yaml:5:15: channels[0].preset: unknown channel preset 'GPF' (did you mean 'GFP'?); the light source has: GFP, mCherry",
            "p.yaml:7:29: phases[0].interval: '30' has no unit; write e.g. '30 s' or '30 min' (or interval_s: 30)");
    }
}
