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
}
