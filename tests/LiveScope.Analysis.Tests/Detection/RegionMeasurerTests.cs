using LiveScope.Analysis.Detection;

namespace LiveScope.Analysis.Tests.Detection;

public class RegionMeasurerTests
{
    [Fact]
    public void Median_by_selection_equals_the_median_of_the_sorted_values()
    {
        // Border medians of camera pixels: many ties, odd and even counts.
        var random = new Random(5);
        for (int trial = 0; trial < 2000; trial++)
        {
            int n = 1 + random.Next(48);
            var values = Enumerable.Range(0, n).Select(_ => (float)random.Next(trial % 2 == 0 ? 6 : 60_000)).ToArray();
            var sorted = values.Order().ToArray();
            float expected = n % 2 == 1 ? sorted[n / 2] : 0.5f * (sorted[n / 2 - 1] + sorted[n / 2]);
            RegionMeasurer.Median(values).Should().Be(expected);
        }
    }

    [Fact]
    public void Median_by_rank_of_counts_equals_the_median_of_the_sorted_values()
    {
        // Every count the box border of a cluster can have (up to 64), many ties, and the ends of the ushort range.
        var random = new Random(6);
        for (int trial = 0; trial < 4000; trial++)
        {
            int n = 1 + random.Next(64);
            int range = (trial % 3) switch { 0 => 6, 1 => 300, _ => 65_536 };
            var values = Enumerable.Range(0, n).Select(_ => (ushort)(trial % 7 == 0 ? 65_535 - random.Next(range) : random.Next(range))).ToArray();
            var sorted = values.Order().ToArray();
            float expected = n % 2 == 1 ? sorted[n / 2] : 0.5f * (sorted[n / 2 - 1] + sorted[n / 2]);
            RegionMeasurer.MedianOfCounts(values).Should().Be(expected);
        }
    }

    [Theory]
    [InlineData(1.0)]   // box 5: the smallest
    [InlineData(3.1)]   // box 9, a border of 32: the dense frames' case
    [InlineData(6.5)]   // box 15: the widest that is measured straight from the frame
    [InlineData(7.5)]   // box 17: copied, border median still by rank
    [InlineData(16.2)]  // box 35: border median by quickselect
    public void Measure_equals_a_plain_reference_everywhere_in_the_frame(double diameterPx)
    {
        // Every position of small frames, so boxes inside the frame, across its edges and near its last pixel (where
        // the row loads of the fast path would run past the end) all take their path; the fields must match exactly.
        const int width = 53, height = 47;
        var measurer = new RegionMeasurer(diameterPx);
        foreach (var frame in TestFrames(width, height))
            for (int cy = 0; cy < height; cy++)
                for (int cx = 0; cx < width; cx++)
                {
                    var expected = ReferenceMeasure(frame, width, height, diameterPx, cx, cy);
                    measurer.Measure(frame, width, height, cx, cy, cx + 0.25f, cy - 0.125f, 7f)
                        .Should().Be(expected, $"d {diameterPx} at ({cx}, {cy})");
                }
    }

    /// <summary>Spots on a noisy background, the same saturating, and uniformly random counts over the whole range.</summary>
    private static IEnumerable<ushort[]> TestFrames(int width, int height)
    {
        var random = new Random(7);
        foreach (var (background, amplitude) in new[] { (100.0, 400.0), (30_000.0, 60_000.0) })
        {
            var spots = Enumerable.Range(0, 12).Select(_ => (x: random.NextDouble() * width, y: random.NextDouble() * height,
                                                               s: 0.7 + 2.5 * random.NextDouble())).ToArray();
            var frame = new ushort[width * height];
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double v = background + 20 * (random.NextDouble() - 0.5)
                               + spots.Sum(p => amplitude * Math.Exp(-((x - p.x) * (x - p.x) + (y - p.y) * (y - p.y)) / (2 * p.s * p.s)));
                    frame[y * width + x] = (ushort)Math.Clamp(Math.Round(v), 0, 65_535);
                }
            yield return frame;
        }
        yield return Enumerable.Range(0, width * height).Select(_ => (ushort)random.Next(65_536)).ToArray();
    }

    /// <summary>
    /// The measurement as documented, done plainly: the box with replicated edges, the median of its border by sorting,
    /// the brightest of the 3×3 around the centre (first in row order), the pixels inside the frame above half maximum
    /// 8-connected to it by a breadth-first search, the Crofton perimeter from the region's outward pixel edges.
    /// </summary>
    private static Cluster ReferenceMeasure(ushort[] frame, int width, int height, double diameterPx, int cx, int cy)
    {
        int half = Math.Max(2, (int)Math.Ceiling(diameterPx)), side = 2 * half + 1, x0 = cx - half, y0 = cy - half;
        float Value(int bx, int by) => frame[Math.Clamp(y0 + by, 0, height - 1) * width + Math.Clamp(x0 + bx, 0, width - 1)];
        bool InFrame(int bx, int by) => (uint)(x0 + bx) < (uint)width && (uint)(y0 + by) < (uint)height;

        var border = new List<float>();
        for (int by = 0; by < side; by++)
            for (int bx = 0; bx < side; bx++)
                if (bx == 0 || by == 0 || bx == side - 1 || by == side - 1) border.Add(Value(bx, by));
        border.Sort();
        int n = border.Count;
        float background = n % 2 == 1 ? border[n / 2] : 0.5f * (border[n / 2 - 1] + border[n / 2]);

        int px = half, py = half;
        float peak = float.MinValue;
        for (int by = half - 1; by <= half + 1; by++)
            for (int bx = half - 1; bx <= half + 1; bx++)
                if (Value(bx, by) > peak) { peak = Value(bx, by); px = bx; py = by; }
        float level = background + 0.5f * (peak - background);

        var inRegion = new bool[side, side];
        var queue = new Queue<(int, int)>();
        inRegion[px, py] = true;
        queue.Enqueue((px, py));
        while (queue.Count > 0)
        {
            var (qx, qy) = queue.Dequeue();
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int bx = qx + dx, by = qy + dy;
                    if ((uint)bx >= (uint)side || (uint)by >= (uint)side || inRegion[bx, by] || !InFrame(bx, by) || !(Value(bx, by) > level)) continue;
                    inRegion[bx, by] = true;
                    queue.Enqueue((bx, by));
                }
        }
        int area = 0, edges = 0;
        double integrated = 0;
        bool Inside(int bx, int by) => (uint)bx < (uint)side && (uint)by < (uint)side && inRegion[bx, by];
        for (int by = 0; by < side; by++)
            for (int bx = 0; bx < side; bx++)
            {
                if (!inRegion[bx, by]) continue;
                area++;
                integrated += Value(bx, by) - background;
                edges += (Inside(bx - 1, by) ? 0 : 1) + (Inside(bx + 1, by) ? 0 : 1) + (Inside(bx, by - 1) ? 0 : 1) + (Inside(bx, by + 1) ? 0 : 1);
            }
        double perimeter = Math.PI / 4 * edges;
        float circularity = (float)Math.Min(1.0, 4 * Math.PI * area / (perimeter * perimeter));
        return new Cluster(cx + 0.25f, cy - 0.125f, 7f, peak, background, (float)integrated, area, circularity);
    }
}
