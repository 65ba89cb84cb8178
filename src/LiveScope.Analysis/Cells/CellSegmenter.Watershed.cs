namespace LiveScope.Analysis.Cells;

public sealed partial class CellSegmenter
{
    /// <summary>Labels (cleared first) of the foreground flooded from seeds; shallow objects stay 0.</summary>
    private void Watershed(float[] distance, bool[] foreground, int w, int h, int[] labels, CellSegmentationBuffers buffers)
    {
        labels.AsSpan().Clear();
        // Seeds: deep pixels that are the maximum of the distance within the separation radius; of seeds closer
        // than that radius (plateaus) the first kept wins, deepest first, then in pixel order.
        int r = (int)Math.Ceiling(_options.MinSeedSeparationBinnedPx);
        var candidates = buffers.Candidates;
        candidates.Clear();
        for (int i = 0; i < distance.Length; i++)
            if (distance[i] >= _options.MinSeedDepthBinnedPx && IsRegionalMax(distance, w, h, i, r)) candidates.Add(FloodKey(distance, i));
        candidates.Sort();
        var seeds = buffers.Seeds;
        seeds.Clear();
        foreach (long key in candidates)
        {
            int i = (int)(uint)key;
            if (SeedWithin(labels, w, h, i, r)) continue;
            seeds.Add(i);
            labels[i] = seeds.Count;
        }
        // Flood from the seeds, the deepest queued pixel first (ties: lowest index), as a priority queue keyed
        // (−distance, index) would; a pixel takes the label of the pixel that reached it.
        var queue = buffers.Queue;
        queue.Clear();
        foreach (int seed in seeds) queue.Push(FloodKey(distance, seed));
        while (queue.Count > 0)
        {
            int i = (int)(uint)queue.Pop();
            int x = i % w, y = i / w, label = labels[i];
            for (int dy = -1; dy <= 1; dy++)
            {
                int ny = y + dy;
                if (ny < 0 || ny >= h) continue;
                for (int dx = -1; dx <= 1; dx++)
                {
                    int nx = x + dx;
                    if ((dx == 0 && dy == 0) || nx < 0 || nx >= w) continue;
                    int n = ny * w + nx;
                    if (!foreground[n] || labels[n] != 0) continue;
                    labels[n] = label;
                    queue.Push(FloodKey(distance, n));
                }
            }
        }
        // Foreground objects too shallow for a seed (small debris) stay unlabelled.
    }

    /// <summary>
    /// Orders pixels deepest first, then by index: distances are ≥ 0, so their float bits order as the floats do,
    /// and the complement puts the deepest first in an ascending sort.
    /// </summary>
    private static long FloodKey(float[] distance, int i) =>
        ((long)(int.MaxValue - BitConverter.SingleToInt32Bits(distance[i])) << 32) | (uint)i;

    /// <summary>No pixel within radius r (disc) is deeper; most pixels have a deeper 8-neighbour and are rejected early.</summary>
    private static bool IsRegionalMax(float[] distance, int w, int h, int i, int r)
    {
        int x = i % w, y = i / w;
        float d = distance[i];
        if (r >= 2)   // the 8-neighbours are inside the disc
            for (int ny = Math.Max(0, y - 1); ny <= Math.Min(h - 1, y + 1); ny++)
                for (int nx = Math.Max(0, x - 1); nx <= Math.Min(w - 1, x + 1); nx++)
                    if (distance[ny * w + nx] > d) return false;
        for (int ny = Math.Max(0, y - r); ny <= Math.Min(h - 1, y + r); ny++)
            for (int nx = Math.Max(0, x - r); nx <= Math.Min(w - 1, x + r); nx++)
                if ((nx - x) * (nx - x) + (ny - y) * (ny - y) <= r * r && distance[ny * w + nx] > d) return false;
        return true;
    }

    /// <summary>A seed already labelled closer than r (strictly) to pixel i.</summary>
    private static bool SeedWithin(int[] labels, int w, int h, int i, int r)
    {
        int x = i % w, y = i / w;
        for (int ny = Math.Max(0, y - r); ny <= Math.Min(h - 1, y + r); ny++)
            for (int nx = Math.Max(0, x - r); nx <= Math.Min(w - 1, x + r); nx++)
                if ((nx - x) * (nx - x) + (ny - y) * (ny - y) < r * r && labels[ny * w + nx] != 0) return true;
        return false;
    }

    /// <summary>Drops labels of fewer than <paramref name="minAreaBinned"/> pixels and renumbers the rest 1..count in order.</summary>
    private static int RemoveSmall(int[] labels, int minAreaBinned, CellSegmentationBuffers buffers)
    {
        int max = 0;
        foreach (int l in labels) max = Math.Max(max, l);
        var area = buffers.LabelArea(max + 1);
        foreach (int l in labels) area[l]++;
        var remap = buffers.LabelRemap(max + 1); int next = 0;
        remap[0] = 0;
        for (int l = 1; l <= max; l++) remap[l] = area[l] >= Math.Max(1, minAreaBinned) ? ++next : 0;
        for (int i = 0; i < labels.Length; i++) labels[i] = remap[labels[i]];
        return next;
    }
}
