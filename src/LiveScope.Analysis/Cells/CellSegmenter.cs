namespace LiveScope.Analysis.Cells;

/// <summary>
/// Cell masks from a frame: bin, smooth, threshold (Otsu or absolute), split touching cells by a seeded watershed on
/// the distance transform (seeds are its deep, well-separated maxima; pixels are flooded from the deepest first),
/// drop small objects; then compartments — membrane within MembraneWidthPx of the edge, nucleus from a nuclear
/// channel (Otsu inside each cell) or, without one, the dim class of the cell's own signal away from the membrane,
/// cytoplasm the rest.
/// </summary>
public sealed class CellSegmenter(CellSegmentationOptions? options = null)
{
    private readonly CellSegmentationOptions _options = options ?? new CellSegmentationOptions();

    public CellMasks Segment(ReadOnlySpan<ushort> pixels, int width, int height, ReadOnlySpan<ushort> nuclearChannel = default)
    {
        int f = _options.BinFactor;
        var binned = ImageOps.Bin(pixels, width, height, f, out int bw, out int bh);
        var smooth = ImageOps.GaussianBlur(binned, bw, bh, _options.SmoothingSigmaBinnedPx);
        double threshold = _options.Threshold ?? ImageOps.Otsu(smooth);
        var foreground = smooth.Select(v => v > threshold).ToArray();
        FillHoles(foreground, bw, bh);   // a dim nucleus must not punch a hole into its cell
        var distance = ImageOps.DistanceTransform(foreground, bw, bh);

        var labels = Watershed(distance, foreground, bw, bh);
        int cells = RemoveSmall(labels, _options.MinCellAreaPx / (f * f));

        // Compartments.
        // Touching cells share no background line, so distance to the edge is measured per label.
        var perCell = DistanceWithinLabels(labels, bw, bh);
        double membraneBinned = _options.MembraneWidthPx / f;
        var compartments = new byte[labels.Length];
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] > 0)
                compartments[i] = (byte)(perCell[i] <= membraneBinned ? Compartment.Membrane : Compartment.Cytoplasm);

        float[]? nuclear = nuclearChannel.IsEmpty ? null
            : ImageOps.GaussianBlur(ImageOps.Bin(nuclearChannel, width, height, f, out _, out _), bw, bh, _options.SmoothingSigmaBinnedPx);
        if (nuclear is not null || _options.NucleusFromDimRegion)
        {
            // Each cell's cytoplasm pixels in ascending index order, bucketed in one pass (a counting sort by label).
            var start = new int[cells + 2];
            for (int i = 0; i < labels.Length; i++) if (compartments[i] == (byte)Compartment.Cytoplasm) start[labels[i] + 1]++;
            for (int cell = 1; cell <= cells; cell++) start[cell + 1] += start[cell];
            var byCell = new int[start[cells + 1]];
            var fill = (int[])start.Clone();
            var nucleusOf = new int[labels.Length];   // = cell for the pixels of that cell's nucleus class
            List<int> component = [], largest = [];
            for (int i = 0; i < labels.Length; i++) if (compartments[i] == (byte)Compartment.Cytoplasm) byCell[fill[labels[i]]++] = i;
            for (int cell = 1; cell <= cells; cell++)
            {
                var source = nuclear ?? smooth;
                var inner = byCell.AsSpan(start[cell], start[cell + 1] - start[cell]).ToArray();
                if (inner.Length < 8) continue;
                double t = ImageOps.Otsu(inner.Select(i => source[i]));
                // A nuclear stain is bright in the nucleus; IR signal is dim there.
                int candidates = 0;
                foreach (int i in inner)
                    if (nuclear is not null ? source[i] > t : source[i] <= t) { nucleusOf[i] = cell; inner[candidates++] = i; }
                foreach (int i in LargestComponent(inner.AsSpan(0, candidates), nucleusOf, cell, bw, component, largest))
                    compartments[i] = (byte)Compartment.Nucleus;
            }
        }
        return new CellMasks(width, height, f, bw, bh, labels, compartments, cells);
    }

    private int[] Watershed(float[] distance, bool[] foreground, int w, int h)
    {
        var labels = new int[distance.Length];
        // Seeds: deep pixels that are the maximum of the distance within the separation radius; of seeds closer
        // than that radius (plateaus) the first kept wins.
        int r = (int)Math.Ceiling(_options.MinSeedSeparationBinnedPx);
        bool IsRegionalMax(int i)
        {
            int x = i % w, y = i / w;
            // Most pixels have a deeper 8-neighbour (inside the disc whenever r ≥ 2): reject them before the whole disc.
            if (r >= 2)
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if (nx >= 0 && ny >= 0 && nx < w && ny < h && distance[ny * w + nx] > distance[i]) return false;
                    }
            for (int dy = -r; dy <= r; dy++)
                for (int dx = -r; dx <= r; dx++)
                {
                    int nx = x + dx, ny = y + dy;
                    if (nx < 0 || ny < 0 || nx >= w || ny >= h || dx * dx + dy * dy > r * r) continue;
                    if (distance[ny * w + nx] > distance[i]) return false;
                }
            return true;
        }
        var seeds = new List<int>();
        var byDepth = Enumerable.Range(0, distance.Length).Where(i => distance[i] >= _options.MinSeedDepthBinnedPx && IsRegionalMax(i))
            .OrderByDescending(i => distance[i]).ThenBy(i => i);
        foreach (int i in byDepth)
        {
            int x = i % w, y = i / w;
            if (seeds.Any(s => Sq(s % w - x) + Sq(s / w - y) < r * r)) continue;
            seeds.Add(i);
        }
        var queue = new PriorityQueue<int, (float, int)>();
        for (int s = 0; s < seeds.Count; s++) { labels[seeds[s]] = s + 1; queue.Enqueue(seeds[s], (-distance[seeds[s]], seeds[s])); }
        while (queue.TryDequeue(out int i, out _))
        {
            int x = i % w, y = i / w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int nx = x + dx, ny = y + dy;
                    if ((dx == 0 && dy == 0) || nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                    int n = ny * w + nx;
                    if (!foreground[n] || labels[n] != 0) continue;
                    labels[n] = labels[i];
                    queue.Enqueue(n, (-distance[n], n));
                }
        }
        // Foreground objects too shallow for a seed (small debris) stay unlabelled.
        return labels;
    }

    private static int RemoveSmall(int[] labels, int minAreaBinned)
    {
        int max = labels.Length == 0 ? 0 : labels.Max();
        var area = new int[max + 1];
        foreach (int l in labels) area[l]++;
        var remap = new int[max + 1]; int next = 0;
        for (int l = 1; l <= max; l++) remap[l] = area[l] >= Math.Max(1, minAreaBinned) ? ++next : 0;
        for (int i = 0; i < labels.Length; i++) labels[i] = remap[labels[i]];
        return next;
    }

    /// <summary>Distance to the nearest pixel not of the same label (so touching cells each get a membrane).</summary>
    private static float[] DistanceWithinLabels(int[] labels, int w, int h)
    {
        var edge = new bool[labels.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x, l = labels[i];
                if (l == 0) continue;
                bool interior = x > 0 && y > 0 && x < w - 1 && y < h - 1
                    && labels[i - 1] == l && labels[i + 1] == l && labels[i - w] == l && labels[i + w] == l;
                edge[i] = interior;
            }
        var d = ImageOps.DistanceTransform(edge, w, h);
        for (int i = 0; i < d.Length; i++) if (labels[i] > 0) d[i] += 1;   // edge pixels are at distance 1
        return d;
    }

    /// <summary>
    /// The largest 4-connected component of the pixels marked <paramref name="cell"/> in <paramref name="mark"/>;
    /// <paramref name="pixels"/> lists them in ascending order, and of equal components the first reached wins.
    /// The flood re-marks what it visits (−cell), so each pixel is visited once.
    /// </summary>
    private static List<int> LargestComponent(ReadOnlySpan<int> pixels, int[] mark, int cell, int w, List<int> component, List<int> largest)
    {
        largest.Clear();
        foreach (int start in pixels)
        {
            if (mark[start] != cell) continue;
            component.Clear();
            mark[start] = -cell; component.Add(start);
            for (int k = 0; k < component.Count; k++)
            {
                int i = component[k], x = i % w;
                if (x > 0) Visit(i - 1);
                if (x < w - 1) Visit(i + 1);
                if (i - w >= 0) Visit(i - w);
                if (i + w < mark.Length) Visit(i + w);
            }
            if (component.Count > largest.Count) (largest, component) = (component, largest);
        }
        return largest;

        void Visit(int n)
        {
            if (mark[n] != cell) return;
            mark[n] = -cell; component.Add(n);
        }
    }

    /// <summary>Background not connected to the image border is a hole: make it foreground.</summary>
    private static void FillHoles(bool[] foreground, int w, int h)
    {
        var outside = new bool[foreground.Length];
        var stack = new Stack<int>();
        void Push(int i) { if (!foreground[i] && !outside[i]) { outside[i] = true; stack.Push(i); } }
        for (int x = 0; x < w; x++) { Push(x); Push((h - 1) * w + x); }
        for (int y = 0; y < h; y++) { Push(y * w); Push(y * w + w - 1); }
        while (stack.Count > 0)
        {
            int i = stack.Pop(), x = i % w, y = i / w;
            if (x > 0) Push(i - 1);
            if (x < w - 1) Push(i + 1);
            if (y > 0) Push(i - w);
            if (y < h - 1) Push(i + w);
        }
        for (int i = 0; i < foreground.Length; i++) if (!outside[i]) foreground[i] = true;
    }

    private static int Sq(int v) => v * v;
}
