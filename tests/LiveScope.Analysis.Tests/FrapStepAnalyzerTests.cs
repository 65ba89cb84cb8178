using System.Globalization;
using LiveScope.Analysis.Frap;

namespace LiveScope.Analysis.Tests;

/// <summary>
/// FrapStepAnalyzer on synthetic frames: one round cell (radius 60 px) with a Gaussian cluster (σ 1.5 px) whose
/// brightness after the bleach follows g(t) = f0 + Mf(1 − f0)(1 − e^(−kt)); Poisson-like noise, a seeded generator.
/// The diffuse cell signal under the ROI is not bleached, so on the double-normalised scale the mobile fraction is Mf.
/// </summary>
public class FrapStepAnalyzerTests
{
    private const int Size = 256, Pre = 5;
    private const double CellX = 128, CellY = 128, CellRadius = 60, SpotX = 150.3, SpotY = 120.6;

    private static ushort[] Frame(Random rng, double spotScale, double reflection = 0) => Frame(rng, spotScale, SpotX, SpotY, reflection);

    private static ushort[] Frame(Random rng, double spotScale, double spotX, double spotY, double reflection = 0)
    {
        var pixels = new ushort[Size * Size];
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                double r = Math.Sqrt((x - CellX) * (x - CellX) + (y - CellY) * (y - CellY));
                double v = 100 + 300 / (1 + Math.Exp((r - CellRadius) / 2));
                double d2 = (x - spotX) * (x - spotX) + (y - spotY) * (y - spotY);
                v += (2000 * spotScale + reflection) * Math.Exp(-d2 / (2 * 1.5 * 1.5));
                v += Math.Sqrt(v) * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                pixels[y * Size + x] = (ushort)Math.Clamp(v, 0, 65535);
            }
        return pixels;
    }

    /// <summary>Feeds <paramref name="post"/> recovery frames at 1 s after <see cref="Pre"/> pre-bleach frames.</summary>
    private static FrapStepResult Run(FrapStepAnalyzer analyzer, double halfTimeS, double mobile, int post = 60, double f0 = 0.1,
        double firstPostReflection = 0)
    {
        var rng = new Random(7);
        double k = Math.Log(2) / halfTimeS;
        for (int i = 0; i < Pre + post; i++)
        {
            double t = i - Pre;
            double g = i < Pre ? 1 : f0 + mobile * (1 - f0) * (1 - Math.Exp(-k * t));
            analyzer.Add(Frame(rng, g, i == Pre ? firstPostReflection : 0), Size, Size, 100 + i);
        }
        return analyzer.Complete(trackId: 42);
    }

    [Fact]
    public void A_pre_bleach_frame_live_analysis_skipped_does_not_shift_the_bleach()
    {
        var analyzer = new FrapStepAnalyzer("frap_a", SpotX, SpotY, 3, Pre);
        var rng = new Random(7);
        double k = Math.Log(2) / 8;
        for (int i = 0; i < Pre + 60; i++)
        {
            if (i == 1) continue; // skipped: analysis was behind
            double g = i < Pre ? 1 : 0.1 + 0.7 * 0.9 * (1 - Math.Exp(-k * (i - Pre)));
            analyzer.Add(Frame(rng, g), Size, Size, 100 + i, stepIndex: i);
        }
        var r = analyzer.Complete();

        r.Failure.Should().BeNull();
        r.BleachTimeS.Should().Be(100 + Pre, "the first post-bleach frame is still the one at step index Pre");
        r.Curve!.FirstPostBleachIndex.Should().Be(Pre - 1);
        r.Fit!.HalfTimeS.Should().BeApproximately(8, 0.4);
    }

    [Fact]
    public void Recovers_half_time_and_mobile_fraction_from_frames_and_reports_the_cell_and_bleach_time()
    {
        var analyzer = new FrapStepAnalyzer("frap_a", SpotX, SpotY, 3, Pre) { Position = "cell_1" };
        var r = Run(analyzer, halfTimeS: 8, mobile: 0.7);

        r.Failure.Should().BeNull();
        r.Succeeded.Should().BeTrue();
        r.Fit!.HalfTimeS.Should().BeApproximately(8, 0.4);
        r.Fit.MobileFraction.Should().BeApproximately(0.7, 0.03);
        r.Fit.Warnings.Should().BeEmpty();
        r.CellId.Should().Be(1);
        r.TrackId.Should().Be(42);
        (r.Step, r.Position).Should().Be(("frap_a", "cell_1"));
        r.BleachTimeS.Should().Be(100 + Pre, "the first post-bleach frame is t = 0 of the recovery");
        r.Curve!.TimesS.Should().HaveCount(Pre + 60);
        analyzer.FramesAdded.Should().Be(Pre + 60);
        analyzer.IsComplete(Pre + 60).Should().BeTrue();
    }

    [Fact]
    public void Measuring_the_local_pool_changes_nothing_where_the_pool_is_not_depleted()
    {
        var plain = Run(new FrapStepAnalyzer("frap_a", SpotX, SpotY, 3, Pre), halfTimeS: 8, mobile: 0.7);
        var coupled = Run(new FrapStepAnalyzer("frap_a", SpotX, SpotY, 3, Pre) { MeasureLocalPool = true }, halfTimeS: 8, mobile: 0.7);

        coupled.Failure.Should().BeNull();
        coupled.Curve!.LocalPool.Should().HaveCount(Pre + 60);
        coupled.Curve.LocalPoolSectorsLeftOut.Should().Be(0, "the ring lies inside the cell and nothing appears in it");
        coupled.Fit!.PoolShareAtEnd.Should().BeApproximately(1, 0.01);
        coupled.Fit.HalfTimeS.Should().BeApproximately(plain.Fit!.HalfTimeS, 0.01 * plain.Fit.HalfTimeS);
        coupled.Fit.MobileFraction.Should().BeApproximately(plain.Fit.MobileFraction, 0.005);
        plain.Curve!.LocalPool.Should().BeNull("off by default");
    }

    /// <summary>A cluster drifting 2.5 px during its recovery (as simulated clusters do in a minute), bleached where it started.</summary>
    private static FrapStepResult RunDrifting(FrapStepAnalyzer analyzer, double driftPx)
    {
        var rng = new Random(11);
        double k = Math.Log(2) / 8;
        for (int i = 0; i < Pre + 60; i++)
        {
            double t = i - Pre, moved = i < Pre ? 0 : driftPx * t / 59;
            double g = i < Pre ? 1 : 0.1 + 0.7 * 0.9 * (1 - Math.Exp(-k * t));
            analyzer.Add(Frame(rng, g, SpotX + moved * 0.6, SpotY + moved * 0.8), Size, Size, 100 + i);
        }
        return analyzer.Complete();
    }

    [Fact]
    public void The_ROI_follows_a_drifting_cluster_and_records_where_it_went_where_a_fixed_ROI_loses_the_recovery()
    {
        var followed = RunDrifting(new FrapStepAnalyzer("followed", SpotX, SpotY, 3, Pre), driftPx: 2.5);
        var fixedRoi = RunDrifting(new FrapStepAnalyzer("fixed", SpotX, SpotY, 3, Pre) { FollowCluster = false }, driftPx: 2.5);

        followed.Failure.Should().BeNull();
        followed.Fit!.HalfTimeS.Should().BeApproximately(8, 0.4);
        followed.Fit.MobileFraction.Should().BeApproximately(0.7, 0.03);
        var curve = followed.Curve!;
        (curve.RoiXPx![^1], curve.RoiYPx![^1]).Should().Match<(double X, double Y)>(p =>
            Math.Abs(p.X - (SpotX + 1.5)) <= 0.75 && Math.Abs(p.Y - (SpotY + 2.0)) <= 0.75, "the ROI ends on the cluster (to the pixel)");
        followed.RoiShiftPx.Should().BeApproximately(2.5, 0.75);
        fixedRoi.RoiShiftPx.Should().Be(0);
        Math.Abs(fixedRoi.Fit!.MobileFraction - 0.7).Should().BeGreaterThan(0.05, "a fixed ROI sees the cluster leave as lost recovery");
    }

    [Fact]
    public void The_ROI_does_not_follow_farther_than_its_bound_and_says_so()
    {
        var r = RunDrifting(new FrapStepAnalyzer("far", SpotX, SpotY, 3, Pre), driftPx: 8);
        r.RoiShiftPx.Should().BeLessThanOrEqualTo(3 + 1e-9, "the ROI may go one radius from the bleach point, no more");
        r.Fit!.Warnings.Should().Contain(w => w.StartsWith("the cluster moved over 3 px"));
    }

    [Fact]
    public void A_still_cluster_keeps_its_ROI_within_a_fraction_of_a_pixel()
    {
        var r = Run(new FrapStepAnalyzer("still", SpotX, SpotY, 3, Pre), halfTimeS: 8, mobile: 0.7);
        r.RoiShiftPx.Should().BeLessThan(0.3, "noise and the dark bleached spot must not move the ROI");
    }

    [Fact]
    public void A_recovery_recorded_for_less_than_three_half_times_is_warned_as_extrapolated()
    {
        var r = Run(new FrapStepAnalyzer("slow", SpotX, SpotY, 3, Pre), halfTimeS: 20, mobile: 0.7, post: 30);
        r.Failure.Should().BeNull();
        r.Fit!.Warnings.Should().ContainSingle(w => w.StartsWith("recovery recorded for 29 s, under 3·t½"));
    }

    [Fact]
    public void An_ROI_just_outside_the_cell_uses_the_nearest_cell_and_one_far_outside_fails_without_throwing()
    {
        // The cell edge is at r ≈ 60 px (binned masks make it ragged by a few px): 2 px outside is "just outside".
        var near = new FrapStepAnalyzer("near", CellX + CellRadius + 2, CellY, 3, Pre);
        var far = new FrapStepAnalyzer("far", CellX + CellRadius + 30, CellY, 3, Pre);
        var rng = new Random(1);
        var frame = Frame(rng, 1);
        near.Add(frame, Size, Size, 0);
        far.Add(frame, Size, Size, 0);

        near.CellId.Should().Be(1);
        far.CellId.Should().BeNull();
        var result = far.Complete();
        result.Failure.Should().StartWith("no cell at or within");
        result.Fit.Should().BeNull();
    }

    [Fact]
    public void Bad_data_ends_in_a_failure_text_never_an_exception()
    {
        new FrapStepAnalyzer("none", SpotX, SpotY, 3, Pre).Complete().Failure.Should().Be("no frames were added");
        new FrapStepAnalyzer("radius", SpotX, SpotY, double.NaN, Pre).Complete().Failure.Should().Contain("radius");
        new FrapStepAnalyzer("centre", double.NaN, SpotY, 3, Pre).Complete().Failure.Should().Contain("no ROI centre");

        Run(new FrapStepAnalyzer("short", SpotX, SpotY, 3, Pre), 8, 0.7, post: 2).Failure.Should().Contain("4 post-bleach frames");

        var sizes = new FrapStepAnalyzer("sizes", SpotX, SpotY, 3, Pre);
        var rng = new Random(2);
        sizes.Add(Frame(rng, 1), Size, Size, 0);
        sizes.Add(new ushort[128 * 128], 128, 128, 1);
        sizes.Complete().Failure.Should().StartWith("frame 1: frame size differs");

        var order = new FrapStepAnalyzer("order", SpotX, SpotY, 3, Pre);
        order.Add(Frame(rng, 1), Size, Size, 5);
        order.Add(Frame(rng, 1), Size, Size, 5);
        order.Complete().Failure.Should().Contain("time order");
    }

    [Fact]
    public void A_first_post_bleach_frame_brighter_than_before_is_a_failure_not_a_fit()
    {
        // A laser reflection caught in the first recovery frame: the ROI looks brighter than before the bleach.
        var r = Run(new FrapStepAnalyzer("reflection", SpotX, SpotY, 3, Pre), 8, 0.7, firstPostReflection: 6000);
        r.Failure.Should().StartWith("no bleach seen");
        r.Curve.Should().NotBeNull("the curve is kept for inspection");
        r.Succeeded.Should().BeFalse();
    }

    [Fact]
    public void Csv_appends_one_header_and_a_row_per_step_and_write_all_replaces()
    {
        var folder = Directory.CreateTempSubdirectory("frap-csv-").FullName;
        try
        {
            var ok = Run(new FrapStepAnalyzer("frap_a", SpotX, SpotY, 3, Pre) { Position = "cell_1" }, 8, 0.7);
            var failed = new FrapStepAnalyzer("frap,b", SpotX, SpotY, 3, Pre) { Position = "cell_2" }.Complete();
            FrapResultsCsv.Append(folder, ok);
            FrapResultsCsv.Append(folder, failed, series: "cell_2_frap-b");

            var lines = File.ReadAllLines(Path.Combine(folder, FrapResultsCsv.ResultsFileName));
            lines.Should().HaveCount(3);
            lines[0].Should().Be("step,position,series,track_id,cell_id,x_px,y_px,radius_px,bleach_time_s,model,t_half_s,t_half_se_s," +
                                 "mobile_fraction,mobile_fraction_se,r_squared,bleach_depth,gap_ratio,warnings,failure,roi_shift_px,dissolves_from_s");
            var row = lines[1].Split(',');
            row.Should().HaveCount(21);
            row[..5].Should().Equal("frap_a", "cell_1", "cell_1_frap_a", "42", "1");
            row[9].Should().Be("one_exponential");
            double.Parse(row[10], CultureInfo.InvariantCulture).Should().BeApproximately(8, 0.4);
            row[18].Should().BeEmpty();
            row[20].Should().BeEmpty("the cluster did not dissolve");
            lines[2].Should().Be("\"frap,b\",cell_2,cell_2_frap-b,,,150.3,120.6,3,,,,,,,,,,,no frames were added,,",
                "text with a comma is quoted; unknown ids and NaN are empty cells");

            var curves = File.ReadAllLines(Path.Combine(folder, FrapResultsCsv.CurvesFileName));
            curves[0].Should().Be("step,time_s,roi,reference,background,normalised,fitted,roi_x_px,roi_y_px");
            curves.Should().HaveCount(1 + Pre + 60, "a failed step without a curve adds no curve rows");
            curves[1].Split(',')[1].Should().Be("-5");
            curves[1].Split(',')[6].Should().BeEmpty("pre-bleach rows have no fitted value");
            curves[1 + Pre].Split(',')[1].Should().Be("0");
            curves[1 + Pre].Split(',')[6].Should().NotBeEmpty();
            curves[1].Split(',')[7..].Should().Equal(["150.3", "120.6"], "where the ROI was: on the cluster, which sits at the bleach point");

            FrapResultsCsv.WriteAll(folder, [(ok, null)]);
            File.ReadAllLines(Path.Combine(folder, FrapResultsCsv.ResultsFileName)).Should().HaveCount(2, "WriteAll replaces");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
