using LiveScope.Acquisition.Protocols;

namespace LiveScope.Acquisition.Tests.Protocols;

/// <summary>Every protocol in protocols/ loads and validates against the simulated microscope.</summary>
public class ShippedProtocolsTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Repo.Protocols).Where(f => f.EndsWith(".yaml") || f.EndsWith(".json")).Order())
            data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Loads_and_validates_against_the_simulated_microscope(string file)
    {
        var loaded = new ProtocolLoader(SimulatedRig.Capabilities).LoadWithSources(Path.Combine(Repo.Protocols, file));

        var errors = new ProtocolValidator(SimulatedRig.Capabilities).Validate(loaded);

        errors.Select(e => e.Message).Should().BeEmpty();
        loaded.Protocol.Positions.Should().NotBeEmpty();
        loaded.Protocol.Channels.Should().NotBeEmpty();
    }

    [Fact]
    public void The_shipped_set_is_complete()
    {
        Directory.GetFiles(Repo.Protocols).Select(Path.GetFileName).Should().Contain([
            "insulin-stimulation-timelapse.yaml", "frap-clusters.yaml", "insulin-resistance-comparison.yaml",
            "useq-example.yaml", "useq-example.json",
        ]);
    }

    [Fact]
    public void The_main_dry_run_is_5_min_baseline_insulin_then_30_min()
    {
        var p = new ProtocolLoader().Load(Path.Combine(Repo.Protocols, "insulin-stimulation-timelapse.yaml"));

        var timeline = new ProtocolTimeline(p.Phases);
        timeline.StartS.Should().Be(-300);
        timeline.EndS.Should().Be(1800);
        p.Phases.OfType<StimulationPhaseSpec>().Should().ContainSingle()
            .Which.Should().Be(new StimulationPhaseSpec("insulin", "insulin", 100, "nM", StimulationBy.LiquidHandler));
        p.Sample.Condition.Should().Be("insulin_sensitive");
    }

    [Fact]
    public void The_comparison_runs_three_conditions_on_the_simulator_with_rule_driven_imaging_and_frap()
    {
        var p = new ProtocolLoader().Load(Path.Combine(Repo.Protocols, "insulin-resistance-comparison.yaml"));

        p.Conditions.Select(c => c.Name).Should().Equal("insulin_sensitive", "insulin_resistant", "resistant_metformin");
        p.Conditions.Select(c => c.ConfigOverrides["backends.simulated.condition"])
            .Should().Equal("insulin_sensitive", "insulin_resistant", "resistant_metformin");
        p.Conditions[2].Sample.CellLine.Should().Be("HepG2 IR-GFP", "condition labels inherit the protocol's sample");
        p.Frap.Should().BeEmpty("FRAP is started by the bleach rule");
        p.Adapt.Rules.Select(r => r.Name).Should().Equal("faster_while_clusters_condense", "slower_when_settled", "bleach_new_clusters");
        p.Adapt.Rules[0].Then.Should().Equal(new IntervalAction(10, 6));
        p.Adapt.Rules[2].When.Should().Be(new NewClusterCondition(5));
        p.Adapt.Rules[2].Then.Should().ContainSingle().Which.Should().BeOfType<BleachAction>().Which.Choose.Should().Be(FrapTargetChoice.Newest);
        p.Adapt.Limits.MaxBleaches.Should().Be(10);
    }
}
