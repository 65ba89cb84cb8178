using LiveScope.Analysis.Cells;

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
}
