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

    public CellMasks Segment(ReadOnlySpan<ushort> pixels, int width, int height, ReadOnlySpan<ushort> nuclearChannel = default) =>
        Segment(Bin(pixels, width, height, nuclearChannel));

    /// <summary>
    /// The part of a segmentation that reads the frame: binning (a few ms at 2048²). What it returns holds all the
    /// rest needs, so <see cref="Segment(BinnedFrame)"/> may run later or on another thread, after the frame is gone.
    /// </summary>
    public BinnedFrame Bin(ReadOnlySpan<ushort> pixels, int width, int height, ReadOnlySpan<ushort> nuclearChannel = default)
    {
        int f = _options.BinFactor;
        var mean = ImageOps.Bin(pixels, width, height, f, out int bw, out int bh);
        var nuclear = nuclearChannel.IsEmpty ? null : ImageOps.Bin(nuclearChannel, width, height, f, out _, out _);
        return new BinnedFrame(width, height, f, bw, bh, mean, nuclear);
    }

    /// <summary>The masks of a binned frame; uses only the options and <paramref name="frame"/>, so calls may run concurrently.</summary>
    public CellMasks Segment(BinnedFrame frame)
    {
        int f = frame.BinFactor, bw = frame.BinnedWidth, bh = frame.BinnedHeight, width = frame.Width, height = frame.Height;
        var binned = frame.Mean;
        var smooth = ImageOps.GaussianBlur(binned, bw, bh, _options.SmoothingSigmaBinnedPx);
        double threshold = _options.Threshold ?? ImageOps.Otsu(smooth);
        var foreground = new bool[smooth.Length];
        for (int i = 0; i < smooth.Length; i++) foreground[i] = smooth[i] > threshold;
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

        float[]? nuclear = frame.Nuclear is null ? null : ImageOps.GaussianBlur(frame.Nuclear, bw, bh, _options.SmoothingSigmaBinnedPx);
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
        // than that radius (plateaus) the first kept wins, deepest first, then in pixel order.
        int r = (int)Math.Ceiling(_options.MinSeedSeparationBinnedPx);
        var candidates = new List<long>();
        for (int i = 0; i < distance.Length; i++)
            if (distance[i] >= _options.MinSeedDepthBinnedPx && IsRegionalMax(distance, w, h, i, r)) candidates.Add(FloodKey(distance, i));
        candidates.Sort();
        var seeds = new List<int>();
        foreach (long key in candidates)
        {
            int i = (int)(uint)key;
            if (SeedWithin(labels, w, h, i, r)) continue;
            seeds.Add(i);
            labels[i] = seeds.Count;
        }
        // Flood from the seeds, the deepest queued pixel first (ties: lowest index), as a priority queue keyed
        // (−distance, index) would; a pixel takes the label of the pixel that reached it.
        var queue = new MinHeap(seeds.Count * 4);
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
        return labels;
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

    /// <summary>A binary min-heap of packed keys (one long compare per step, no comparer calls).</summary>
    private sealed class MinHeap(int capacity)
    {
        private long[] _items = new long[Math.Max(16, capacity)];
        public int Count { get; private set; }

        public void Push(long key)
        {
            if (Count == _items.Length) Array.Resize(ref _items, 2 * Count);
            int i = Count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (_items[parent] <= key) break;
                _items[i] = _items[parent];
                i = parent;
            }
            _items[i] = key;
        }

        public long Pop()
        {
            long top = _items[0], last = _items[--Count];
            int i = 0;
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= Count) break;
                if (child + 1 < Count && _items[child + 1] < _items[child]) child++;
                if (_items[child] >= last) break;
                _items[i] = _items[child];
                i = child;
            }
            if (Count > 0) _items[i] = last;
            return top;
        }
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

/// <summary>A frame (and optionally its nuclear channel) binned for <see cref="CellSegmenter.Segment(BinnedFrame)"/>; not changed after creation.</summary>
public sealed class BinnedFrame
{
    internal BinnedFrame(int width, int height, int binFactor, int binnedWidth, int binnedHeight, float[] mean, float[]? nuclear)
    {
        Width = width; Height = height; BinFactor = binFactor; BinnedWidth = binnedWidth; BinnedHeight = binnedHeight; Mean = mean; Nuclear = nuclear;
    }

    public int Width { get; }
    public int Height { get; }
    public int BinFactor { get; }
    public int BinnedWidth { get; }
    public int BinnedHeight { get; }
    internal float[] Mean { get; }
    internal float[]? Nuclear { get; }
}
