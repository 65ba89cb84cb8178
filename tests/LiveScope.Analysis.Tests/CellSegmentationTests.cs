using LiveScope.Analysis.Cells;
using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Metrics;
using LiveScope.Testing;

namespace LiveScope.Analysis.Tests;

public class CellSegmentationTests
{
    /// <summary>
    /// Two touching round cells (radius 90 px, centres 160 px apart) with dim nuclei (radius 30 px), on a dark
    /// background; edges are soft (logistic, 3 px scale) as an out-of-focus cell's are, plus shot noise.
    /// </summary>
    internal static ushort[] TwoTouchingCells(int seed, out int width, out int height)
    {
        width = 512; height = 512;
        var rng = new Random(seed);
        var pixels = new ushort[width * height];
        (double X, double Y)[] centres = [(176, 256), (336, 256)];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double v = 100;
                foreach (var c in centres)
                {
                    double r = Math.Sqrt((x - c.X) * (x - c.X) + (y - c.Y) * (y - c.Y));
                    double inCell = 1 / (1 + Math.Exp((r - 90) / 3)), outOfNucleus = 1 / (1 + Math.Exp(-(r - 30) / 3));
                    v = Math.Max(v, 100 + inCell * (120 + 200 * outOfNucleus));
                }
                v += Math.Sqrt(v) * (Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
                pixels[y * width + x] = (ushort)Math.Clamp(v, 0, 65535);
            }
        return pixels;
    }

    /// <summary>
    /// A field that is mostly dark background (110 ± 2), cells whose dim part (nuclei, cytoplasm by the edge, 140–160)
    /// is far above it, and a long bright tail (rims, 160–400): scikit-image's threshold_li gives the same threshold,
    /// and it lies between background and dim cell, where Otsu's lies inside the dim part.
    /// </summary>
    [Fact]
    public void Minimum_cross_entropy_threshold_matches_scikit_image_and_keeps_dim_cell_parts()
    {
        var rng = new Random(5);
        var values = new float[20_000];
        for (int i = 0; i < values.Length; i++)
            values[i] = i < 12_000 ? 110 + 2 * (float)(rng.NextDouble() + rng.NextDouble() - 1)
                      : i < 14_000 ? 140 + 20 * (float)rng.NextDouble()
                      : 160 + 240 * (float)Math.Pow(rng.NextDouble(), 2);
        double li = ImageOps.MinimumCrossEntropy(values), otsu = ImageOps.Otsu(values);

        var input = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(input, values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            var skimage = ExternalProgram.RunPython(
                "import sys, numpy as np; from skimage.filters import threshold_li; print(repr(float(threshold_li(np.loadtxt(sys.argv[1], dtype=np.float32)))))",
                "python3-skimage", input);
            skimage.ExitCode.Should().Be(0, skimage.Stderr);
            double peer = double.Parse(skimage.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
            li.Should().BeApproximately(peer, 0.01 * (400 - 108), "scikit-image's threshold_li on the same values");
        }
        finally { File.Delete(input); }
        li.Should().BeInRange(115, 140, "between the background and the dim part of the cells");
        otsu.Should().BeGreaterThan(140, "Otsu is pulled into the dim part by the bright tail (why it is not used)");
    }

    [Fact]
    public void Touching_cells_are_split_and_compartments_assigned()
    {
        var pixels = TwoTouchingCells(1, out int w, out int h);
        var masks = new CellSegmenter().Segment(pixels, w, h);
        masks.CellCount.Should().Be(2);
        int left = masks.CellAt(176, 256), right = masks.CellAt(336, 256);
        left.Should().BeGreaterThan(0);
        right.Should().BeGreaterThan(0).And.NotBe(left);
        masks.CellAt(20, 20).Should().Be(0);
        masks.CellAt(176, 256 - 60).Should().Be(left);
        masks.CellAreaPx(left).Should().BeApproximately(Math.PI * 90 * 90, 0.12 * Math.PI * 90 * 90);

        masks.CompartmentAt(176, 256).Should().Be(Compartment.Nucleus);
        masks.CompartmentAt(336, 256).Should().Be(Compartment.Nucleus);
        masks.CompartmentAt(176, 256 - 60).Should().Be(Compartment.Cytoplasm);
        masks.CompartmentAt(176, 256 - 85).Should().Be(Compartment.Membrane);
        masks.CompartmentAt(256, 256 + 10).Should().Be(Compartment.Membrane, "the contact between two cells is membrane of both");
        masks.CompartmentAt(20, 20).Should().Be(Compartment.None);
    }

    [Fact]
    public void A_nuclear_channel_defines_the_nucleus_when_given()
    {
        var pixels = TwoTouchingCells(2, out int w, out int h);
        var nuclear = new ushort[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                nuclear[y * w + x] = (ushort)((x - 176) * (x - 176) + (y - 280) * (y - 280) < 25 * 25 ? 900 : 100);
        var masks = new CellSegmenter().Segment(pixels, w, h, nuclear);
        masks.CompartmentAt(176, 280).Should().Be(Compartment.Nucleus);
        masks.CompartmentAt(176, 230).Should().Be(Compartment.Cytoplasm, "the stain, not the dim IR region, marks the nucleus");
    }

    /// <summary>
    /// The pipeline re-segments into its spare masks with one set of buffers. Whatever they held before (other cells,
    /// another frame size, a nuclear channel, no cells at all), the masks must be exactly a fresh segmentation's.
    /// </summary>
    [Fact]
    public void Reused_buffers_and_masks_give_exactly_a_fresh_segmentation()
    {
        var segmenter = new CellSegmenter();
        var buffers = new CellSegmentationBuffers();
        var binned = new BinnedFrame();
        CellMasks? previous = null, spare = null;
        foreach (var (pixels, w, h, nuclear) in VariedFrames())
        {
            var fresh = segmenter.Segment(pixels, w, h, nuclear);
            segmenter.Bin(pixels, w, h, nuclear, binned);
            var reused = segmenter.Segment(binned, buffers, spare);
            if (spare is not null && spare.Width == w && spare.Height == h) reused.Should().BeSameAs(spare, "masks of the same geometry are rebuilt in place");

            reused.CellCount.Should().Be(fresh.CellCount);
            reused.Labels.Should().Equal(fresh.Labels);
            reused.Compartments.Should().Equal(fresh.Compartments);
            reused.CellAreaBinnedPx.ToArray().Should().Equal(fresh.CellAreaBinnedPx.ToArray());
            (spare, previous) = (previous, reused);
        }
    }

    [Fact]
    public void A_warm_segmentation_allocates_nothing()
    {
        var segmenter = new CellSegmenter();
        var buffers = new CellSegmentationBuffers();
        var binned = new BinnedFrame();
        var a = TwoTouchingCells(1, out int w, out int h);
        var b = Shifted(TwoTouchingCells(2, out _, out _), w, h, 23, -17);
        CellMasks? current = null, spare = null;
        void Segment(ushort[] pixels)
        {
            segmenter.Bin(pixels, w, h, default, binned);
            (current, spare) = (segmenter.Segment(binned, buffers, spare), current);
        }
        Segment(a); Segment(b); Segment(a); Segment(b);
        long allocated = SteadyStateAllocation.LeastOf(3, _ => { Segment(a); Segment(b); });

        allocated.Should().Be(0);
        current!.CellCount.Should().Be(2);
    }

    /// <summary>
    /// The metrics' per-cell sum (a vector path for whole 32-column stretches of 4×4 bins, column sums for the rest)
    /// must give each cell exactly the pixel-by-pixel sum, over the whole 16-bit range, and bin the frame in the same
    /// pass into the segmenter's very floats.
    /// </summary>
    [Theory]
    [InlineData(512, 512)]
    [InlineData(509, 302)]   // partial blocks at the right and bottom edges, 29 columns beyond the vector path
    public void Per_cell_sums_and_binning_while_summing_match_pixel_by_pixel(int w, int h)
    {
        var cells = TwoTouchingCells(5, out int fw, out _);
        var template = new ushort[w * h];
        for (int y = 0; y < h; y++) cells.AsSpan(y * fw, w).CopyTo(template.AsSpan(y * w, w));
        var segmenter = new CellSegmenter();
        var masks = segmenter.Segment(template, w, h);
        masks.CellCount.Should().Be(2);
        var rng = new Random(11);
        var pixels = template.Select(v => rng.Next(4) == 0 ? (ushort)rng.Next(65536) : v).ToArray();   // a quarter of full-range values

        var expected = segmenter.Bin(pixels, w, h);
        var binned = new BinnedFrame();
        var rows = new List<CellFrameMetrics>();
        var calculator = new CellMetricsCalculator();
        var withBinning = calculator.Compute(pixels, w, h, masks, [], 0.1, 2, 0, 0, 0, rows, binned);
        var without = calculator.Compute(pixels, w, h, masks, [], 0.1, 2, 0, 0, 0, null);

        (binned.BinnedWidth, binned.BinnedHeight).Should().Be((expected.BinnedWidth, expected.BinnedHeight));
        binned.Mean.Should().Equal(expected.Mean);
        withBinning.Should().Be(without);
        var sum = new long[masks.CellCount + 1]; var count = new long[masks.CellCount + 1];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) { int l = masks.CellAt(x, y); sum[l] += pixels[y * w + x]; count[l]++; }
        rows.Select(r => r.MeanIntensity).Should().Equal(Enumerable.Range(1, masks.CellCount).Select(c => (double)sum[c] / count[c]));
        rows.Select(r => r.AreaUm2).Should().Equal(Enumerable.Range(1, masks.CellCount).Select(c => count[c] * (0.1 * 0.1)));
    }

    /// <summary>
    /// A pixel of one cell under the disc of a neighbouring cell's cluster still counts for a cluster of its own cell
    /// whose disc covers it, whichever cluster comes first: the cluster pixels, and so the partition ratio, do not
    /// depend on the clusters' order. (A pixel once counted as a cluster's is not counted again.)
    /// </summary>
    [Fact]
    public void Cluster_pixels_at_a_border_between_cells_do_not_depend_on_the_clusters_order()
    {
        var pixels = TwoTouchingCells(6, out int w, out int h);
        var masks = new CellSegmenter().Segment(pixels, w, h);
        masks.CellCount.Should().Be(2);
        int y = 256, border = Enumerable.Range(200, 120).First(x => masks.CellAt(x, y) != masks.CellAt(x - 1, y) && masks.CellAt(x, y) != 0);
        int left = masks.CellAt(border - 1, y), right = masks.CellAt(border, y);
        left.Should().NotBe(0);
        // Each disc (radius 3) reaches two columns into the other cell, where the other cluster's disc covers them too.
        var a = new Cluster(border - 1.5f, y, 100, 1000, 300, 5000, 9, 1);
        var b = new Cluster(border + 0.5f, y, 90, 1000, 300, 5000, 9, 1);
        var calculator = new CellMetricsCalculator();
        var aFirst = new List<CellFrameMetrics>();
        var bFirst = new List<CellFrameMetrics>();
        calculator.Compute(pixels, w, h, masks, [a, b], 0.1, 3, 0, 0, 0, aFirst);
        calculator.Compute(pixels, w, h, masks, [b, a], 0.1, 3, 0, 0, 0, bFirst);

        calculator.LastClusterCells.ToArray().Should().Equal(right, left);
        bFirst.Select(m => m.PartitionRatio).Should().Equal(aFirst.Select(m => m.PartitionRatio));
        bFirst.Select(m => m.CondensedFraction).Should().Equal(aFirst.Select(m => m.CondensedFraction));
    }

    /// <summary>Two-cell frames that differ in everything the segmentation's buffers could carry over.</summary>
    private static IEnumerable<(ushort[] Pixels, int W, int H, ushort[]? Nuclear)> VariedFrames()
    {
        var a = TwoTouchingCells(1, out int w, out int h);
        yield return (a, w, h, null);
        yield return (Shifted(TwoTouchingCells(2, out _, out _), w, h, 40, 25), w, h, null);
        var nuclear = new ushort[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                nuclear[y * w + x] = (ushort)((x - 336) * (x - 336) + (y - 240) * (y - 240) < 20 * 20 ? 900 : 100);
        yield return (TwoTouchingCells(3, out _, out _), w, h, nuclear);
        int cw = 430, ch = 390;   // another size: only the left cell whole
        var cropped = new ushort[cw * ch];
        for (int y = 0; y < ch; y++) a.AsSpan((y + 50) * w, cw).CopyTo(cropped.AsSpan(y * cw, cw));
        yield return (cropped, cw, ch, null);
        yield return (Enumerable.Repeat((ushort)100, w * h).ToArray(), w, h, null);   // no cells
        yield return (Shifted(TwoTouchingCells(4, out _, out _), w, h, -30, 10), w, h, null);
        yield return (a, w, h, null);
    }

    /// <summary>The frame moved by (dx, dy), the uncovered edge filled with the background level.</summary>
    internal static ushort[] Shifted(ushort[] pixels, int w, int h, int dx, int dy)
    {
        var result = Enumerable.Repeat((ushort)100, w * h).ToArray();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int sx = x - dx, sy = y - dy;
                if (sx >= 0 && sy >= 0 && sx < w && sy < h) result[y * w + x] = pixels[sy * w + sx];
            }
        return result;
    }
}
