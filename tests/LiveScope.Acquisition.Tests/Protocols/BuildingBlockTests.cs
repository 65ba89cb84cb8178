using LiveScope.Acquisition.Protocols;
using LiveScope.Core.Config;
using static LiveScope.Acquisition.Tests.Protocols.ProtocolText;

namespace LiveScope.Acquisition.Tests.Protocols;

/// <summary>Durations, grids, the timeline and the timepoint estimate on their own.</summary>
public class BuildingBlockTests
{
    [Theory]
    [InlineData("30 s", 30)]
    [InlineData("5 min", 300)]
    [InlineData("2h", 7200)]
    [InlineData("1 h 30 min", 5400)]
    [InlineData("500 ms", 0.5)]
    [InlineData("-90 s", -90)]
    [InlineData("1.5 minutes", 90)]
    public void Durations_with_units(string text, double seconds) =>
        Durations.TryParseWithUnits(text).Should().Be(seconds);

    [Theory]
    [InlineData("30")]
    [InlineData("5 parsecs")]
    [InlineData("1 h -5 min")]
    [InlineData("")]
    public void Not_durations_with_units(string text) => Durations.TryParseWithUnits(text).Should().BeNull();

    [Theory]
    [InlineData("90", 90)]
    [InlineData("0.1", 0.1)]
    [InlineData("PT1H2M3.5S", 3723.5)]
    [InlineData("P1DT1S", 86401)]
    [InlineData("0:00:00.100000", 0.1)]
    [InlineData("1:02:03", 3723)]
    [InlineData("1 day, 0:00:01", 86401)]
    public void Useq_durations(string text, double seconds) =>
        Durations.ReadUseq(ConfigNode.Parse($"v: '{text}'", "d.yaml").Required("v")).Should().BeApproximately(seconds, 1e-9);

    [Fact]
    public void Unit_suffixed_keys_are_numbers_in_that_unit()
    {
        var node = ConfigNode.Parse("a_min: 2\nb_ms: 250\nc_h: 0.5", "d.yaml");

        Durations.Read(node, "a")!.Value.Seconds.Should().Be(120);
        Durations.Read(node, "b")!.Value.Seconds.Should().Be(0.25);
        Durations.Read(node, "c")!.Value.Seconds.Should().Be(1800);
        Durations.Read(node, "d").Should().BeNull();
    }

    [Theory]
    [InlineData(0.25, "250 ms")]
    [InlineData(30, "30 s")]
    [InlineData(300, "5 min")]
    [InlineData(-90, "-90 s")]
    [InlineData(9000, "2.5 h")]
    public void Durations_read_back(double seconds, string text) => Durations.Format(seconds).Should().Be(text);

    [Theory]
    [InlineData(GridOrder.RowWise, "(-5,5) (5,5) (-5,-5) (5,-5)")]
    [InlineData(GridOrder.RowWiseSnake, "(-5,5) (5,5) (5,-5) (-5,-5)")]
    [InlineData(GridOrder.ColumnWise, "(-5,5) (-5,-5) (5,5) (5,-5)")]
    [InlineData(GridOrder.ColumnWiseSnake, "(-5,5) (-5,-5) (5,-5) (5,5)")]
    public void Grids_visit_tiles_in_useq_order(GridOrder order, string expected)
    {
        var tiles = new GridPlan(2, 2, 10, 10, Centered: true, order).Expand("g", 0, 0, null);

        string.Join(" ", tiles.Select(t => $"({t.XUm},{t.YUm})")).Should().Be(expected);
        tiles.Select(t => t.Name).Should().Equal("g_0000", "g_0001", "g_0002", "g_0003");
    }

    [Fact]
    public void A_top_left_grid_starts_at_its_origin()
    {
        var tiles = new GridPlan(1, 3, 100, 100, Centered: false, GridOrder.RowWise).Expand("g", 10, 20, 5);

        tiles.Should().Equal(new PositionSpec("g_0000", 10, 20, 5), new PositionSpec("g_0001", 110, 20, 5), new PositionSpec("g_0002", 210, 20, 5));
    }

    [Fact]
    public void Baseline_timepoints_are_before_time_zero_and_response_after()
    {
        PhaseSpec[] phases =
        [
            new ImagingPhaseSpec("baseline", 30, 300),
            new StimulationPhaseSpec("insulin", "insulin", 100, "nM", StimulationBy.Operator),
            new ImagingPhaseSpec("early", 15, 600),
            new ImagingPhaseSpec("late", 30, 1200),
        ];
        var t = new ProtocolTimeline(phases);

        t.StartS.Should().Be(-300);
        t.EndS.Should().Be(1800);
        t.TotalTimepoints.Should().Be(10 + 40 + 40);
        t.TimepointS(0).Should().Be(-300);
        t.TimepointS(9).Should().Be(-30);
        t.TimepointS(10).Should().Be(0);
        t.TimepointS(49).Should().Be(585);
        t.TimepointS(50).Should().Be(600);
        t.TimepointS(90).Should().BeNull();
        t.PhaseStartS((ImagingPhaseSpec)phases[3]).Should().Be(600);
    }

    [Fact]
    public void Without_a_stimulation_time_zero_is_the_start()
    {
        var t = new ProtocolTimeline([new ImagingPhaseSpec("a", 10, 100)]);

        (t.StartS, t.EndS, t.TimepointS(3)).Should().Be((0, 100, 30));
    }

    [Fact]
    public void A_frap_at_a_timepoint_is_at_that_timepoints_time()
    {
        var yaml = Minimal + "\nfrap:\n  - { at_timepoint: 4, target: analysis, recovery_interval: 1 s, recovery_duration: 30 s }";

        Parse(yaml).Protocol.Frap.Single().AtS.Should().Be(120);
    }

    [Fact]
    public void A_frap_step_fits_coupled_to_the_local_pool_only_when_it_says_so()
    {
        var yaml = Minimal + """

            frap:
              - { name: plain, at_timepoint: 2, target: analysis, recovery_interval: 1 s, recovery_duration: 30 s }
              - { name: pooled, at_timepoint: 4, target: analysis, recovery_interval: 1 s, recovery_duration: 30 s, local_pool: true }
            """;

        Parse(yaml).Protocol.Frap.Select(f => (f.Name, f.LocalPool)).Should().Equal(("plain", false), ("pooled", true));
    }

    [Fact]
    public void Timepoint_estimate_adds_up_its_parts()
    {
        var p = Parse(Minimal).Protocol with
        {
            Positions = [new("a", 0, 0, 50), new("b", 1000, 0, 50), new("c", 1000, 500, 50)],
            Channels = [new("GFP", 50, 0.3), new("mCherry", 100, 0.3)],
            ZStack = new ZStackSpec(2, 1),
            Autofocus = new AutofocusSpec(5, PerPosition: true),
        };

        var e = new TimepointEstimator(Rig).Estimate(p);

        e.Frames.Should().Be(3 * 2 * 3);
        e.ExposureS.Should().BeApproximately(3 * 3 * 0.150, 1e-12);
        e.ReadoutS.Should().BeApproximately(18 * 0.020, 1e-12);
        // a→b 1000 µm, b→c 500 µm, c→a max(1000, 500) µm, at 5000 µm/s.
        e.StageMoveS.Should().BeApproximately(2500.0 / 5000, 1e-12);
        // 3 XY settles of 50 ms; a z sweep per channel per position: 3 × 2 × 3 × 20 ms.
        e.SettleS.Should().BeApproximately(0.150 + 0.360, 1e-12);
        e.ChannelSwitchS.Should().BeApproximately(3 * 2 * 0.010, 1e-12);
        e.AutofocusS.Should().BeApproximately(3.0, 1e-12);
        e.TotalS.Should().BeApproximately(1.35 + 0.36 + 0.5 + 0.51 + 0.06 + 3, 1e-9);
        new TimepointEstimator(Rig).Estimate(p, withAutofocus: false).AutofocusS.Should().Be(0);
    }

    [Fact]
    public void Source_map_falls_back_to_the_closest_written_parent()
    {
        var loaded = Parse(Minimal);

        loaded.Sources.At("channels[0].exposure").Should().Be(new SourceRef(new SourceLocation("p.yaml", 5, 33), "channels[0].exposure_ms"));
        loaded.Sources.At("channels[0].power").Should().Be(new SourceRef(new SourceLocation("p.yaml", 5, 5), "channels[0]"));
        loaded.Sources.At("nothing.here").Location.Should().Be(new SourceLocation("p.yaml", 0, 0));
    }
}
