namespace LiveScope.Analysis.Cells;

/// <summary>
/// Cell masks from a frame: bin, smooth, threshold (Li's minimum cross-entropy, or absolute), split touching cells by
/// a seeded watershed on the distance transform (seeds are its deep, well-separated maxima; pixels are flooded from
/// the deepest first), drop small objects; then compartments — membrane within MembraneWidthPx of the cell's edge
/// (not the frame's), nucleus from a nuclear channel (Otsu inside each cell) or, without one, the cell's dim part away
/// from the membrane if it is distinctly dim, cytoplasm the rest.
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

        AssignCompartments(frame, labels, masks.Compartments, cells, smooth, kernel, buffers);
        masks.Complete(cells);
        return masks;
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
