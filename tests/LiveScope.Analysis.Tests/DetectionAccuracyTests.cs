using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Validation;
using Xunit.Abstractions;

namespace LiveScope.Analysis.Tests;

public class DetectionAccuracyTests(ITestOutputHelper output)
{
    internal const double PixelSizeUm = 0.1;
    internal static readonly ClusterDetectorOptions Options = new() { ExpectedDiameterUm = 0.45 };
    internal static readonly SyntheticSpotFrameSpec Spec = new() { Width = 512, Height = 512, SpotCount = 150, Seed = 7 };

    [Theory]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(20)]
    public void At_snr_5_and_above_f1_is_at_least_095_and_per_axis_rmse_at_most_025_px(double snr)
    {
        var points = DetectionAccuracyCurve.Measure([snr], Options, Spec, PixelSizeUm, framesPerPoint: 3);
        var score = points[0].Score;
        output.WriteLine($"SNR {snr}: TP {score.TruePositives} FP {score.FalsePositives} FN {score.FalseNegatives} F1 {score.F1:0.000} RMSE 2-D {score.RmsePx:0.000} per axis {score.RmsePerAxisPx:0.000}");
        score.F1.Should().BeGreaterThanOrEqualTo(0.95);
        // Per-axis: the 2-D RMSE at SNR 5 is bounded below by ≈0.25 px (Cramér–Rao for σ 1.5 px, 100 e⁻ background).
        score.RmsePerAxisPx.Should().BeLessThanOrEqualTo(0.25);
    }

    [Fact]
    public void Accuracy_curve_from_snr_1_to_20_rises_with_snr()
    {
        double[] snrs = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20];
        var points = DetectionAccuracyCurve.Measure(snrs, Options, Spec, PixelSizeUm);
        var text = new StringWriter();
        DetectionAccuracyCurve.Print(points, text);
        output.WriteLine(text.ToString());
        points[0].Score.F1.Should().BeLessThan(points[^1].Score.F1, "SNR 1 spots are mostly lost in noise");
        points.Where(p => p.Snr >= 5).Should().OnlyContain(p => p.Score.F1 >= 0.95);
    }
}
