using LiveScope.Analysis.Detection;

namespace LiveScope.Analysis.Cells;

/// <summary>
/// The compartments of segmented cells: the membrane band along each cell's own edge, the nucleus (from a nuclear
/// channel, or the cell's dim part), and the cytoplasm, the rest.
/// </summary>
public sealed partial class CellSegmenter
{
    private void AssignCompartments(BinnedFrame frame, int[] labels, byte[] compartments, int cells, float[] smooth,
        GaussianKernel? kernel, CellSegmentationBuffers buffers)
    {
        int bw = frame.BinnedWidth, bh = frame.BinnedHeight;
        // Touching cells share no background line, so distance to the edge is measured per label.
        var perCell = DistanceWithinLabels(labels, bw, bh, buffers);
        double membraneBinned = _options.MembraneWidthPx / frame.BinFactor;
        for (int i = 0; i < labels.Length; i++)
            compartments[i] = labels[i] > 0
                ? (byte)(perCell[i] <= membraneBinned ? Compartment.Membrane : Compartment.Cytoplasm)
                : (byte)Compartment.None;

        float[]? nuclear = null;
        if (frame.Nuclear is { } nuclearMean)
        {
            nuclear = buffers.NuclearSmooth;
            ImageOps.GaussianBlur(nuclearMean, bw, bh, kernel, buffers.BlurTmp, nuclear, buffers.BlurRow(kernel));
        }
        if (nuclear is null && !_options.NucleusFromDimRegion) return;
        AssignNuclei(labels, compartments, cells, nuclear, smooth, bw, _options.DimNucleusMaxContrast, buffers);
        CloseNuclei(labels, compartments, bw, (int)Math.Ceiling(2 * _options.SmoothingSigmaBinnedPx), buffers.Dilated);
    }

    /// <summary>
    /// In each cell, the largest 4-connected component of the nucleus class of its cytoplasm pixels becomes its
    /// nucleus: with a nuclear stain its bright class (Otsu within the cell); without one the cell's dim part
    /// (<see cref="DimNucleusThreshold"/>), where the cell has one.
    /// </summary>
    private static void AssignNuclei(int[] labels, byte[] compartments, int cells, float[]? nuclear, float[] smooth, int bw,
        double dimNucleusMaxContrast, CellSegmentationBuffers buffers)
    {
        double background = nuclear is null ? BackgroundLevel(labels, smooth, buffers) : 0;
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
            double t;
            if (nuclear is not null) t = ImageOps.Otsu(values);
            else if (!DimNucleusThreshold(values, background, dimNucleusMaxContrast, out t)) continue;
            // A nuclear stain is bright in the nucleus; IR signal is dim there.
            int candidates = 0;
            foreach (int i in inner)
                if (nuclear is not null ? source[i] > t : source[i] <= t) { nucleusOf[i] = cell; inner[candidates++] = i; }
            foreach (int i in LargestComponent(inner[..candidates], nucleusOf, cell, bw, buffers.Component, buffers.Largest))
                compartments[i] = (byte)Compartment.Nucleus;
        }
    }

    /// <summary>
    /// Morphological closing of each nucleus by a disc of <paramref name="radius"/> binned px, within its cell: cytoplasm
    /// pixels it encloses become nucleus. A cluster in or at the nucleus raises the smoothed signal over its footprint
    /// (about 2σ of the smoothing), which left a hole or a notch in the dim class exactly where nuclear clusters are:
    /// on the simulator with a dim nucleus, 18 of the 39 nuclear clusters of cells with a nucleus lay outside it
    /// without the closing, 8 with it.
    /// </summary>
    private static void CloseNuclei(int[] labels, byte[] compartments, int bw, int radius, bool[] dilated)
    {
        int bh = labels.Length / bw;
        Span<int> dx = stackalloc int[(2 * radius + 1) * (2 * radius + 1)], dy = stackalloc int[dx.Length];
        int discSize = 0;
        for (int y = -radius; y <= radius; y++)
            for (int x = -radius; x <= radius; x++)
                if (x * x + y * y <= radius * radius) { dx[discSize] = x; dy[discSize] = y; discSize++; }
        dx = dx[..discSize]; dy = dy[..discSize];

        Array.Clear(dilated);
        for (int i = 0; i < labels.Length; i++)
        {
            if (compartments[i] != (byte)Compartment.Nucleus) continue;
            int x = i % bw, y = i / bw;
            for (int k = 0; k < dx.Length; k++)
            {
                int nx = x + dx[k], ny = y + dy[k];
                if (nx >= 0 && nx < bw && ny >= 0 && ny < bh && labels[ny * bw + nx] == labels[i]) dilated[ny * bw + nx] = true;
            }
        }
        for (int i = 0; i < labels.Length; i++)
        {
            if (compartments[i] != (byte)Compartment.Cytoplasm || !dilated[i]) continue;
            int x = i % bw, y = i / bw;
            bool inside = true;   // the eroded disc: beyond the frame counts as dilated, so the frame's edge erodes nothing
            for (int k = 0; k < dx.Length && inside; k++)
            {
                int nx = x + dx[k], ny = y + dy[k];
                inside = nx < 0 || nx >= bw || ny < 0 || ny >= bh || dilated[ny * bw + nx];
            }
            if (inside) compartments[i] = (byte)Compartment.Nucleus;
        }
    }

    /// <summary>
    /// The dim nucleus of a cell's non-membrane pixels (<paramref name="values"/>, reordered here), if it has one. The
    /// nucleus is about a quarter of them, so their 10th percentile lies in it and their median in the cytoplasm; a
    /// nucleus is there when the first is at most <paramref name="maxContrast"/> of the second, both above the
    /// background. Otsu's threshold was used before and always split off a dim class: the cytoplasm's inner part, darker
    /// than the part beside the rim, whether or not the nucleus was dim. On the simulator with a nucleus as bright as the
    /// cytoplasm, 101 of 264 cytoplasmic clusters were then counted nucleus.
    /// </summary>
    /// <param name="threshold">Pixels at or below it are the nucleus class: halfway between the two levels.</param>
    private static bool DimNucleusThreshold(Span<float> values, double background, double maxContrast, out double threshold)
    {
        int middleRank = values.Length / 2, lowRank = (int)(0.1 * (values.Length - 1));
        double middle = OrderStatistics.KthSmallest(values, middleRank) - background;
        // Selecting the middle leaves the values below it in front of it, so the low rank is among them.
        double low = OrderStatistics.KthSmallest(values[..(middleRank + 1)], lowRank) - background;
        threshold = background + (low + middle) / 2;
        return middle > 0 && low <= maxContrast * middle;
    }

    /// <summary>The median of the smoothed signal outside every cell; the lowest smoothed value when cells fill the frame.</summary>
    private static double BackgroundLevel(int[] labels, float[] smooth, CellSegmentationBuffers buffers)
    {
        int count = 0;
        for (int i = 0; i < labels.Length; i++) if (labels[i] == 0) count++;
        if (count == 0) return smooth.Min();
        var values = buffers.Values(count);
        count = 0;
        for (int i = 0; i < labels.Length; i++) if (labels[i] == 0) values[count++] = smooth[i];
        return OrderStatistics.KthSmallest(values, count / 2);
    }

    /// <summary>
    /// Distance to the nearest pixel not of the same label (so touching cells each get a membrane). The frame's edge is
    /// not a cell's edge: where the frame cuts a cell there is no membrane, and counting it as one called the
    /// cytoplasm along it membrane (45 of the 72 cytoplasmic clusters counted membrane on the simulator's samples).
    /// </summary>
    private static float[] DistanceWithinLabels(int[] labels, int w, int h, CellSegmentationBuffers buffers)
    {
        var interior = buffers.Interior;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = y * w + x, l = labels[i];
                interior[i] = l != 0 && (x == 0 || labels[i - 1] == l) && (x == w - 1 || labels[i + 1] == l)
                    && (y == 0 || labels[i - w] == l) && (y == h - 1 || labels[i + w] == l);
            }
        var d = buffers.LabelDistance;
        ImageOps.DistanceTransform(interior, w, h, d, borderIsOutside: false);
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
}
