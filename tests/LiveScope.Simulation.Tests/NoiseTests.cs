using LiveScope.Core.Geometry;
using LiveScope.Simulation.Options;

namespace LiveScope.Simulation.Tests;

public class NoiseTests
{
    private const double PixelUm = 0.1625, ExposureS = 0.05, Power = 0.5;

    /// <summary>A field of empty glass outside the dish: only the uniform background, at a chosen photons per pixel.</summary>
    private static async Task<ushort[][]> FlatFieldAsync(double photonsPerPx, CameraNoiseOptions noise, int frames, int bitDepth = 16)
    {
        var options = new SimulationOptions
        {
            Seed = 11,
            CameraNoise = noise,
            Photophysics = new PhotophysicsOptions { BackgroundPhotonsPerUm2PerS = photonsPerPx / (PixelUm * PixelUm * ExposureS * Power) },
        };
        await using var rig = Rig.Open(options, $"sensor_width: 128\nsensor_height: 128\nbit_depth: {bitDepth}");
        await rig.XY.MoveToAsync(new StagePositionUm(3000, 3000), default);
        var stack = new ushort[frames][];
        for (int i = 0; i < frames; i++)
        {
            using var f = await rig.Camera.SnapAsync(default);
            stack[i] = Rig.Copy(f);
        }
        return stack;
    }

    [Theory]
    [InlineData(400.0)] // 320 e⁻: Gaussian approximation of shot noise
    [InlineData(10.0)]  // 8 e⁻: exact Poisson
    public async Task Per_pixel_mean_and_variance_match_gain_offset_shot_and_read_noise(double photonsPerPx)
    {
        var noise = new CameraNoiseOptions { QuantumEfficiency = 0.8, ReadNoiseE = 1.6, OffsetAdu = 100, GainAduPerE = 0.5 };
        var stack = await FlatFieldAsync(photonsPerPx, noise, frames: 24);

        int pixels = stack[0].Length, n = stack.Length;
        double meanOfMeans = 0, meanOfVariances = 0;
        for (int p = 0; p < pixels; p++)
        {
            double sum = 0, sumSq = 0;
            for (int i = 0; i < n; i++) sum += stack[i][p];
            double mean = sum / n;
            for (int i = 0; i < n; i++) sumSq += (stack[i][p] - mean) * (stack[i][p] - mean);
            meanOfMeans += mean;
            meanOfVariances += sumSq / (n - 1);
        }
        meanOfMeans /= pixels;
        meanOfVariances /= pixels;

        double electrons = noise.QuantumEfficiency * photonsPerPx;
        double expectedMean = noise.OffsetAdu + noise.GainAduPerE * electrons;
        // Shot and read noise in e⁻, times gain², plus the rounding to whole ADU (1/12 ADU²).
        double expectedVariance = noise.GainAduPerE * noise.GainAduPerE * (electrons + noise.ReadNoiseE * noise.ReadNoiseE) + 1.0 / 12;
        meanOfMeans.Should().BeApproximately(expectedMean, 0.02 * expectedMean);
        (meanOfMeans - noise.OffsetAdu).Should().BeApproximately(expectedMean - noise.OffsetAdu, 0.02 * (expectedMean - noise.OffsetAdu));
        meanOfVariances.Should().BeApproximately(expectedVariance, 0.02 * expectedVariance);
    }

    [Fact]
    public async Task Bright_pixels_saturate_at_the_bit_depth()
    {
        var stack = await FlatFieldAsync(1e6, new CameraNoiseOptions(), frames: 1, bitDepth: 12);
        stack[0].Should().OnlyContain(v => v == 4095);
    }

    [Fact]
    public async Task Without_light_frames_hold_offset_and_read_noise_only()
    {
        var noise = new CameraNoiseOptions { ReadNoiseE = 4, GainAduPerE = 2, OffsetAdu = 300 };
        var stack = await FlatFieldAsync(0, noise, frames: 1);
        var values = stack[0].Select(v => (double)v).ToArray();
        double mean = values.Average(), variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
        mean.Should().BeApproximately(300, 0.5);
        variance.Should().BeApproximately(4.0 * 16 + 1.0 / 12, 0.05 * 64);
    }
}
