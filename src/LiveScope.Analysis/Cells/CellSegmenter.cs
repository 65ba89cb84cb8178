namespace LiveScope.Analysis.Cells;

/// <summary>
/// Cell masks from a frame: bin, smooth, threshold (Li's minimum cross-entropy, or absolute), split touching cells by
/// a seeded watershed on the distance transform (seeds are its deep, well-separated maxima; pixels are flooded from
/// the deepest first), drop small objects; then compartments — membrane within MembraneWidthPx of the edge, nucleus
/// from a nuclear channel (Otsu inside each cell) or, without one, the dim class of the cell's own signal away from
/// the membrane, cytoplasm the rest.
/// </summary>
public sealed partial class CellSegmenter(CellSegmentationOptions? options = null)
{
    private readonly CellSegmentationOptions _options = options ?? new CellSegmentationOptions();

    public CellSegmentationOptions Options => _options;

    public CellMasks Segment(ReadOnlySpan<ushort> pixels, int width, int height, ReadOnlySpan<ushort> nuclearChannel = default) =>
        Segment(Bin(pixels, width, height, nuclearChannel));

    /// <summary>
    /// The part of a segmentation that reads the frame: binning (a few ms at 2048²). What it returns holds all the
    /// rest needs, so <see cref="Segment(BinnedFrame)"/> may run later or on another thread, after the frame is gone.
    /// </summary>
    public BinnedFrame Bin(ReadOnlySpan<ushort> pixels, int width, int height, ReadOnlySpan<ushort> nuclearChannel = default)
    {
        var binned = new BinnedFrame();
        Bin(pixels, width, height, nuclearChannel, binned);
        return binned;
    }

    /// <summary>Bins into <paramref name="into"/>, reusing its buffers (nothing allocated once they fit the frame).</summary>
    internal void Bin(ReadOnlySpan<ushort> pixels, int width, int height, ReadOnlySpan<ushort> nuclearChannel, BinnedFrame into)
    {
        into.Prepare(width, height, _options.BinFactor);
        ImageOps.Bin(pixels, width, height, into.BinFactor, into.Mean, into.ColumnSum(width));
        if (!nuclearChannel.IsEmpty) BinNuclear(nuclearChannel, into);
    }

    /// <summary>Adds the nuclear channel to a frame binned (by Bin or while the metrics sum cells) since its last Prepare.</summary>
    internal static void BinNuclear(ReadOnlySpan<ushort> nuclearChannel, BinnedFrame into)
    {
        ImageOps.Bin(nuclearChannel, into.Width, into.Height, into.BinFactor, into.NuclearBuffer(), into.ColumnSum(into.Width));
    }

    /// <summary>The masks of a binned frame; uses only the options and <paramref name="frame"/>, so calls may run concurrently.</summary>
    public CellMasks Segment(BinnedFrame frame) => Segment(frame, null, null);

    /// <summary>
    /// The masks of a binned frame, built in <paramref name="reuse"/> when it has the frame's geometry (its previous
    /// content is overwritten: the caller must own it, nobody may be reading it), otherwise in new masks. With
    /// <paramref name="buffers"/> (one segmentation at a time per buffers) a call allocates nothing once they and
    /// the masks fit the frame. The result is the same whatever is reused.
    /// </summary>
    internal CellMasks Segment(BinnedFrame frame, CellSegmentationBuffers? buffers, CellMasks? reuse)
    {
        buffers ??= new CellSegmentationBuffers();
        int f = frame.BinFactor, bw = frame.BinnedWidth, bh = frame.BinnedHeight, n = bw * bh;
        var masks = reuse is not null && reuse.Fits(frame.Width, frame.Height, f, bw, bh)
            ? reuse : new CellMasks(frame.Width, frame.Height, f, bw, bh);
        buffers.Prepare(n, bw);

        var kernel = buffers.Kernel(_options.SmoothingSigmaBinnedPx);
        var smooth = buffers.Smooth;
        ImageOps.GaussianBlur(frame.Mean, bw, bh, kernel, buffers.BlurTmp, smooth, buffers.BlurRow(kernel));
        double threshold = _options.Threshold ?? ImageOps.MinimumCrossEntropy(smooth);
        var foreground = buffers.Foreground;
        for (int i = 0; i < n; i++) foreground[i] = smooth[i] > threshold;
        FillHoles(foreground, bw, bh, buffers);   // a dim nucleus must not punch a hole into its cell
        ImageOps.DistanceTransform(foreground, bw, bh, buffers.Distance);

        var labels = masks.Labels;
        Watershed(buffers.Distance, foreground, bw, bh, labels, buffers);
        int cells = RemoveSmall(labels, _options.MinCellAreaPx / (f * f), buffers);

        // Compartments.
        // Touching cells share no background line, so distance to the edge is measured per label.
        var perCell = DistanceWithinLabels(labels, bw, bh, buffers);
        double membraneBinned = _options.MembraneWidthPx / f;
        var compartments = masks.Compartments;
        for (int i = 0; i < n; i++)
            compartments[i] = labels[i] > 0
                ? (byte)(perCell[i] <= membraneBinned ? Compartment.Membrane : Compartment.Cytoplasm)
                : (byte)Compartment.None;

        float[]? nuclear = null;
        if (frame.Nuclear is { } nuclearMean)
        {
            nuclear = buffers.NuclearSmooth;
            ImageOps.GaussianBlur(nuclearMean, bw, bh, kernel, buffers.BlurTmp, nuclear, buffers.BlurRow(kernel));
        }
        if (nuclear is not null || _options.NucleusFromDimRegion) AssignNuclei(labels, compartments, cells, nuclear, smooth, bw, buffers);
        masks.Complete(cells);
        return masks;
    }

    /// <summary>
    /// In each cell, the largest 4-connected component of the nucleus class of its cytoplasm pixels (Otsu within the
    /// cell: the bright class of a nuclear stain, the dim class of the cell's own signal) becomes its nucleus.
    /// </summary>
    private static void AssignNuclei(int[] labels, byte[] compartments, int cells, float[]? nuclear, float[] smooth, int bw,
        CellSegmentationBuffers buffers)
    {
        // Each cell's cytoplasm pixels in ascending index order, bucketed in one pass (a counting sort by label).
        var start = buffers.CellStarts(cells + 2);
        for (int i = 0; i < labels.Length; i++) if (compartments[i] == (byte)Compartment.Cytoplasm) start[labels[i] + 1]++;
        for (int cell = 1; cell <= cells; cell++) start[cell + 1] += start[cell];
        var byCell = buffers.ByCell(start[cells + 1]);
        var fill = buffers.CellFill(cells + 2);
        start.AsSpan(0, cells + 2).CopyTo(fill);
        var nucleusOf = buffers.NucleusOf;   // = cell for the pixels of that cell's nucleus class
        nucleusOf.AsSpan().Clear();
        for (int i = 0; i < labels.Length; i++) if (compartments[i] == (byte)Compartment.Cytoplasm) byCell[fill[labels[i]]++] = i;
        var source = nuclear ?? smooth;
        for (int cell = 1; cell <= cells; cell++)
        {
            // The cell's own bucket, used once: its nucleus-class pixels are compacted into its front in place.
            var inner = byCell.AsSpan(start[cell], start[cell + 1] - start[cell]);
            if (inner.Length < 8) continue;
            var values = buffers.Values(inner.Length);
            for (int k = 0; k < inner.Length; k++) values[k] = source[inner[k]];
            double t = ImageOps.Otsu(values);
            // A nuclear stain is bright in the nucleus; IR signal is dim there.
            int candidates = 0;
            foreach (int i in inner)
                if (nuclear is not null ? source[i] > t : source[i] <= t) { nucleusOf[i] = cell; inner[candidates++] = i; }
            foreach (int i in LargestComponent(inner[..candidates], nucleusOf, cell, bw, buffers.Component, buffers.Largest))
                compartments[i] = (byte)Compartment.Nucleus;
        }
    }

    /// <summary>Distance to the nearest pixel not of the same label (so touching cells each get a membrane).</summary>
    private static float[] DistanceWithinLabels(int[] labels, int w, int h, CellSegmentationBuffers buffers)
    {
        var interior = buffers.Interior;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x, l = labels[i];
                interior[i] = l != 0 && x > 0 && y > 0 && x < w - 1 && y < h - 1
                    && labels[i - 1] == l && labels[i + 1] == l && labels[i - w] == l && labels[i + w] == l;
            }
        var d = buffers.LabelDistance;
        ImageOps.DistanceTransform(interior, w, h, d);
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
    private static void FillHoles(bool[] foreground, int w, int h, CellSegmentationBuffers buffers)
    {
        var outside = buffers.Outside;
        outside.AsSpan().Clear();
        var stack = buffers.Stack;   // a pixel is pushed once at most (marked outside when pushed)
        int count = 0;
        void Push(int i) { if (!foreground[i] && !outside[i]) { outside[i] = true; stack[count++] = i; } }
        for (int x = 0; x < w; x++) { Push(x); Push((h - 1) * w + x); }
        for (int y = 0; y < h; y++) { Push(y * w); Push(y * w + w - 1); }
        while (count > 0)
        {
            int i = stack[--count], x = i % w, y = i / w;
            if (x > 0) Push(i - 1);
            if (x < w - 1) Push(i + 1);
            if (y > 0) Push(i - w);
            if (y < h - 1) Push(i + w);
        }
        for (int i = 0; i < foreground.Length; i++) if (!outside[i]) foreground[i] = true;
    }
}
