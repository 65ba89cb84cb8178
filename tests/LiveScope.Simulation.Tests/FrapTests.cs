using LiveScope.Core.Calibration;
using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Core.Timing;
using LiveScope.Simulation.Options;
using LiveScope.Simulation.Truth;
using Xunit.Abstractions;

namespace LiveScope.Simulation.Tests;

public class FrapTests(ITestOutputHelper output)
{
    private sealed record FrapResult(double HalfTimeS, double MobileFraction, double BleachDepth, double ExpectedHalfTimeS, double ExpectedMobile);

    /// <summary>
    /// Calibrates the targeter, bleaches the biggest settled cluster near the centre, images every 2 s for 2 min and
    /// fits F(t) = F∞ − A·e^(−kt) to that cluster's noiseless ground-truth fluorescence.
    /// </summary>
    private static async Task<FrapResult> FrapAsync(SampleCondition condition)
    {
        var options = new SimulationOptions
        {
            Seed = 21,
            Condition = condition,
            // Long-lived clusters (about 30 per cell) that do not drift, so one can be followed through its recovery.
            Clusters = new ClusterOptions
            {
                MeanLifetimeS = 3600, MembraneBirthsPerMin = 0.25, CytoplasmBirthsPerMin = 0.2, NucleusBirthsPerMin = 0.05, DriftUm2PerS = 0,
            },
            Photophysics = new PhotophysicsOptions { ImagingBleachRatePerS = 0 },
        };
        await using var rig = Rig.Open(options);
        var calibration = await PhotoTargeterCalibrator.CalibrateAsync(rig.Targeter, rig.Camera);
        rig.Targeter.CameraToTarget = calibration.CameraToTarget;
        var truth = new GroundTruthRecorder();
        using var _ = rig.Camera.GroundTruth.Subscribe(truth);

        (await rig.Camera.SnapAsync(default)).Dispose();
        var sample = rig.Session.Sample;
        var target = truth.Frames[^1].Clusters
            .Where(c => c.XPx is > 40 and < 470 && c.YPx is > 40 and < 470 && !c.Dissolving)
            .Where(c => sample.FindCluster(c.CellId, c.ClusterId)!.AgeS > 100)
            .MaxBy(c => c.Molecules);
        double pre = target.FluorescentMolecules;

        await rig.Targeter.BleachAsync(new BleachCircle(new PixelPoint(target.XPx, target.YPx), 1.0),
            new BleachSettings(TimeSpan.FromMilliseconds(5), 1.0), default);
        var bleachedAt = rig.Session.Clock.Now;
        var times = new List<double>();
        var values = new List<double>();
        for (int i = 0; i <= 60; i++)
        {
            await rig.Session.Clock.WaitUntilAsync(bleachedAt + TimeSpan.FromSeconds(2 * i), default);
            (await rig.Camera.SnapAsync(default)).Dispose();
            var frame = truth.Frames[^1];
            var c = frame.Clusters.Single(x => x.ClusterId == target.ClusterId);
            times.Add((frame.Timestamp - bleachedAt).TotalSeconds);
            values.Add(c.FluorescentMolecules);
        }
        sample.FindCluster(target.CellId, target.ClusterId)!.Dissolving.Should().BeFalse("the followed cluster must outlive the experiment");
        var (plateau, amplitude, k) = FitRecovery(times, values);
        double f0 = plateau - amplitude;
        var p = options.Conditions.For(condition);
        return new FrapResult(Math.Log(2) / k, (plateau - f0) / (pre - f0), 1 - values[0] / pre,
            Math.Log(2) / p.KOffPerS, 1 - p.ImmobileFraction);
    }

    /// <summary>Least squares F(t) = F∞ − A·e^(−kt): a fine search over k, linear in F∞ and A for each k.</summary>
    private static (double Plateau, double Amplitude, double K) FitRecovery(IReadOnlyList<double> t, IReadOnlyList<double> f)
    {
        double bestK = 0, bestPlateau = 0, bestAmplitude = 0, bestError = double.MaxValue;
        for (double logK = Math.Log(1e-3); logK <= Math.Log(2); logK += 0.0005)
        {
            double k = Math.Exp(logK);
            double se = 0, see = 0, sf = 0, sfe = 0, n = t.Count;
            for (int i = 0; i < t.Count; i++)
            {
                double e = -Math.Exp(-k * t[i]);
                se += e; see += e * e; sf += f[i]; sfe += f[i] * e;
            }
            double det = n * see - se * se;
            double plateau = (sf * see - se * sfe) / det, amplitude = (n * sfe - se * sf) / det;
            double error = 0;
            for (int i = 0; i < t.Count; i++)
            {
                double r = f[i] - (plateau - amplitude * Math.Exp(-k * t[i]));
                error += r * r;
            }
            if (error < bestError) (bestError, bestK, bestPlateau, bestAmplitude) = (error, k, plateau, amplitude);
        }
        return (bestPlateau, bestAmplitude, bestK);
    }

    [Fact]
    public async Task A_bleached_cluster_recovers_with_the_half_time_of_k_off_to_the_mobile_fraction()
    {
        var r = await FrapAsync(SampleCondition.InsulinSensitive);
        output.WriteLine($"sensitive: {r}");
        r.BleachDepth.Should().BeGreaterThanOrEqualTo(0.7);
        r.HalfTimeS.Should().BeApproximately(r.ExpectedHalfTimeS, 0.1 * r.ExpectedHalfTimeS);
        r.MobileFraction.Should().BeApproximately(r.ExpectedMobile, 0.05);
    }

    [Fact]
    public async Task Resistant_cells_recover_slower_than_sensitive_ones()
    {
        var sensitive = await FrapAsync(SampleCondition.InsulinSensitive);
        var resistant = await FrapAsync(SampleCondition.InsulinResistant);
        output.WriteLine($"sensitive: {sensitive}\nresistant: {resistant}");
        resistant.BleachDepth.Should().BeGreaterThanOrEqualTo(0.7);
        resistant.HalfTimeS.Should().BeApproximately(resistant.ExpectedHalfTimeS, 0.1 * resistant.ExpectedHalfTimeS);
        resistant.HalfTimeS.Should().BeGreaterThan(1.5 * sensitive.HalfTimeS);
        resistant.MobileFraction.Should().BeLessThan(sensitive.MobileFraction);
    }
}
