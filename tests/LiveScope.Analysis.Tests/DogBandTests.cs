using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Validation;

namespace LiveScope.Analysis.Tests;

/// <summary>The fused, tiled sweep must find exactly the maxima of a plain, unfused DoG with replicated edges.</summary>
public unsafe class DogBandTests
{
    [Theory]
    [InlineData(300, 97, 1)]    // width not a multiple of the tile or the vector; one band
    [InlineData(515, 130, 3)]   // three bands, a partial last tile
    [InlineData(64, 40, 2)]
    public void Sweep_finds_the_same_maxima_and_statistics_as_a_naive_dog(int width, int height, int bands)
    {
        var pixels = new ushort[width * height];
        SyntheticSpotFrame.Render(new SyntheticSpotFrameSpec { Width = width, Height = height, SpotCount = 40, MinSeparationPx = 6, BorderPx = 0, Snr = 6, Seed = 11 }, pixels);
        var g1 = new GaussianKernel(1.8); var g2 = new GaussianKernel(1.8 * Math.Sqrt(2));
        double[] dog = NaiveDog(pixels, width, height, g1, g2);

        var found = new HashSet<int>(); double sum = 0;
        fixed (ushort* p = pixels)
            for (int b = 0; b < bands; b++)
            {
                var band = new DogBand(width, height, b * height / bands, (b + 1) * height / bands, g1, g2);
                band.Sweep(p, 0f);
                for (int i = 0; i < band.CandidateCount; i++)
                {
                    found.Add(band.CandidateIndex[i]);
                    band.CandidateResponse[i].Should().BeApproximately((float)dog[band.CandidateIndex[i]], 1e-2f);
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

    internal static double[] NaiveDog(ushort[] pixels, int width, int height, GaussianKernel g1, GaussianKernel g2)
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
