using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Validation;

namespace LiveScope.Analysis.Tests;

/// <summary>The fused, tiled sweep must find exactly the maxima of a plain, unfused DoG with replicated edges.</summary>
public unsafe class DogBandTests
{
    [Theory]
    [InlineData(300, 97, 1, 1, true)]    // width not a multiple of the tile or the vector; one band
    [InlineData(515, 130, 3, 1, true)]   // three bands, a partial last tile
    [InlineData(515, 130, 3, 1, false)]  // the 256-bit passes (what runs without AVX-512)
    [InlineData(64, 40, 2, 1, true)]
    [InlineData(600, 140, 2, 2, true)]   // binned: 300 × 70 sweep image, two tiles
    [InlineData(613, 97, 3, 2, true)]    // binned with an odd width and height (last column and row pair with themselves)
    [InlineData(613, 97, 3, 2, false)]
    public void Sweep_finds_the_same_maxima_and_statistics_as_a_naive_dog(int frameWidth, int frameHeight, int bands, int binning, bool allow512)
    {
        var pixels = new ushort[frameWidth * frameHeight];
        SyntheticSpotFrame.Render(new SyntheticSpotFrameSpec { Width = frameWidth, Height = frameHeight, SpotCount = 40, MinSeparationPx = 6, BorderPx = 0, Snr = 6, Seed = 11 }, pixels);
        var g1 = new GaussianKernel(1.8 / binning); var g2 = new GaussianKernel(1.8 * Math.Sqrt(2) / binning);
        int width = DogBand.SweepSize(frameWidth, binning), height = DogBand.SweepSize(frameHeight, binning);
        double[] image = binning == 1 ? pixels.Select(v => (double)v).ToArray() : NaiveBin(pixels, frameWidth, frameHeight);
        double[] dog = NaiveDog(image, width, height, g1, g2);

        var found = new HashSet<int>(); double sum = 0;
        fixed (ushort* p = pixels)
            for (int b = 0; b < bands; b++)
            {
                var band = new DogBand(frameWidth, frameHeight, b * height / bands, (b + 1) * height / bands, g1, g2, binning, allow512);
                band.Sweep(p, 0f);
                for (int i = 0; i < band.CandidateCount; i++)
                {
                    int k = band.CandidateIndex[i];
                    found.Add(k);
                    float expectedResponse = binning == 1 ? (float)dog[k]
                        : DogBand.InterpolatedPeak((float)dog[k], (float)dog[k - 1], (float)dog[k + 1], (float)dog[k - width], (float)dog[k + width]);
                    band.CandidateResponse[i].Should().BeApproximately(expectedResponse, 1e-2f);
                }
                sum += band.Sum;
            }

        var expected = new HashSet<int>();
        for (int y = 1; y < height - 1; y++)
            for (int x = 1; x < width - 1; x++)
            {
                double c = dog[y * width + x];
                if (c <= 0) continue;
                bool max = c > dog[y * width + x - 1] && c > dog[(y - 1) * width + x - 1] && c > dog[(y - 1) * width + x] && c > dog[(y - 1) * width + x + 1]
                        && c >= dog[y * width + x + 1] && c >= dog[(y + 1) * width + x - 1] && c >= dog[(y + 1) * width + x] && c >= dog[(y + 1) * width + x + 1];
                if (max) expected.Add(y * width + x);
            }
        // Float rounding may flip a near-tie between neighbours; allow a handful among thousands.
        found.Except(expected).Count().Should().BeLessThanOrEqualTo(2);
        expected.Except(found).Count().Should().BeLessThanOrEqualTo(2);
        expected.Count.Should().BeGreaterThan(10);
        sum.Should().BeApproximately(dog.Sum(), 1e-3 * dog.Sum(Math.Abs) + 1);
    }

    [Theory]
    [InlineData(300, 97, 1, true)]
    [InlineData(515, 130, 3, true)]      // three bands, a partial last tile
    [InlineData(515, 130, 3, false)]     // the 256-bit passes
    public void Peaks_located_in_the_sweep_equal_the_refiners(int width, int height, int bands, bool allow512)
    {
        // Spots up to the frame edges (replicated), d = 3.1 px as on the simulator's frames. An acceptance that keeps
        // every maximum, so each candidate's peak can be compared with the refiner's at the same pixel.
        var pixels = new ushort[width * height];
        SyntheticSpotFrame.Render(new SyntheticSpotFrameSpec { Width = width, Height = height, SpotCount = 60, MinSeparationPx = 5, BorderPx = 0, Snr = 6, Seed = 12 }, pixels);
        double d = 3.1, ridgeDistance = 1.25 * d;
        var (s1, s2) = GaussianKernel.DogSigmasFor(d);
        var g1 = new GaussianKernel(s1, 2.5); var g2 = new GaussianKernel(s2, 2.5);
        var keepAll = new PeakAcceptance(new ClusterDetectorOptions { ThresholdMethod = DetectionThresholdMethod.ResponseSd, RidgeProminenceSdFactor = 0 },
                                         new PixelNoiseModel(), 1, 1, 1);
        var refiner = new SubPixelRefiner(g1, g2, 1, ridgeDistance);
        int compared = 0;
        fixed (ushort* p = pixels)
            for (int b = 0; b < bands; b++)
            {
                var band = new DogBand(width, height, b * height / bands, (b + 1) * height / bands, g1, g2, 1, allow512, keepAll, ridgeDistance);
                band.Sweep(p, 1f);
                band.PeakCount.Should().Be(band.CandidateCount);
                for (int i = 0; i < band.PeakCount; i++)
                {
                    var peak = band.Peaks[i];
                    int k = band.CandidateIndex[i];
                    (peak.PixelY * width + peak.PixelX).Should().Be(k);
                    peak.Dog.Should().Be(band.CandidateResponse[i]);
                    var expected = refiner.Refine(pixels, width, height, k % width, k / width);
                    (peak with { AlongRidge = 0 }).Should().Be(expected with { AlongRidge = 0 }, "the same DoG, summed in the same order");
                    // The refiner applies interpolated kernels to the pixels, the band interpolates the DoG: rounding only.
                    peak.AlongRidge.Should().BeApproximately(expected.AlongRidge, 1e-3f * Math.Abs(expected.Dog) + 1e-3f);
                    compared++;
                }
            }
        compared.Should().BeGreaterThan(40);
    }

    /// <summary>
    /// With 512-bit vectors the vertical pass computes two DoG rows at a time (an odd last row alone); the 256-bit passes
    /// one. Both sum the same taps in the same order, so every maximum and its response must be the same float. Bands of
    /// odd and even row counts; full resolution with maxima evaluated in the sweep (larger rings) and binned.
    /// Without AVX-512 both sweeps are the single-row one and this holds trivially.
    /// </summary>
    [Theory]
    [InlineData(300, 97, 1, 1)]
    [InlineData(515, 130, 3, 1)]
    [InlineData(613, 97, 3, 2)]
    [InlineData(600, 142, 2, 2)]
    public void Sweep_in_row_pairs_equals_the_single_row_sweep_bit_for_bit(int width, int height, int bands, int binning)
    {
        var pixels = new ushort[width * height];
        SyntheticSpotFrame.Render(new SyntheticSpotFrameSpec { Width = width, Height = height, SpotCount = 60, MinSeparationPx = 5, BorderPx = 0, Snr = 6, Seed = 13 }, pixels);
        var (s1, s2) = GaussianKernel.DogSigmasFor(3.1 * binning);
        var g1 = new GaussianKernel(s1 / binning, 2.5); var g2 = new GaussianKernel(s2 / binning, 2.5);
        var keepAll = binning == 1
            ? new PeakAcceptance(new ClusterDetectorOptions { ThresholdMethod = DetectionThresholdMethod.ResponseSd, RidgeProminenceSdFactor = 0 }, new PixelNoiseModel(), 1, 1, 1)
            : null;
        int sweepHeight = DogBand.SweepSize(height, binning), compared = 0;
        fixed (ushort* p = pixels)
            for (int b = 0; b < bands; b++)
            {
                var pairs = new DogBand(width, height, b * sweepHeight / bands, (b + 1) * sweepHeight / bands, g1, g2, binning, true, keepAll, 1.25 * 3.1);
                var single = new DogBand(width, height, b * sweepHeight / bands, (b + 1) * sweepHeight / bands, g1, g2, binning, false, keepAll, 1.25 * 3.1);
                pairs.Sweep(p, 0f); single.Sweep(p, 0f);
                pairs.CandidateIndex.AsSpan(0, pairs.CandidateCount).ToArray().Should().Equal(single.CandidateIndex.AsSpan(0, single.CandidateCount).ToArray());
                pairs.CandidateResponse.AsSpan(0, pairs.CandidateCount).ToArray().Should().Equal(single.CandidateResponse.AsSpan(0, single.CandidateCount).ToArray());
                pairs.Peaks.ToArray().Should().Equal(single.Peaks.ToArray());
                compared += pairs.CandidateCount;
            }
        compared.Should().BeGreaterThan(100);
    }

    /// <summary>2×2 average, an odd last column or row paired with itself.</summary>
    private static double[] NaiveBin(ushort[] pixels, int width, int height)
    {
        int w = (width + 1) / 2, h = (height + 1) / 2;
        var binned = new double[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int x0 = 2 * x, x1 = Math.Min(2 * x + 1, width - 1), y0 = 2 * y, y1 = Math.Min(2 * y + 1, height - 1);
                binned[y * w + x] = 0.25 * (pixels[y0 * width + x0] + pixels[y0 * width + x1] + pixels[y1 * width + x0] + pixels[y1 * width + x1]);
            }
        return binned;
    }

    internal static double[] NaiveDog(double[] pixels, int width, int height, GaussianKernel g1, GaussianKernel g2)
    {
        double[] Blur(GaussianKernel g)
        {
            var h = new double[width * height]; var v = new double[width * height];
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double a = 0;
                    for (int j = -g.Radius; j <= g.Radius; j++) a += g[j] * pixels[y * width + Math.Clamp(x + j, 0, width - 1)];
                    h[y * width + x] = a;
                }
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double a = 0;
                    for (int j = -g.Radius; j <= g.Radius; j++) a += g[j] * h[Math.Clamp(y + j, 0, height - 1) * width + x];
                    v[y * width + x] = a;
                }
            return v;
        }
        var b1 = Blur(g1); var b2 = Blur(g2);
        return b1.Select((v, i) => v - b2[i]).ToArray();
    }
}
