using LiveScope.Acquisition.Protocols;
using LiveScope.Core.Config;

namespace LiveScope.Adaptive.Tests;

public class AdaptSectionTests
{
    private const string Head = """
        name: t
        positions: [ { name: field, x_um: 0, y_um: 0, z_um: 50 } ]
        channels: [ { preset: GFP, exposure_ms: 50, power: 0.3 } ]
        phases: [ { name: watch, interval: 30 s, duration: 5 min } ]

        """;

    private static (Protocol? Protocol, IReadOnlyList<ConfigException> Errors) Load(string adapt, RigCapabilities? rig = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"adapt-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Head + adapt);
        try
        {
            rig ??= new RigCapabilities { HasPhotoTargeter = true, ChannelPresets = ["GFP"], HasLiquidHandler = true };
            return (new ProtocolLoader(rig).LoadAndValidate(path, rig).Protocol, []);
        }
        catch (ProtocolValidationException e)
        {
            return (null, e.Errors);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Rules_limits_conditions_and_every_action_are_read()
    {
        var (p, errors) = Load("""
            adapt:
              limits: { max_bleaches: 3, max_bleaches_per_cell: 2, max_fast_imaging: 4 min, light_dose_per_position: 30 s }
              rules:
                - name: fast
                  when: { metric: partition_ratio, per: cell, above: 8, for_frames: 2 }
                  then: { interval: 10 s, min_frames: 4 }
                  cooldown: 1 min
                - name: calm
                  when: { metric: births_per_min, below: 1 }
                  then: [ { interval: normal }, { z_stack: { range_um: 2, step_um: 0.5 } } ]
                - name: frap
                  when: { new_cluster: { persists_frames: 4 } }
                  then: { bleach: { choose: brightest, dwell_ms: 2, recovery_interval: 2 s, recovery_duration: 30 s } }
                - name: done
                  when: { metric: cluster_count, above: 500 }
                  then: [ { next_position: true }, { stop: enough clusters } ]
            """);

        errors.Should().BeEmpty();
        var a = p!.Adapt;
        a.Limits.Should().Be(new AdaptLimits { MaxBleaches = 3, MaxBleachesPerCell = 2, MaxFastImagingS = 240, LightDosePerPositionS = 30 });
        (a.Rules[0].Name, a.Rules[0].When, a.Rules[0].CooldownS).Should().Be(("fast", new MetricCondition(AdaptMetric.PartitionRatio, MetricScope.Cell, true, 8, 2), 60.0));
        a.Rules[0].Then.Should().Equal(new IntervalAction(10, 4));
        a.Rules[1].When.Should().Be(new MetricCondition(AdaptMetric.BirthsPerMin, MetricScope.Field, false, 1, 1));
        a.Rules[1].Then.Should().Equal(new IntervalAction(null, 0), new ZStackAction(2, 0.5));
        a.Rules[2].When.Should().Be(new NewClusterCondition(4));
        var bleach = a.Rules[2].Then.Should().ContainSingle().Which.Should().BeOfType<BleachAction>().Subject;
        (bleach.Choose, bleach.DwellMs, bleach.RecoveryIntervalS, bleach.RecoveryFrames).Should().Be((FrapTargetChoice.Brightest, 2.0, 2.0, 15));
        a.Rules[3].Then.Should().Equal(new NextPositionAction(), new StopAction("enough clusters"));
    }

    [Fact]
    public void A_rule_can_watch_only_some_phases_and_an_unknown_phase_is_named_with_its_line()
    {
        var (p, errors) = Load("""
            adapt:
              rules:
                - name: after
                  when: { new_cluster: { persists_frames: 3 } }
                  then: { z_stack: { range_um: 2, step_um: 1 } }
                  phases: [watch]
                - name: one
                  when: { metric: cluster_count, above: 3 }
                  then: { stop: x }
                  phases: watch
            """);
        errors.Should().BeEmpty();
        p!.Adapt.Rules.Select(r => r.Phases).Should().BeEquivalentTo(new[] { new[] { "watch" }, new[] { "watch" } });
        p.Adapt.Rules[0].Watches("watch").Should().BeTrue();
        p.Adapt.Rules[0].Watches("baseline").Should().BeFalse();

        (_, errors) = Load("""
            adapt:
              rules:
                - name: typo
                  when: { metric: cluster_count, above: 3 }
                  then: { stop: x }
                  phases: [respnse]
            """);
        errors.Select(e => e.Message).Should().Contain(m => m.Contains(":10:15:") && m.Contains("adapt.rules[0].phases") && m.Contains("'respnse' is not an imaging phase"));
    }

    [Fact]
    public void A_bleach_rule_can_ask_for_the_local_pool_fit()
    {
        var (p, errors) = Load("""
            adapt:
              rules:
                - name: frap
                  when: { new_cluster: { persists_frames: 3 } }
                  then: { bleach: { choose: newest, radius_px: 2, local_pool: true } }
            """);
        errors.Should().BeEmpty();
        p!.Adapt.Rules[0].Then.Single().Should().BeOfType<BleachAction>().Which.LocalPool.Should().BeTrue();
    }

    [Fact]
    public void Mistakes_are_reported_together_with_file_line_and_key()
    {
        var (_, errors) = Load("""
            adapt:
              rules:
                - name: a
                  when: { metric: cluster_cont, above: 3 }
                  then: { interval: 10 s }
                - name: b
                  when: { metric: density, above: 1, below: 2 }
                  then: { intervals: 5 s }
                - name: c
                  when: { new_cluster: { persists_frames: 3 } }
                  then: { bleach: { choose: newest, dwell_ms: 5000, power: 2 } }
            """);

        var text = errors.Select(e => e.Message).ToList();
        text.Should().Contain(m => m.Contains(":8:") && m.Contains("cluster_cont") && m.Contains("did you mean 'cluster_count'"));
        text.Should().Contain(m => m.Contains(":11:") && m.Contains("exactly one of above: or below:"));
        text.Should().Contain(m => m.Contains("intervals") && m.Contains("interval"), "an unknown action key suggests the right one");
        text.Should().Contain(m => m.Contains(":15:51:") && m.Contains("adapt.rules[2].then.bleach.dwell_ms") && m.Contains("5000 ms is over"));
        text.Should().Contain(m => m.Contains(":15:64:") && m.Contains("adapt.rules[2].then.bleach.power") && m.Contains("found 2"));
    }

    [Fact]
    public void A_bleach_rule_needs_a_photo_targeter_and_a_fast_interval_must_be_faster()
    {
        var (_, errors) = Load("""
            adapt:
              rules:
                - name: slow
                  when: { metric: cluster_count, above: 3 }
                  then: { interval: 1 min }
                - name: frap
                  when: { new_cluster: {} }
                  then: { bleach: newest }
            """, new RigCapabilities { HasPhotoTargeter = false, ChannelPresets = ["GFP"] });

        errors.Should().Contain(e => e.Message.Contains("not faster than the protocol's shortest interval"));
        errors.Should().Contain(e => e.Message.Contains("no photo-targeter"));
    }
}
