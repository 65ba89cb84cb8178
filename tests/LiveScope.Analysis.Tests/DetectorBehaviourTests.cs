using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Validation;
using LiveScope.Testing;

namespace LiveScope.Analysis.Tests;

public class DetectorBehaviourTests
{
    private static ushort[] Frame(int size, int spots, double snr, int seed, out TrueSpot[] truth)
    {
        var pixels = new ushort[size * size];
        truth = SyntheticSpotFrame.Render(new SyntheticSpotFrameSpec { Width = size, Height = size, SpotCount = spots, Snr = snr, Seed = seed }, pixels);
        return pixels;
    }

    [Theory]
    [InlineData(1, 4.0)]
    [InlineData(2, 4.0)]      // half-resolution sweep (d = 4.5 px)
    [InlineData(2, double.PositiveInfinity)]
    public void Steady_state_detection_allocates_nothing(int parallelism, double halfResolutionFromDiameterPx)
    {
        var pixels = Frame(256, 30, 8, 1, out _);
        using var detector = new ClusterDetector(new ClusterDetectorOptions
            { ExpectedDiameterUm = 0.45, Parallelism = parallelism, HalfResolutionFromDiameterPx = halfResolutionFromDiameterPx });
        for (int i = 0; i < 3; i++) detector.Detect(pixels, 256, 256, 0.1);
        SteadyStateAllocation.LeastOf(3, _ => { for (int i = 0; i < 20; i++) detector.Detect(pixels, 256, 256, 0.1); })
            .Should().Be(0);
    }

    [Theory]
    [InlineData(4.0)]
    [InlineData(double.PositiveInfinity)]
    public void Result_does_not_depend_on_the_previous_frame_or_the_band_count(double halfResolutionFromDiameterPx)
    {
        var bright = Frame(300, 40, 20, 2, out _);
        var dim = Frame(300, 40, 4, 3, out _);
        var options = new ClusterDetectorOptions { ExpectedDiameterUm = 0.45, HalfResolutionFromDiameterPx = halfResolutionFromDiameterPx };
        using var fresh = new ClusterDetector(options with { Parallelism = 1 });
        fresh.Detect(dim, 300, 300, 0.1);
        var expected = fresh.Clusters.ToArray();
        expected.Should().NotBeEmpty();

        using var primed = new ClusterDetector(options with { Parallelism = 3 });
        primed.Detect(bright, 300, 300, 0.1);   // raises the candidate floor; the dim frame must still be exact
        primed.Detect(dim, 300, 300, 0.1);
        primed.Clusters.ToArray().Should().Equal(expected);
    }

    [Theory]
    [InlineData(2048, 2)]
    [InlineData(1024, 2)]
    [InlineData(300, 3)]
    [InlineData(40, 2)]
    [InlineData(20, 2)]
    public void Bands_cover_the_frame_once_and_shrink_towards_the_end(int rows, int workers)
    {
        int[] starts = ClusterDetector.BandStarts(rows, workers);
        starts[0].Should().Be(0);
        starts[^1].Should().Be(rows);
        var sizes = starts.Zip(starts.Skip(1), (a, b) => b - a).ToArray();
        sizes.Should().OnlyContain(size => size >= Math.Min(rows, 16), "a band boundary costs rows swept twice");
        // Each band is at most the one before, except the last, which takes what would have been too small a band.
        for (int i = 1; i < sizes.Length - 1; i++) sizes[i].Should().BeLessThanOrEqualTo(sizes[i - 1]);
        if (rows >= 1024) sizes[^1].Should().BeLessThan(sizes[0] / 2, "the workers end within one small band of each other");
        ClusterDetector.BandStarts(rows, 1).Should().Equal(0, rows);
    }

    [Fact]
    public void Half_resolution_sweep_finds_the_clusters_and_positions_of_the_full_resolution_sweep()
    {
        // Both locate each maximum on the same full-resolution DoG, so at a clear SNR they agree to the pixel and
        // give bit-identical sub-pixel positions; only what is thresholded (binned vs full-resolution response) differs.
        var pixels = Frame(512, 200, 8, 6, out var truth);
        using var full = new ClusterDetector(new ClusterDetectorOptions { ExpectedDiameterUm = 0.45, HalfResolutionFromDiameterPx = double.PositiveInfinity });
        using var half = new ClusterDetector(new ClusterDetectorOptions { ExpectedDiameterUm = 0.45 });
        full.Detect(pixels, 512, 512, 0.1).ClusterCount.Should().Be(truth.Length);
        half.Detect(pixels, 512, 512, 0.1).ClusterCount.Should().Be(truth.Length);
        var expected = full.Clusters.ToArray().Select(c => (c.X, c.Y)).ToHashSet();
        half.Clusters.ToArray().Count(c => expected.Contains((c.X, c.Y))).Should().Be(truth.Length);
    }

    [Fact]
    public void Maxima_closer_than_half_the_diameter_merge_into_the_stronger()
    {
        // Two spots 2 px apart with d = 6 px (merge radius 3 px) are one cluster; 12 px apart they are two.
        int w = 64, h = 48;
        var pixels = new ushort[w * h];
        void Spot(double x0, double y0, double a)
        {
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    pixels[y * w + x] += (ushort)(a * Math.Exp(-((x - x0) * (x - x0) + (y - y0) * (y - y0)) / (2 * 1.2 * 1.2)));
        }
        for (int i = 0; i < pixels.Length; i++) pixels[i] = 100;
        Spot(20, 24, 1000); Spot(22.6, 24, 500);
        Spot(44, 24, 800);
        using var detector = new ClusterDetector(new ClusterDetectorOptions { ExpectedDiameterUm = 0.6, AbsoluteThreshold = 20 });
        detector.Detect(pixels, w, h, 0.1).ClusterCount.Should().Be(2);
        detector.Clusters[0].X.Should().BeInRange(19.5f, 21.5f, "the stronger of the merged pair survives");
    }

    [Fact]
    public void Regions_measure_area_intensity_background_and_circularity()
    {
        var pixels = Frame(128, 10, 30, 4, out var truth);
        using var detector = new ClusterDetector(new ClusterDetectorOptions { ExpectedDiameterUm = 0.45 });
        detector.Detect(pixels, 128, 128, 0.1);
        detector.Clusters.Length.Should().Be(truth.Length);
        foreach (var c in detector.Clusters)
        {
            c.Background.Should().BeApproximately(200, 10, "offset 100 + 100 e⁻ background at gain 1");
            c.PeakIntensity.Should().BeGreaterThan(c.Background + 0.6f * (float)truth[0].AmplitudeE);
            // Half-maximum region of a σ 1.5 px spot: π(1.177σ)² ≈ 9.8 px.
            c.AreaPx.Should().BeInRange(6, 16);
            c.Circularity.Should().BeGreaterThan(0.6f);
            c.IntegratedIntensity.Should().BeGreaterThan(0);
        }
    }

    [Fact]
    public void Absolute_threshold_overrides_the_sd_rule()
    {
        var pixels = Frame(200, 20, 10, 5, out _);
        using var detector = new ClusterDetector(new ClusterDetectorOptions { ExpectedDiameterUm = 0.45, AbsoluteThreshold = 1e6 });
        var result = detector.Detect(pixels, 200, 200, 0.1);
        result.Threshold.Should().Be(1e6);
        result.ClusterCount.Should().Be(0);
    }
}
