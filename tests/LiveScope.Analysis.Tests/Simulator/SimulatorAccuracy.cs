using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Validation;
using LiveScope.Simulation.Options;

namespace LiveScope.Analysis.Tests.Simulator;

/// <summary>
/// Detector accuracy on simulated IR-GFP cells, binned by each truth cluster's SNR. The simulator's cluster sizes
/// are exponential (mean 300 molecules) on a background that varies from cell to membrane rim, so one frame already
/// spans a decade of SNR; frames at a few photon budgets (photons_per_molecule_per_s scaled down from its 2000
/// default, which puts most clusters at SNR ≫ 20) fill the bins from 1 to 20.
/// </summary>
public static class SimulatorAccuracy
{
    public static readonly double[] SnrEdges = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30];
    /// <summary>Photon budgets, as fractions of the default photons per molecule, that together span SNR 1–20.</summary>
    public static readonly double[] PhotonScales = [0.005, 0.015, 0.05];
    /// <summary>A scored cluster has no other truth cluster within this distance (≈ 0.65 µm at 0.1625 µm/px).</summary>
    public const double SeparationPx = 4;
    public const double BorderPx = 4;

    public static SimulationOptions Options(double photonScale, long seed) => new()
    {
        Seed = seed,
        Sample = new SampleOptions { BurnInS = 0 },
        Photophysics = new PhotophysicsOptions { PhotonsPerMoleculePerS = 2000 * photonScale },
    };

    /// <param name="flatBackgroundOnly">Score only clusters (and detections) where the cell background is flat.</param>
    /// <param name="noiseThresholdK">Replace the detector's mean + k·SD threshold by <see cref="NoiseThreshold"/> with this k.</param>
    /// <param name="ridgeRatio">Drop detections failing <see cref="RidgeTest"/> with this curvature ratio.</param>
    public static async Task<SnrBinnedAccuracy> MeasureAsync(ClusterDetectorOptions detector, IReadOnlyList<double> photonScales,
        int framesPerScale, TextWriter? log = null, bool flatBackgroundOnly = false, double? noiseThresholdK = null, double? ridgeRatio = null)
    {
        var accuracy = new SnrBinnedAccuracy(SnrEdges);
        var det = new ClusterDetector(detector);
        for (int s = 0; s < photonScales.Count; s++)
            for (int f = 0; f < framesPerScale; f++)
            {
                // A new seed per frame: another set of cells and clusters.
                await using var series = new SimulatedSeries(Options(photonScales[s], seed: 100 + 10 * s + f));
                var frame = await series.SnapAsync();
                var spots = SimulatedSeries.Spots(frame, SeparationPx, BorderPx, flatBackgroundOnly);
                var pixels = frame.Pixels;
                if (noiseThresholdK is { } k)
                {
                    det.Dispose();
                    det = new ClusterDetector(detector with { AbsoluteThreshold = NoiseThreshold(pixels, frame.Width, detector.DiameterPx(frame.PixelSizeUm), detector.KernelTruncationSigmas, k) });
                }
                var result = det.Detect(pixels, frame.Width, frame.Height, frame.PixelSizeUm);
                int fpBefore = accuracy.FalsePositives;
                var found = det.Clusters.ToArray();
                if (ridgeRatio is { } r)
                    found = found.Where(c => RidgeTest.IsSpot(frame.Pixels, frame.Width, frame.Height, c, result.DiameterPx, r)).ToArray();
                accuracy.Add(spots, found, c => NearBorder(c, frame) || (flatBackgroundOnly && frame.IsStructured(c.X, c.Y)));
                log?.WriteLine(FormattableString.Invariant(
                    $"scale {photonScales[s]} frame {f}: truth {spots.Length}, scored {spots.Count(p => p.Counts)}, detections {found.Length}, false positives {accuracy.FalsePositives - fpBefore}, median SNR {Median(spots.Where(p => p.Counts).Select(p => p.Snr)):0.0}"));
            }
        det.Dispose();
        return accuracy;
    }

    /// <summary>
    /// k × the DoG response SD that pixel noise alone gives: the pixel noise SD from the median absolute deviation of
    /// horizontal neighbour differences (structure and clusters barely move it), times the L2 norm of the DoG kernel.
    /// </summary>
    public static double NoiseThreshold(ushort[] pixels, int width, double diameterPx, double truncation, double k)
    {
        var diffs = new double[pixels.Length - 1];
        for (int i = 0; i + 1 < pixels.Length; i++) diffs[i] = pixels[i + 1] - pixels[i];
        double med = Median(diffs);
        double mad = Median(diffs.Select(d => Math.Abs(d - med)));
        double noiseSd = 1.4826 * mad / Math.Sqrt(2);
        double s1 = diameterPx / (1 + Math.Sqrt(2)), s2 = Math.Sqrt(2) * s1;
        int r = (int)Math.Ceiling(truncation * s2);
        double[] g1 = Kernel(s1, r, truncation), g2 = Kernel(s2, r, truncation);
        double norm2 = 0;
        for (int j = 0; j < g1.Length; j++)
            for (int i = 0; i < g1.Length; i++) { double v = g1[j] * g1[i] - g2[j] * g2[i]; norm2 += v * v; }
        return k * noiseSd * Math.Sqrt(norm2);
    }

    private static double[] Kernel(double sigma, int r, double truncation)
    {
        int reach = (int)Math.Ceiling(truncation * sigma);
        var g = new double[2 * r + 1];
        for (int i = -reach; i <= reach; i++) g[i + r] = Math.Exp(-i * i / (2 * sigma * sigma));
        double sum = g.Sum();
        for (int i = 0; i < g.Length; i++) g[i] /= sum;
        return g;
    }

    private static bool NearBorder(Cluster c, SimulatedFrame frame) =>
        c.X < BorderPx || c.Y < BorderPx || c.X > frame.Width - 1 - BorderPx || c.Y > frame.Height - 1 - BorderPx;

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length == 0 ? double.NaN : v[v.Length / 2];
    }
}
