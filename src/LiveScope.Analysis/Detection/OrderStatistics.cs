namespace LiveScope.Analysis.Detection;

/// <summary>
/// Ranks of a set of values by selection, O(n), where sorting to read one or two of them costs O(n log n): the region
/// measurer's border median, the cell segmenter's background level and a cell's percentiles.
/// </summary>
internal static class OrderStatistics
{
    /// <summary>The k-th smallest (0-based); afterwards values[..k] ≤ values[k] ≤ values[k+1..] (quickselect).</summary>
    public static float KthSmallest(Span<float> values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            float pivot = values[(lo + hi) >>> 1];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j) { (values[i], values[j]) = (values[j], values[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else break;
        }
        return values[k];
    }
}
