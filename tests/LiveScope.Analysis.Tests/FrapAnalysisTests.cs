using LiveScope.Testing;
using System.Globalization;
using LiveScope.Analysis.Frap;

namespace LiveScope.Analysis.Tests;

public class FrapAnalysisTests
{
    /// <summary>
    /// A recovery with camera noise: mean intensities of ROI (50 px), whole cell (5000 px) and background (400 px),
    /// each pixel Poisson + 1.6 e⁻ read noise; acquisition bleaching with τ 400 s; the bleach leaves gapRatio of the
    /// cell. The truth is defined on the double-normalised scale: F = F0 + Mf(1 − F0)(1 − e^(−kt)).
    /// </summary>
    internal static FrapCurve Simulate(int seed, double halfTimeS, double mobileFraction, double f0 = 0.2, double gapRatio = 0.9,
        int preFrames = 10, int postFrames = 200, double intervalS = 0.25, double slowHalfTimeS = 0, double slowFraction = 0)
    {
        var rng = new Random(seed);
        int n = preFrames + postFrames;
        double k = Math.Log(2) / halfTimeS, bg = 100, roiPre = 800, refPre = 600, read2 = 1.6 * 1.6;
        double Noisy(double mean, int pixels) => mean + Math.Sqrt((mean + read2) / pixels) * Normal(rng);
        var t = new double[n]; var roi = new double[n]; var reference = new double[n]; var background = new double[n];
        for (int i = 0; i < n; i++)
        {
            t[i] = i * intervalS;
            double acquisition = Math.Exp(-t[i] / 400);
            double f = 1, gap = 1;
            if (i >= preFrames)
            {
                double ts = t[i] - t[preFrames];
                f = f0 + mobileFraction * (1 - f0) * (1 - Math.Exp(-k * ts));
                if (slowFraction > 0) f += slowFraction * (1 - f0) * (1 - Math.Exp(-Math.Log(2) / slowHalfTimeS * ts));
                gap = gapRatio;
            }
            roi[i] = Noisy(bg + roiPre * acquisition * gap * f, 50);
            reference[i] = Noisy(bg + refPre * acquisition * gap, 5000);
            background[i] = Noisy(bg, 400);
        }
        return new FrapCurve(t, roi, reference, background, preFrames);
    }

    private static double Normal(Random rng)
        => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Theory]
    [InlineData(1, 5.0, 0.7)]
    [InlineData(2, 2.0, 0.5)]
    [InlineData(3, 10.0, 0.9)]
    public void One_exponential_fit_recovers_half_time_within_5_percent_and_mobile_fraction_within_003(int seed, double halfTimeS, double mobile)
    {
        var result = FrapAnalysis.Analyse(Simulate(seed, halfTimeS, mobile));
        result.HalfTimeS.Should().BeApproximately(halfTimeS, 0.05 * halfTimeS);
        result.MobileFraction.Should().BeApproximately(mobile, 0.03);
        result.RSquared.Should().BeGreaterThan(0.95);
        result.Warnings.Should().BeEmpty();
        result.BleachDepth.Should().BeApproximately(0.8, 0.05);
        result.GapRatio.Should().BeApproximately(0.9, 0.02);
        result.HalfTimeStandardErrorS.Should().BeGreaterThan(0).And.BeLessThan(0.05 * halfTimeS);
    }

    /// <summary>A recovery whose cluster starts dissolving at <paramref name="dissolvesFromS"/>: from then every molecule leaves at k.</summary>
    private static FrapCurve Dissolving(int seed, double halfTimeS, double mobile, double dissolvesFromS, double f0 = 0.2)
    {
        var rng = new Random(seed);
        double k = Math.Log(2) / halfTimeS, bg = 100, roiPre = 800, refPre = 600, pool = 0.3;
        double Cluster(double ts) => f0 + mobile * (1 - f0) * (1 - Math.Exp(-k * ts));
        int pre = 5, post = 60;
        var t = new double[pre + post]; var roi = new double[pre + post]; var reference = new double[pre + post]; var background = new double[pre + post];
        for (int i = 0; i < pre + post; i++)
        {
            t[i] = i * 2.0;
            double ts = t[i] - t[pre], c = i < pre ? 1 : ts < dissolvesFromS ? Cluster(ts) : Cluster(dissolvesFromS) * Math.Exp(-k * (ts - dissolvesFromS));
            // The ROI holds the cluster (1 − pool of its pre-bleach signal) on the unbleached diffuse pool.
            roi[i] = bg + roiPre * (pool + (1 - pool) * c) + Math.Sqrt(roiPre / 30) * Normal(rng);
            reference[i] = bg + refPre + Math.Sqrt(refPre / 5000) * Normal(rng);
            background[i] = bg + Math.Sqrt(bg / 400) * Normal(rng);
        }
        return new FrapCurve(t, roi, reference, background, pre);
    }

    [Theory]
    [InlineData(1, 14.0, 40.0)]
    [InlineData(2, 35.0, 60.0)]
    [InlineData(3, 20.0, 16.0)]
    public void A_recovery_cut_short_by_its_cluster_dissolving_is_fitted_as_such(int seed, double halfTimeS, double dissolvesFromS)
    {
        var plain = FrapAnalysis.Analyse(Dissolving(seed, halfTimeS, 0.8, dissolvesFromS), new FrapOptions { DetectDissolution = false });
        var result = FrapAnalysis.Analyse(Dissolving(seed, halfTimeS, 0.8, dissolvesFromS));

        result.DissolvesFromS.Should().BeApproximately(dissolvesFromS, 4);
        result.HalfTimeS.Should().BeApproximately(halfTimeS, 0.08 * halfTimeS);
        result.RSquared.Should().BeGreaterThan(0.95);
        result.Warnings.Should().Contain(w => w.StartsWith("the cluster dissolves from t ≈"));
        Math.Abs(plain.HalfTimeS / halfTimeS - 1).Should().BeGreaterThan(0.15, "one exponential reads the turn as a plateau");
    }

    [Fact]
    public void A_clean_recovery_is_not_mistaken_for_a_dissolving_cluster()
    {
        foreach (int seed in new[] { 1, 2, 3, 4, 5 })
        {
            var result = FrapAnalysis.Analyse(Dissolving(seed, 20, 0.8, dissolvesFromS: double.PositiveInfinity));
            result.DissolvesFromS.Should().Be(double.NaN, $"seed {seed}");
            result.HalfTimeS.Should().BeApproximately(20, 2);
        }
    }

    [Fact]
    public void Full_scale_normalisation_gives_the_same_half_time_and_mobile_fraction()
    {
        var curve = Simulate(4, 5.0, 0.7);
        var plain = FrapAnalysis.Analyse(curve);
        var full = FrapAnalysis.Analyse(curve, new FrapOptions { FullScale = true });
        full.HalfTimeS.Should().BeApproximately(plain.HalfTimeS, 0.02 * plain.HalfTimeS);
        full.MobileFraction.Should().BeApproximately(0.7, 0.03);
        full.Normalised[curve.FirstPostBleachIndex].Should().BeApproximately(0, 1e-12);
    }

    [Fact]
    public void Shallow_bleach_and_over_bleached_cell_are_flagged()
    {
        var result = FrapAnalysis.Analyse(Simulate(5, 5.0, 0.7, f0: 0.6, gapRatio: 0.5));
        result.Warnings.Should().HaveCount(2);
        result.Warnings.Should().Contain(w => w.Contains("bleach depth")).And.Contain(w => w.Contains("gap ratio"));
    }

    [Fact]
    public void Two_exponential_fit_separates_a_fast_and_a_slow_pool()
    {
        // Noise-free two-pool recovery: the fit must find both rates.
        var t = Enumerable.Range(0, 400).Select(i => i * 0.1).ToArray();
        double[] truth = [0.8, 0.3, 2.0, 0.3, 0.1];
        var pre = Enumerable.Repeat(1.0, 10);
        var y = t.Select(v => FrapModels.TwoExponentials(v, truth, new double[5])).ToArray();
        var curve = new FrapCurve(
            Enumerable.Range(0, 410).Select(i => i * 0.1).ToArray(),
            pre.Concat(y).Select(v => v * 1000 + 100).ToArray(),
            Enumerable.Repeat(1100.0, 410).ToArray(), Enumerable.Repeat(100.0, 410).ToArray(), 10);
        var result = FrapAnalysis.Analyse(curve, new FrapOptions { Model = FrapModel.TwoExponentials });
        var rates = new[] { result.Parameters[2], result.Parameters[4] }.Order().ToArray();
        rates[0].Should().BeApproximately(0.1, 1e-4);
        rates[1].Should().BeApproximately(2.0, 1e-3);
        result.MobileFraction.Should().BeApproximately(0.6 / 0.8, 1e-4);
        result.RSquared.Should().BeGreaterThan(0.999999);
    }

    [Theory]
    [InlineData(6, FrapModel.OneExponential)]
    [InlineData(7, FrapModel.OneExponential)]
    [InlineData(8, FrapModel.TwoExponentials)]
    public void Fit_matches_scipy_curve_fit_on_the_same_curve(int seed, FrapModel model)
    {
        var curve = model == FrapModel.OneExponential
            ? Simulate(seed, 4.0, 0.75)
            : Simulate(seed, 1.0, 0.4, postFrames: 400, slowHalfTimeS: 15, slowFraction: 0.4);
        var result = FrapAnalysis.Analyse(curve, new FrapOptions { Model = model });
        int post = curve.FirstPostBleachIndex;
        var t = curve.TimesS.Skip(post).Select(v => v - curve.TimesS[post]).ToArray();
        var y = result.Normalised.Skip(post).ToArray();
        var p0 = FrapAnalysis.InitialGuess(t, y, model);

        var (scipy, scipySe) = RunScipy(model, p0, t, y);
        for (int i = 0; i < scipy.Length; i++)
        {
            double relative = Math.Abs(result.Parameters[i] - scipy[i]) / Math.Max(Math.Abs(scipy[i]), 1e-12);
            relative.Should().BeLessThan(1e-4, $"parameter {i}: ours {result.Parameters[i]:R}, scipy {scipy[i]:R}");
            if (model == FrapModel.OneExponential)
                result.ParameterStandardErrors[i].Should().BeApproximately(scipySe[i], 1e-3 * scipySe[i]);
        }
    }

    private static (double[] P, double[] Se) RunScipy(FrapModel model, double[] p0, double[] t, double[] y)
    {
        string input = Path.Combine(Path.GetTempPath(), $"livescope-frap-{Guid.NewGuid():N}.txt");
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string> { (model == FrapModel.OneExponential ? "one " : "two ") + string.Join(' ', p0.Select(v => v.ToString("R", c))) };
        lines.AddRange(t.Select((v, i) => v.ToString("R", c) + " " + y[i].ToString("R", c)));
        File.WriteAllLines(input, lines);
        try
        {
            string script = Path.Combine(AppContext.BaseDirectory, "python", "frap_curve_fit.py");
            var scipy = ExternalProgram.RunPythonFile(script, "python3-scipy", input);
            scipy.ExitCode.Should().Be(0, scipy.Stderr);
            var rows = scipy.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            double[] Parse(string row) => row.Split(' ').Select(v => double.Parse(v, c)).ToArray();
            return (Parse(rows[0]), Parse(rows[1]));
        }
        finally { File.Delete(input); }
    }
}

public class FrapCurveBuilderTests
{
    [Fact]
    public void Curve_built_from_frames_recovers_the_simulated_half_time()
    {
        // The left of two touching cells is bleached in a 12-px disc at t = 5 s to 20 % and recovers with t½ 4 s,
        // mobile fraction 0.8; frames every 0.5 s with shot noise.
        var template = CellSegmentationTests.TwoTouchingCells(9, out int w, out int h);
        var masks = new LiveScope.Analysis.Cells.CellSegmenter().Segment(template, w, h);
        int cell = masks.CellAt(176, 256);
        double cx = 150, cy = 230, radius = 12, k = Math.Log(2) / 4.0;
        var builder = new FrapCurveBuilder(cx, cy, radius, masks, cell, bleachTimeS: 5);
        var rng = new Random(4);
        var pixels = new ushort[w * h];
        for (int i = 0; i < 60; i++)
        {
            double t = 0.5 * i;
            double f = t < 5 ? 1 : 0.2 + 0.8 * 0.8 * (1 - Math.Exp(-k * (t - 5)));
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double v = template[y * w + x];
                    if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius) v = 100 + (v - 100) * f;
                    v += Math.Sqrt(v) * 0.3 * (Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
                    pixels[y * w + x] = (ushort)Math.Clamp(v, 0, 65535);
                }
            builder.Add(pixels, w, h, t);
        }
        var curve = builder.Build();
        curve.FirstPostBleachIndex.Should().Be(10);
        var result = FrapAnalysis.Analyse(curve);
        result.HalfTimeS.Should().BeApproximately(4.0, 0.2);
        result.MobileFraction.Should().BeApproximately(0.8, 0.03);
        result.BleachDepth.Should().BeApproximately(0.8, 0.05);
    }
}

/// <summary>The fit coupled to the local pool (<see cref="FrapPoolCoupled"/>) and the ring that measures it (<see cref="FrapPoolRing"/>).</summary>
public class FrapPoolCouplingTests
{
    /// <summary>
    /// A cluster exchanging with a small pool the bleach depleted: the pool's fluorescent share u drops by
    /// <paramref name="spotLoss"/> at the bleach and then by <paramref name="releaseLoss"/>·(1 − e^(−kt)) as the cluster
    /// releases its bleached molecules; the cluster's mobile part follows dC/dt = k·(M·u − C) (integrated finely).
    /// The ROI and the pool ring are noiseless, the whole-cell reference flat, so only the model is tested.
    /// </summary>
    private static FrapCurve DepletedPool(double halfTimeS, double mobile, double spotLoss, double releaseLoss)
    {
        const int pre = 5, post = 90;
        double k = Math.Log(2) / halfTimeS, immobile = 1 - mobile, depth = 0.95;
        var times = new double[pre + post]; var roi = new double[pre + post]; var pool = new double[pre + post];
        for (int i = 0; i < pre; i++) { times[i] = i - pre; roi[i] = 1000; pool[i] = 200; }
        double c = mobile * (1 - depth), dt = 0.001;
        for (int j = 0; j < post; j++)
        {
            double t = j;
            double U(double tt) => 1 - spotLoss - releaseLoss * (1 - Math.Exp(-k * tt));
            if (j > 0) for (double tt = t - 1; tt < t - 1e-9; tt += dt) c += dt * k * (mobile * U(tt) - c);
            times[pre + j] = t;
            roi[pre + j] = 1000 * (immobile * (1 - depth) + c);
            pool[pre + j] = 200 * U(t);
        }
        var flat = Enumerable.Repeat(500.0, pre + post).ToArray();
        return new FrapCurve(times, roi, flat, new double[pre + post], pre) { LocalPool = pool };
    }

    [Fact]
    public void A_fit_coupled_to_the_measured_local_pool_recovers_what_a_depleted_pool_hides()
    {
        var curve = DepletedPool(halfTimeS: 14, mobile: 0.8, spotLoss: 0.01, releaseLoss: 0.07);
        var coupled = FrapAnalysis.Analyse(curve);
        var plain = FrapAnalysis.Analyse(curve with { LocalPool = null });
        plain.MobileFraction.Should().BeLessThan(0.8 - 0.04, "the plain fit's plateau is the depleted pool's");
        plain.HalfTimeS.Should().BeLessThan(14 * 0.95, "the pool keeps falling while the cluster recovers, so it ends early");
        coupled.HalfTimeS.Should().BeApproximately(14, 0.01 * 14);
        coupled.MobileFraction.Should().BeApproximately(0.8, 0.005);
        coupled.PoolShareAtEnd.Should().BeApproximately(1 - 0.01 - 0.07, 0.002);
        coupled.Evaluate(30).Should().BeApproximately(coupled.Normalised[5 + 30], 0.002, "the fitted curve includes the pool term");
    }

    [Fact]
    public void With_an_undepleted_pool_the_coupled_fit_is_the_one_exponential_fit()
    {
        var curve = FrapAnalysisTests.Simulate(1, 5.0, 0.7);
        var ring = curve.Reference.Select((r, i) => curve.Background[i] + 0.5 * (r - curve.Background[i])).ToArray();   // the whole cell's course: u ≡ 1
        var coupled = FrapAnalysis.Analyse(curve with { LocalPool = ring });
        var plain = FrapAnalysis.Analyse(curve);
        coupled.HalfTimeS.Should().BeApproximately(plain.HalfTimeS, 1e-6 * plain.HalfTimeS);
        coupled.MobileFraction.Should().BeApproximately(plain.MobileFraction, 1e-6);
    }

    private static double Normal(Random rng)
        => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Ring pixels per sector, Poisson-like noise (seeded); the pool fades by 10 % over the recovery.</summary>
    private static FrapPoolRing Ring(int seed, int newClusterSector, double newClusterFrom)
    {
        var rng = new Random(seed);
        var ring = new FrapPoolRing(4, 10);
        for (int frame = 0; frame < 95; frame++)
        {
            double level = frame < 5 ? 300 : 300 * (1 - 0.1 * (frame - 5) / 90.0);
            ring.BeginFrame();
            for (int y = -10; y <= 10; y++)
                for (int x = -10; x <= 10; x++)
                {
                    double d2 = x * x + y * y;
                    double value = 100 + level + Math.Sqrt(level) * Normal(rng);
                    int sector = (int)((Math.Atan2(y, x) + Math.PI) / (2 * Math.PI) * FrapPoolRing.Sectors) % FrapPoolRing.Sectors;
                    if (sector == newClusterSector && frame >= newClusterFrom) value += 60 * Math.Min(1, (frame - newClusterFrom) / 10.0);
                    ring.Add(x, y, d2, value);
                }
            ring.EndFrame();
        }
        return ring;
    }

    [Fact]
    public void A_cluster_born_in_the_pool_ring_has_its_sector_left_out_and_a_fading_pool_keeps_them_all()
    {
        var background = Enumerable.Repeat(100.0, 95).ToArray();
        var clean = Ring(seed: 3, newClusterSector: -1, newClusterFrom: 0).Means(background, 5, out int cleanOut);
        cleanOut.Should().Be(0);
        ((clean[^1] - 100) / 300).Should().BeApproximately(0.9, 0.005);
        var spoiled = Ring(seed: 3, newClusterSector: 2, newClusterFrom: 60).Means(background, 5, out int spoiledOut);
        spoiledOut.Should().Be(1);
        ((spoiled[^1] - 100) / 300).Should().BeApproximately(0.9, 0.005, "the sector with the new cluster does not count");
    }
}
