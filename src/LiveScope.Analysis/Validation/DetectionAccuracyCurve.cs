using LiveScope.Analysis.Detection;

namespace LiveScope.Analysis.Validation;

/// <summary>One point of the detector's accuracy curve.</summary>
public readonly record struct AccuracyPoint(double Snr, DetectionScore Score);

/// <summary>F1 and localisation RMSE of the detector against seeded synthetic frames, over a range of SNRs.</summary>
public static class DetectionAccuracyCurve
{
    public static IReadOnlyList<AccuracyPoint> Measure(
        IEnumerable<double> snrs, ClusterDetectorOptions options, SyntheticSpotFrameSpec spec, double pixelSizeUm, int framesPerPoint = 2)
    {
        var points = new List<AccuracyPoint>();
        var pixels = new ushort[spec.Width * spec.Height];
        using var detector = new ClusterDetector(options);
        foreach (double snr in snrs)
        {
            int tp = 0, fp = 0, fn = 0; double sq = 0;
            for (int f = 0; f < framesPerPoint; f++)
            {
                var truth = SyntheticSpotFrame.Render(spec with { Snr = snr, Seed = spec.Seed + 1000 * f + (int)(snr * 10) }, pixels);
                detector.Detect(pixels, spec.Width, spec.Height, pixelSizeUm);
                var s = DetectionScore.Compute(truth, detector.Clusters);
                tp += s.TruePositives; fp += s.FalsePositives; fn += s.FalseNegatives;
                if (s.TruePositives > 0) sq += s.RmsePx * s.RmsePx * s.TruePositives;
            }
            points.Add(new AccuracyPoint(snr, new DetectionScore(tp, fp, fn, tp == 0 ? double.NaN : Math.Sqrt(sq / tp))));
        }
        return points;
    }

    public static void Print(IEnumerable<AccuracyPoint> points, TextWriter output)
    {
        output.WriteLine("SNR   F1     precision recall RMSE_2D_px RMSE_axis_px  (SNR = spot peak amplitude / background pixel noise SD)");
        foreach (var p in points)
            output.WriteLine(FormattableString.Invariant(
                $"{p.Snr,4:0.#}  {p.Score.F1:0.000}  {p.Score.Precision:0.000}     {p.Score.Recall:0.000}  {p.Score.RmsePx:0.000}      {p.Score.RmsePerAxisPx:0.000}"));
    }
}
