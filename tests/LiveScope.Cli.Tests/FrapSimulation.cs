using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Core.Hardware;
using LiveScope.Core.Imaging;
using LiveScope.Simulation;
using LiveScope.Simulation.Options;
using LiveScope.Simulation.Truth;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.Cli.Tests;

/// <summary>
/// A FRAP step on the simulated microscope, driven device by device: pre-bleach snaps at the recovery interval, a
/// bleach of one truth cluster through the photo-targeter (given its true calibration, so the spot lands where the
/// camera sees the cluster), then recovery snaps. Every frame goes to <c>onFrame</c> (which must not keep it).
/// The truth is the condition's k_off and immobile fraction: t½ = ln2/k_off, mobile = 1 − immobile.
/// </summary>
internal static class FrapSimulation
{
    public sealed record Settings
    {
        public int Seed { get; init; } = 21;
        public SampleCondition Condition { get; init; } = SampleCondition.InsulinSensitive;
        public int PreBleachFrames { get; init; } = 5;
        public double IntervalS { get; init; } = 1;
        public int RecoveryFrames { get; init; } = 90;
        /// <summary>Bleach (and ROI) radius: 2 px is one laser spot on the cluster (≈ 3 px across), which bleaches little of its pool.</summary>
        public double RoiRadiusPx { get; init; } = 2;
        /// <summary>No other cluster within this many px (each axis) of the target: independent of the ROI size, so fields keep their targets.</summary>
        public double IsolationPx { get; init; } = 12;
        public double DwellMs { get; init; } = 5;
        public double Power { get; init; } = 1;
        /// <summary>Long-lived, non-drifting clusters (as the simulator's own FRAP test uses) unless set.</summary>
        public ClusterOptions Clusters { get; init; } = new()
        {
            MeanLifetimeS = 3600, MembraneBirthsPerMin = 0.25, CytoplasmBirthsPerMin = 0.2, NucleusBirthsPerMin = 0.05, DriftUm2PerS = 0,
        };
        public PhotophysicsOptions Photophysics { get; init; } = new();
    }

    public sealed record Outcome(ClusterTruth Target, double BleachXPx, double BleachYPx, double TrueHalfTimeS, double TrueMobile,
        double TruthBleachDepth, bool TargetSurvived)
    {
        /// <summary>The target's fluorescent molecules (ground truth) at each recovery frame, and before the bleach.</summary>
        public double[] TruthRecovery { get; init; } = [];
        public double TruthPreBleach { get; init; }
        /// <summary>Most other clusters seen within the ROI (+2 px) in any recovery frame: births or drift into the ROI.</summary>
        public int MostIntruders { get; init; }
        /// <summary>Most other clusters within 12 px (the local-pool ring's reach) in any recovery frame, and the first recovery frame with one.</summary>
        public int MostNear { get; init; }
        public int FirstNearFrame { get; init; } = -1;
        /// <summary>Share of the pool ring's pixels (4–10 px from the bleach point, in the target's cell) in the target's own compartment (ground truth).</summary>
        public double RingInCompartment { get; init; }
        /// <summary>Fluorescent share of the target's compartment pool (ground truth) just before the bleach, and at each recovery frame.</summary>
        public double TruthPoolSharePre { get; init; }
        public double[] TruthPoolShare { get; init; } = [];
    }

    /// <param name="onTarget">Told the bleach centre (camera px) once the target is chosen, before the first frame.</param>
    public static async Task<Outcome> RunAsync(Settings s, Action<double, double> onTarget, Action<Frame, int> onFrame)
    {
        var options = new SimulationOptions { Seed = s.Seed, Condition = s.Condition, Clusters = s.Clusters, Photophysics = s.Photophysics };
        await using var session = new SimulatedSession(options, new BackendContext("frap-test.yaml", new FramePool(), NullLoggerFactory.Instance));
        var camera = (ICamera)session.CreateDevice("Camera", DeviceKind.Camera, null);
        session.CreateDevice("XY", DeviceKind.XYStage, null);
        session.CreateDevice("Z", DeviceKind.FocusStage, null);
        session.CreateDevice("Light", DeviceKind.LightSource, null);
        session.CreateDevice("FRAP", DeviceKind.PhotoTargeter, null);
        var targeter = session.PhotoTargeter!;
        targeter.CameraToTarget = targeter.TrueCameraToTarget;
        var truth = new GroundTruthRecorder();
        using var subscription = session.GroundTruth.Subscribe(truth);

        // A look at the field (not part of the series) picks the target: bright, grown, settled, isolated, well inside.
        (await camera.SnapAsync(default)).Dispose();
        var clusters = truth.Frames[^1].Clusters;
        var target = clusters
            .Where(c => c.XPx is > 40 and < 470 && c.YPx is > 40 and < 470 && !c.Dissolving)
            .Where(c => session.Sample.FindCluster(c.CellId, c.ClusterId)!.AgeS > 100)
            .Where(c => !clusters.Any(o => o.ClusterId != c.ClusterId && Math.Abs(o.XPx - c.XPx) < s.IsolationPx && Math.Abs(o.YPx - c.YPx) < s.IsolationPx))
            .MaxBy(c => c.Molecules);
        double x = Math.Round(target.XPx, 1), y = Math.Round(target.YPx, 1);
        double preFluorescent = target.FluorescentMolecules;
        var cell = session.Sample.Cells[target.CellId];
        int pool = (int)session.Sample.FindCluster(target.CellId, target.ClusterId)!.Compartment;
        double PoolShare() { session.Sample.Prepare(cell); return cell.PoolFluorescent[pool] / cell.PoolTotal(pool); }
        onTarget(x, y);
        var fov = ((LiveScope.Simulation.Devices.SimulatedCamera)camera).CurrentFieldOfView;
        int inCell = 0, inCompartment = 0;
        for (int dy = -10; dy <= 10; dy++)
            for (int dx = -10; dx <= 10; dx++)
            {
                double d2 = dx * dx + dy * dy;
                if (d2 < 16 || d2 > 100) continue;
                var c = cell.CompartmentAt(fov.ToUmX(x + dx), fov.ToUmY(y + dy));
                if (c is null) continue;
                inCell++;
                if ((int)c == pool) inCompartment++;
            }

        var step = TimeSpan.FromSeconds(s.IntervalS);
        var bleachAt = session.Clock.Now + step * (s.PreBleachFrames + 1);
        int index = 0;
        for (int k = s.PreBleachFrames; k >= 1; k--) await SnapAtAsync(bleachAt - k * step);
        await session.Clock.WaitUntilAsync(bleachAt, default);
        session.Sample.AdvanceTo(session.Clock.Now.TotalSeconds);
        double poolSharePre = PoolShare();   // as the engine does: the bleach is due one interval after the last pre-bleach frame
        await targeter.BleachAsync(new BleachCircle(new PixelPoint(x, y), s.RoiRadiusPx),
            new BleachSettings(TimeSpan.FromMilliseconds(s.DwellMs), s.Power), default);
        var bleachedAt = session.Clock.Now;
        var recovery = new List<double>();
        var poolShares = new List<double>();
        int intruders = 0, near = 0, firstNear = -1;
        for (int k = 0; k < s.RecoveryFrames; k++)
        {
            await SnapAtAsync(bleachedAt + k * step);
            var seen = truth.Frames[^1].Clusters;
            recovery.Add(seen.FirstOrDefault(c => c.ClusterId == target.ClusterId).FluorescentMolecules);
            poolShares.Add(PoolShare());
            double reach = s.RoiRadiusPx + 2;
            intruders = Math.Max(intruders, seen.Count(c => c.ClusterId != target.ClusterId
                && (c.XPx - x) * (c.XPx - x) + (c.YPx - y) * (c.YPx - y) <= reach * reach));
            int nearNow = seen.Count(c => c.ClusterId != target.ClusterId && (c.XPx - x) * (c.XPx - x) + (c.YPx - y) * (c.YPx - y) <= 12 * 12);
            if (nearNow > 0 && firstNear < 0) firstNear = k;
            near = Math.Max(near, nearNow);
        }
        double depth = 1 - recovery[0] / preFluorescent;
        bool survived = session.Sample.FindCluster(target.CellId, target.ClusterId) is { Dissolving: false };
        var p = options.Conditions.For(s.Condition);
        return new Outcome(target, x, y, Math.Log(2) / p.KOffPerS, 1 - p.ImmobileFraction, depth, survived)
        {
            TruthRecovery = [.. recovery], TruthPreBleach = preFluorescent, MostIntruders = intruders, MostNear = near, RingInCompartment = inCell > 0 ? (double)inCompartment / inCell : double.NaN, FirstNearFrame = firstNear,
            TruthPoolSharePre = poolSharePre, TruthPoolShare = [.. poolShares],
        };

        async Task SnapAtAsync(TimeSpan at)
        {
            if (at > session.Clock.Now) await session.Clock.WaitUntilAsync(at, default);
            using var frame = await camera.SnapAsync(default);
            onFrame(frame, index++);
        }
    }
}
