using FluentAssertions.Equivalency;
using LiveScope.Acquisition.Protocols;
using static LiveScope.Acquisition.Tests.Protocols.ProtocolText;

namespace LiveScope.Acquisition.Tests.Protocols;

/// <summary>useq-schema MDA sequences as protocols: the YAML and JSON forms agree, and they mean what LiveScope files mean.</summary>
public class UseqTests
{
    /// <summary>The LiveScope file that says what protocols/useq-example.yaml says.</summary>
    private const string NativeEquivalent = """
        name: useq-example
        sample: { cell_line: HepG2 IR-GFP, condition: insulin_sensitive }
        positions:
          - name: dish_centre
            x_um: 0
            y_um: 0
            z_um: 50
            grid: { rows: 1, columns: 2, overlap: 0.1, fov_width_um: 83.2, fov_height_um: 83.2 }
          - name: dish_left
            x_um: -150
            y_um: 60
            z_um: 50
            grid: { rows: 1, columns: 2, overlap: 0.1, fov_width_um: 83.2, fov_height_um: 83.2 }
        channels:
          - { preset: GFP, exposure_ms: 50 }
          - { preset: mCherry, exposure_ms: 100 }
        z_stack: { range_um: 2, step_um: 1 }
        axis_order: position_channel_z
        phases:
          - { name: baseline, interval: 30 s, duration: 5 min }
          - name: insulin
            stimulate: { reagent: insulin, concentration: 100, unit: nM, by: liquid_handler }
          - { name: response, interval: 30 s, duration: 20 min }
        """;

    private static EquivalencyAssertionOptions<Protocol> SameContent(EquivalencyAssertionOptions<Protocol> o) =>
        o.Excluding(p => p.SourceFile).RespectingRuntimeTypes().WithStrictOrdering();

    private static Protocol Shipped(string file) => new ProtocolLoader().Load(Path.Combine(Repo.Protocols, file));

    [Fact]
    public void Yaml_and_json_forms_of_one_sequence_give_the_same_protocol()
    {
        var yaml = Shipped("useq-example.yaml");
        var json = Shipped("useq-example.json");

        json.Should().BeEquivalentTo(yaml, SameContent);
        json.Positions.Should().HaveCount(4);
    }

    [Fact]
    public void A_sequence_equivalent_to_a_livescope_protocol_gives_an_equal_protocol()
    {
        var native = Parse(NativeEquivalent, "native.yaml").Protocol;

        Shipped("useq-example.yaml").Should().BeEquivalentTo(native, SameContent);
        native.Positions.Select(p => p.Name).Should().Equal("dish_centre_0000", "dish_centre_0001", "dish_left_0000", "dish_left_0001");
        native.Positions[0].XUm.Should().BeApproximately(-37.44, 1e-9);
    }

    [Theory]
    [InlineData("{interval: 10, loops: 4}", 10, 40)]
    [InlineData("{interval: 'PT10S', loops: 4}", 10, 40)]
    [InlineData("{interval: '0:00:10', loops: 4}", 10, 40)]
    [InlineData("{interval: {seconds: 10}, loops: 4}", 10, 40)]
    [InlineData("{duration: 'PT1M', loops: 4}", 20, 80)]
    [InlineData("{interval: 'PT10S', duration: 'PT1M'}", 10, 70)]
    public void Time_plans_become_phases_of_loops_timepoints(string plan, double intervalS, double durationS)
    {
        var p = Parse($"time_plan: {plan}\nstage_positions: [[0, 0]]\nchannels: [{{config: GFP, exposure: 50}}]").Protocol;

        p.Phases.Should().Equal(new ImagingPhaseSpec("acquisition", intervalS, durationS));
    }

    [Fact]
    public void A_list_time_plan_is_phases()
    {
        var p = Parse("time_plan: [{interval: 1, loops: 5}, {interval: 60, loops: 3}]\nstage_positions: [[0, 0]]\nchannels: [{config: GFP, exposure: 50}]").Protocol;

        p.Phases.Should().Equal(new ImagingPhaseSpec("phase1", 1, 5), new ImagingPhaseSpec("phase2", 60, 180));
    }

    [Fact]
    public void An_absolute_z_plan_centres_the_stack_on_its_mid_plane()
    {
        var p = Parse("""
            time_plan: {interval: 10, loops: 2}
            stage_positions: [{x: 1, y: 2, z: 0, name: a}]
            channels: [{config: GFP, exposure: 50}]
            z_plan: {top: 54, bottom: 46, step: 2}
            """).Protocol;

        p.ZStack.Should().Be(new ZStackSpec(8, 2));
        p.ZStack!.Slices.Should().Be(5);
        p.Positions.Should().Equal(new PositionSpec("a", 1, 2, 50));
    }

    [Fact]
    public void An_absolute_grid_without_positions_covers_its_edges()
    {
        var p = Parse("""
            time_plan: {interval: 10, loops: 2}
            channels: [{config: GFP, exposure: 50}]
            grid_plan: {top: 100, left: 0, bottom: 0, right: 150, fov_width: 100, fov_height: 100, mode: row_wise}
            """).Protocol;

        p.Positions.Should().Equal(
            new PositionSpec("grid_0000", 50, 50, null),
            new PositionSpec("grid_0001", 150, 50, null));
    }

    [Fact]
    public void A_grid_in_a_positions_own_sequence_tiles_that_position_and_snakes()
    {
        var p = Parse("""
            time_plan: {interval: 10, loops: 2}
            channels: [GFP]
            stage_positions:
              - {x: 0, y: 0, name: a, sequence: {grid_plan: {rows: 2, columns: 2, fov_width: 10, fov_height: 10}}}
              - {x: 500, y: 0, name: b}
            """.Replace("channels: [GFP]", "channels: [{config: GFP, exposure: 50}]")).Protocol;

        p.Positions.Should().Equal(
            new PositionSpec("a_0000", -5, 5, null), new PositionSpec("a_0001", 5, 5, null),
            new PositionSpec("a_0002", 5, -5, null), new PositionSpec("a_0003", -5, -5, null),
            new PositionSpec("b", 500, 0, null));
    }

    [Theory]
    [InlineData("tpgcz", AxisOrder.PositionChannelZ)]
    [InlineData("tpgzc", AxisOrder.PositionZChannel)]
    [InlineData("tcpgz", AxisOrder.ChannelPositionZ)]
    [InlineData("tzpc", AxisOrder.ZPositionChannel)]
    [InlineData("[t, p, z, c]", AxisOrder.PositionZChannel)]
    public void Axis_orders_map_to_the_inner_loops(string order, AxisOrder expected)
    {
        var p = Parse($"axis_order: {order}\ntime_plan: {{interval: 10, loops: 2}}\nstage_positions: [[0, 0]]\nchannels: [{{config: GFP, exposure: 50}}]").Protocol;

        p.AxisOrder.Should().Be(expected);
    }

    private const string Sequence = """
        time_plan: {interval: 10, loops: 2}
        stage_positions: [{x: 0, y: 0, name: a}]
        channels: [{config: GFP, exposure: 50}]
        """;

    [Theory]
    [InlineData("axis_order: ptgcz", "p.yaml:4:13: axis_order: 'ptgcz': LiveScope runs time as the outermost loop, so axis_order must start with t")]
    [InlineData("axis_order: tpczg", "p.yaml:4:13: axis_order: 'tpczg': the grid (g) must come right after positions (p); grids are expanded into positions")]
    [InlineData("z_plan: {above: 3, below: 1, step: 1}", "p.yaml:4:17: z_plan.above: an asymmetric z range (above 3 µm, below 1 µm) is not supported; LiveScope centres z-stacks on the focus")]
    [InlineData("z_plan: {range: 4, step: 1, go_up: false}", "p.yaml:4:36: z_plan.go_up: go_up: false (top to bottom) is not supported; LiveScope takes z-stacks from the bottom up")]
    [InlineData("z_plan: {relative: [0, 1, 2]}", "p.yaml:4:20: z_plan.relative: a z_plan listing relative positions is not supported; use range/step, above/below/step or top/bottom/step")]
    [InlineData("grid_plan: {rows: 2, columns: 2, fov_width: 5, fov_height: 5, mode: spiral}", "p.yaml:4:69: grid_plan.mode: mode: spiral is not supported; use row_wise_snake, row_wise, column_wise or column_wise_snake")]
    [InlineData("autofocus_plan: {autofocus_device_name: PFS, axes: [c]}", "p.yaml:4:52: autofocus_plan.axes: autofocus per channel or per z-slice is not supported; use axes t, p or g")]
    [InlineData("keep_shutter_open_acros: []", "p.yaml:4:1: keep_shutter_open_acros: unknown key (did you mean 'keep_shutter_open_across'?); expected one of: metadata, axis_order, stage_positions, grid_plan, channels, time_plan, z_plan, autofocus_plan, keep_shutter_open_across")]
    public void What_livescope_cannot_run_the_same_way_is_refused_clearly(string extra, string expected)
    {
        var yaml = Sequence + "\n" + extra;
        Error(yaml).Should().Be(expected);
    }

    [Theory]
    [InlineData("channels: [GFP]", "p.yaml:3:12: channels[0]: channel 'GFP' has no exposure; write {config: GFP, exposure: <ms>}")]
    [InlineData("channels: [{config: GFP, exposure: 50, do_stack: false}]", "p.yaml:3:50: channels[0].do_stack: do_stack: false is not supported; every channel is taken at every z-slice")]
    [InlineData("channels: [{config: GFP, exposure: 50, acquire_every: 2}]", "p.yaml:3:55: channels[0].acquire_every: acquire_every other than 1 is not supported; every channel is taken at every timepoint")]
    public void Channels_need_an_exposure_and_every_frame(string channels, string expected)
    {
        Error(Sequence.Replace("channels: [{config: GFP, exposure: 50}]", channels)).Should().Be(expected);
    }

    [Fact]
    public void Positions_need_x_and_y_and_sub_sequences_only_grids()
    {
        var yaml = Sequence.Replace("stage_positions: [{x: 0, y: 0, name: a}]",
            "stage_positions: [{z: 5, name: a}, {x: 1, y: 1, sequence: {channels: [{config: GFP, exposure: 5}]}}]");

        Errors(yaml).Should().Equal(
            "p.yaml:2:19: stage_positions[0]: LiveScope needs x and y for every stage position (useq's 'stay where the stage is' is not supported)",
            "p.yaml:2:70: stage_positions[1].sequence.channels: a position's own sequence may only hold a grid_plan in LiveScope; 'channels' per position is not supported");
    }

    [Fact]
    public void A_grid_takes_its_field_of_view_from_the_camera_when_it_does_not_say()
    {
        var yaml = Sequence + "\ngrid_plan: {rows: 1, columns: 2, overlap: 50}";

        var act = () => new ProtocolLoader().Parse(yaml, "p.yaml");
        act.Should().Throw<ProtocolValidationException>().WithMessage(
            "p.yaml:4:12: grid_plan: needs fov_width and fov_height (µm): the camera's field of view is not known while loading");

        // 512 px × 0.1625 µm = 83.2 µm field; 50 % overlap steps 41.6 µm.
        Parse(yaml).Protocol.Positions.Select(p => p.XUm).Should().Equal(-20.8, 20.8);
    }

    [Fact]
    public void A_full_pydantic_json_dump_with_every_default_loads()
    {
        // What model_dump_json() writes when defaults are not excluded; tab-indented on purpose.
        const string json = "{\n\t\"metadata\": {}, \"axis_order\": [\"t\", \"p\", \"g\", \"c\", \"z\"],\n" +
            "\t\"stage_positions\": [{\"x\": 10.0, \"y\": 20.0, \"z\": null, \"name\": null, \"sequence\": null}],\n" +
            "\t\"grid_plan\": null,\n" +
            "\t\"channels\": [{\"config\": \"GFP\", \"group\": \"Channel\", \"exposure\": 50.0, \"do_stack\": true, " +
            "\"z_offset\": 0.0, \"acquire_every\": 1, \"camera\": null}],\n" +
            "\t\"time_plan\": {\"prioritize_duration\": false, \"interval\": 5.0, \"loops\": 3},\n" +
            "\t\"z_plan\": {\"go_up\": true, \"range\": 2.0, \"step\": 0.5},\n" +
            "\t\"autofocus_plan\": null, \"keep_shutter_open_across\": []\n}";

        var p = Parse(json, "dump.json").Protocol;

        p.Positions.Should().Equal(new PositionSpec("p0", 10, 20, null));
        p.Channels.Should().Equal(new ChannelSpec("GFP", 50, null));
        p.Phases.Should().Equal(new ImagingPhaseSpec("acquisition", 5, 15));
        p.ZStack.Should().Be(new ZStackSpec(2, 0.5));
        p.Autofocus.Should().BeNull();
    }

    [Fact]
    public void A_well_plate_plan_is_refused() =>
        Error(Sequence.Replace("stage_positions: [{x: 0, y: 0, name: a}]", "stage_positions: {plate: 96-well, selected_wells: [[0], [0]]}"))
            .Should().Be("p.yaml:2:18: stage_positions: a well-plate plan (plate, selected_wells, …) is not supported; list the stage positions instead");

    [Fact]
    public void A_time_plan_is_required() =>
        Error("stage_positions: [[0, 0]]\nchannels: [{config: GFP, exposure: 50}]").Should().Be(
            "p.yaml:1:1: time_plan: is required: LiveScope protocols are time-lapses (give interval and loops, or phases)");

    [Fact]
    public void The_stimulation_must_follow_an_existing_phase()
    {
        var yaml = Sequence + "\nmetadata: {livescope: {stimulation: {after_phase: 3, reagent: insulin, concentration: 1, unit: nM}}}";

        Error(yaml).Should().Be("p.yaml:4:51: metadata.livescope.stimulation.after_phase: there is no time_plan phase 3; phases are numbered 0 to 0");
    }

    [Fact]
    public void Livescope_metadata_is_validated_like_a_protocol()
    {
        var yaml = Sequence + "\nmetadata: {livescope: {stimulation: {after_phase: 0, reagent: insulin, concentration: 1, unit: nM}}}";

        Error(yaml, Rig with { HasLiquidHandler = false }).Should().Be(
            "p.yaml:4:63: metadata.livescope.stimulation.reagent: 'insulin' is to be added by the liquid handler, but this microscope has none; " +
            "write by: operator to pause the run for the operator instead");
    }

    [Fact]
    public void Other_metadata_is_left_alone()
    {
        var p = Parse(Sequence + "\nmetadata: {pymmcore_widgets: {version: 0.9}, livescope: {name: named}}").Protocol;

        p.Name.Should().Be("named");
    }
}
