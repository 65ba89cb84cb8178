using LiveScope.Analysis.Validation;
using LiveScope.Core.Config;
using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;
using LiveScope.Core.Imaging;
using LiveScope.Simulation;
using LiveScope.Simulation.Options;
using LiveScope.Simulation.Truth;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.Analysis.Tests.Simulator;

/// <summary>
/// A simulated frame and its ground truth: each truth cluster's SNR and peak amplitude (e⁻, same order as the truth's
/// clusters), and the expected background without clusters (e⁻ per pixel, row-major).
/// </summary>
public sealed record SimulatedFrame(ushort[] Pixels, int Width, int Height, double PixelSizeUm, double TimeS,
    FrameTruthSnapshot Truth, double[] Snr, double[] AmplitudeE, double[] BackgroundE)
{
    private bool[]? _structured;

    /// <summary>
    /// Pixels where the cell background itself has structure at the cluster scale: over the 7×7 window around the
    /// pixel the expected background varies by more than twice the noise SD (membrane rims, cell and nucleus edges).
    /// </summary>
    public bool[] StructuredBackground => _structured ??= FindStructure();

    private bool[] FindStructure()
    {
        const int r = 3;
        var mask = new bool[Width * Height];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                double lo = double.MaxValue, hi = double.MinValue;
                for (int j = Math.Max(0, y - r); j <= Math.Min(Height - 1, y + r); j++)
                    for (int i = Math.Max(0, x - r); i <= Math.Min(Width - 1, x + r); i++)
                    {
                        double b = BackgroundE[j * Width + i];
                        lo = Math.Min(lo, b); hi = Math.Max(hi, b);
                    }
                mask[y * Width + x] = hi - lo > 2 * Math.Sqrt(Math.Max(0, BackgroundE[y * Width + x]) + 3);
            }
        return mask;
    }

    public bool IsStructured(double x, double y) =>
        StructuredBackground[Math.Clamp((int)Math.Round(y), 0, Height - 1) * Width + Math.Clamp((int)Math.Round(x), 0, Width - 1)];
}

/// <summary>
/// Frames of the simulated microscope with what the detector should find. Two sessions run the same calls with the same
/// options; the second renders noiselessly (the noise streams are separate from the sample's, so both see the same
/// sample — checked on every frame). Each truth cluster's SNR follows docs/analysis.md: peak amplitude over the noise SD
/// of a background pixel, A / √(B + σ_read²), in electrons:
/// A = QE · photons / (2πσ²) with the simulator's own cluster blob (σ² = PSF σ(defocus)² + (radius/2)², photons =
/// fluorescent molecules × photons per molecule in this exposure), and B = the noiseless frame minus all the clusters'
/// blobs at the pixel nearest the cluster (cell background: membrane rim, cytoplasm, nucleus, plus the flat background).
/// </summary>
public sealed class SimulatedSeries : IAsyncDisposable
{
    private readonly SimulatedSession _noisy;
    private readonly SimulatedSession? _expected;

    /// <param name="withSnr">Run the noiseless twin and compute SNRs (false: tracking needs only truth positions).</param>
    public SimulatedSeries(SimulationOptions options, string? cameraYaml = null, bool withSnr = true)
    {
        _noisy = Open(options, cameraYaml);
        if (withSnr) _expected = Open(options with { CameraNoise = options.CameraNoise with { Noiseless = true } }, cameraYaml);
        Options = options;
    }

    public SimulationOptions Options { get; }

    private static SimulatedSession Open(SimulationOptions options, string? cameraYaml)
    {
        var session = new SimulatedSession(options, new BackendContext("accuracy.yaml", new FramePool(), NullLoggerFactory.Instance));
        session.CreateDevice("Camera", DeviceKind.Camera, cameraYaml is null ? null : ConfigNode.Parse(cameraYaml, "camera.yaml"));
        session.CreateDevice("Light", DeviceKind.LightSource, null);
        return session;
    }

    public async Task WaitUntilAsync(TimeSpan time)
    {
        await _noisy.Clock.WaitUntilAsync(time, default);
        if (_expected is not null) await _expected.Clock.WaitUntilAsync(time, default);
    }

    public async Task<SimulatedFrame> SnapAsync()
    {
        var noisyTruth = new GroundTruthRecorder();
        ushort[] pixels, expected;
        FrameMetadata metadata;
        using (_noisy.GroundTruth.Subscribe(noisyTruth))
        using (var frame = await _noisy.Camera!.SnapAsync(default))
        {
            pixels = frame.Pixels.ToArray();
            metadata = frame.Metadata;
        }
        var truth = noisyTruth.Frames.Single();
        int width = _noisy.Camera.CurrentFieldOfView.Width, height = pixels.Length / width;
        if (_expected is null)
            return new SimulatedFrame(pixels, width, height, metadata.PixelSizeUm, metadata.Timestamp.TotalSeconds, truth, [], [], []);
        var expectedTruth = new GroundTruthRecorder();
        using (_expected.GroundTruth.Subscribe(expectedTruth))
        using (var frame = await _expected.Camera!.SnapAsync(default))
            expected = frame.Pixels.ToArray();
        var twin = expectedTruth.Frames.Single();
        if (!truth.Clusters.Select(c => (c.ClusterId, c.XPx, c.YPx)).SequenceEqual(twin.Clusters.Select(c => (c.ClusterId, c.XPx, c.YPx))))
            throw new InvalidOperationException("the noiseless twin sees another sample");
        var (snr, amplitude, background) = SignalToNoise(truth, expected, width, height, metadata.ExposureMs / 1000);
        return new SimulatedFrame(pixels, width, height, metadata.PixelSizeUm, metadata.Timestamp.TotalSeconds, truth, snr, amplitude, background);
    }

    private (double[] Snr, double[] Amplitude, double[] Background) SignalToNoise(FrameTruthSnapshot truth, ushort[] expected, int width, int height, double exposureS)
    {
        var o = Options;
        var light = _noisy.LightSource;
        double excitation = light?.ActiveChannel is { } channel ? _noisy.ExcitationEfficiency(channel.ExcitationNm) : 1;
        double moleculePhotons = o.Photophysics.PhotonsPerMoleculePerS * (light?.PowerFraction ?? 1) * exposureS * excitation;
        double qe = o.CameraNoise.QuantumEfficiency, blurUm = _noisy.Camera!.Synthesizer.BlurUm(truth.DefocusUm);
        var clusters = truth.Clusters;
        // The expected frame in electrons, then every cluster's blob (as FrameRenderer splats it) taken away.
        var background = new double[width * height];
        for (int i = 0; i < background.Length; i++)
            background[i] = (expected[i] - o.CameraNoise.OffsetAdu) / o.CameraNoise.GainAduPerE;
        var amplitude = new double[clusters.Count];
        for (int k = 0; k < clusters.Count; k++)
        {
            double sc = clusters[k].RadiusUm / 2, sigma = Math.Sqrt(blurUm * blurUm + sc * sc) / truth.PixelSizeUm;
            amplitude[k] = qe * clusters[k].FluorescentMolecules * moleculePhotons / (2 * Math.PI * sigma * sigma);
            int reach = (int)Math.Ceiling(3.5 * sigma) + 1;
            int x0 = Math.Max(0, (int)clusters[k].XPx - reach), x1 = Math.Min(width - 1, (int)clusters[k].XPx + reach + 1);
            int y0 = Math.Max(0, (int)clusters[k].YPx - reach), y1 = Math.Min(height - 1, (int)clusters[k].YPx + reach + 1);
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++)
                {
                    double dx = x - clusters[k].XPx, dy = y - clusters[k].YPx;
                    background[y * width + x] -= amplitude[k] * Math.Exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
                }
        }
        var snr = new double[clusters.Count];
        double read2 = o.CameraNoise.ReadNoiseE * o.CameraNoise.ReadNoiseE;
        for (int k = 0; k < clusters.Count; k++)
        {
            int px = Math.Clamp((int)Math.Round(clusters[k].XPx), 0, width - 1), py = Math.Clamp((int)Math.Round(clusters[k].YPx), 0, height - 1);
            snr[k] = amplitude[k] / Math.Sqrt(Math.Max(0, background[py * width + px]) + read2);
        }
        return (snr, amplitude, background);
    }

    /// <summary>
    /// Which truth clusters are scored: those at least <paramref name="borderPx"/> from the frame's edge and at least
    /// <paramref name="separationPx"/> from every other truth cluster. The others are "don't care".
    /// </summary>
    public static SnrTruthSpot[] Spots(SimulatedFrame frame, double separationPx, double borderPx, bool flatBackgroundOnly = false)
    {
        var c = frame.Truth.Clusters;
        var spots = new SnrTruthSpot[c.Count];
        double sep2 = separationPx * separationPx;
        for (int i = 0; i < c.Count; i++)
        {
            bool inside = c[i].XPx >= borderPx && c[i].YPx >= borderPx && c[i].XPx <= frame.Width - 1 - borderPx && c[i].YPx <= frame.Height - 1 - borderPx;
            bool alone = true;
            for (int k = 0; k < c.Count && alone; k++)
                if (k != i && Sq(c[k].XPx - c[i].XPx) + Sq(c[k].YPx - c[i].YPx) < sep2) alone = false;
            bool flat = !flatBackgroundOnly || !frame.IsStructured(c[i].XPx, c[i].YPx);
            spots[i] = new SnrTruthSpot(c[i].XPx, c[i].YPx, frame.Snr.Length > 0 ? frame.Snr[i] : double.NaN, inside && alone && flat);
        }
        return spots;
    }

    private static double Sq(double v) => v * v;

    public async ValueTask DisposeAsync()
    {
        await _noisy.DisposeAsync();
        if (_expected is not null) await _expected.DisposeAsync();
    }
}
