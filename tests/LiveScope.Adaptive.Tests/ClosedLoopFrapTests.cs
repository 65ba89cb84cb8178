using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Core.Geometry;
using LiveScope.Simulation.Truth;

namespace LiveScope.Adaptive.Tests;

/// <summary>
/// "When a new cluster persists 3 frames, bleach it", end to end on the simulated microscope: the photo-targeter's
/// configured misalignment (device-configs/simulated.yaml) is the known transform the calibration must remove.
/// </summary>
public class ClosedLoopFrapTests
{
    internal const string Protocol = """
        name: closed-loop-frap
        positions: [ { name: field, x_um: 0, y_um: 0, z_um: 50 } ]
        channels: [ { preset: GFP, exposure_ms: 50, power: 0.3 } ]
        phases:
          - { name: watch, interval: 10 s, duration: 4 min }
        adapt:
          limits: { max_bleaches: 1 }
          rules:
            - name: bleach_new_clusters
              when: { new_cluster: { persists_frames: 3 } }
              then:
                bleach: { choose: brightest, radius_px: 3, pre_bleach_frames: 3, recovery_interval: 1 s, recovery_duration: 40 s, dwell_ms: 5, power: 1.0 }
        """;

    [Fact]
    public async Task A_new_cluster_is_bleached_where_it_truly_is_and_its_recovery_is_fitted_onto_its_track()
    {
        await using var rig = await AdaptRig.OpenAsync(new KeyValuePair<string, string>("backends.simulated.seed", "6"));
        var truth = rig.Targeter.TrueCameraToTarget;
        await rig.CalibrateAsync();
        var recorder = new GroundTruthRecorder();
        using var subscription = rig.Camera.GroundTruth.Subscribe(recorder);

        var (result, controller) = await rig.RunAsync(rig.Load(Protocol));

        result.Status.Should().Be(RunStatus.Completed);
        var decision = controller.Decisions.Should().ContainSingle(d => d.RefusedBy == null).Subject;
        decision.Rule.Should().Be("bleach_new_clusters");
        decision.Metrics["frames"].Should().BeGreaterThanOrEqualTo(3, "the cluster persisted 3 frames before the rule fired");
        int track = (int)decision.Metrics["target_track_id"];

        var bleach = rig.Lines("bleach").Should().ContainSingle().Subject;
        var aimed = new PixelPoint((double)bleach["x_px"]!, (double)bleach["y_px"]!);
        var landed = truth.Inverse().Apply(rig.Targeter.CameraToTarget.Apply(aimed));
        var uncalibrated = truth.Inverse().Apply(aimed);
        uncalibrated.DistanceTo(aimed).Should().BeGreaterThan(3, "without calibration the laser would miss the cluster");

        // Where the cluster truly was in the last frame before the bleach: the nearest true cluster to the laser spot.
        var bleachTime = rig.Events.Lines.First(l => l.Type == "bleach").At;
        var before = recorder.Frames.Last(f => f.Timestamp < bleachTime);
        var nearest = before.Clusters.MinBy(c => new PixelPoint(c.XPx, c.YPx).DistanceTo(landed));
        new PixelPoint(nearest.XPx, nearest.YPx).DistanceTo(landed).Should().BeLessThan(1.0);

        var frap = controller.FrapResults.Should().ContainSingle().Subject;
        frap.TrackId.Should().Be(track, "the fit is attached to the bleached cluster's track");
        frap.Failure.Should().BeNull();
        frap.Fit!.BleachDepth.Should().BeGreaterThan(0.1, "the laser hit the cluster");
        // One young cluster, 40 s of recovery: a recovery of the insulin-sensitive kind (truth t½ = ln2 / 0.05 s⁻¹ =
        // 13.9 s). A single cluster scatters widely (its own growth, drift, the pool it draws on); accuracy over many
        // fields is the FRAP accuracy tests' business (docs/frap.md), so this only checks the fit is of that kind.
        frap.Fit.HalfTimeS.Should().BeInRange(13.86 / 2, 13.86 * 2);
        frap.Fit.RSquared.Should().BeGreaterThan(0.9);
        rig.Lines("frap.result").Should().ContainSingle().Which["track_id"].Should().Be(track);

        // Back to the normal plan: the regular time-lapse kept its 10 s cadence through and after the recovery.
        var regular = rig.Store.Frames.Where(f => f.Planned.Series is null).ToList();
        regular.Should().HaveCount(24);
        regular.Select(f => f.Planned.TimeIndex).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        rig.Store.Frames.Count(f => f.Planned.Series == frap.Step).Should().Be(3 + 40);
    }
}
