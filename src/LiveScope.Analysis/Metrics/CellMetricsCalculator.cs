using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LiveScope.Analysis.Cells;
using LiveScope.Analysis.Detection;

namespace LiveScope.Analysis.Metrics;

/// <summary>
/// Per-cell and per-frame metrics. Cluster pixels are discs of <c>clusterRadiusPx</c> around each cluster (counted
/// once where discs overlap); the background is the mean of the frame outside all cells. Buffers are reused.
/// The condensed fraction is the clusters' own light over the cell's: each cluster's light is summed over a disc of
/// twice <c>clusterRadiusPx</c> (the blurred spot's wings included) above its local level (the diffuse cell signal
/// around it), so diffuse signal under a cluster is not counted as clustered and a larger cluster counts in full.
/// </summary>
public sealed partial class CellMetricsCalculator
{
    // Pixels already counted this frame, one bit each (512 KiB at 2048², cache-resident unlike a full-frame int array).
    private ulong[] _counted = [], _apertureCounted = [];
    private double[] _cellSum = [], _clusterSum = [], _clusterIntensity = [], _clusterArea = [], _clusterOwn = [];
    private long[] _cellCount = [], _clusterPixels = [];
    private int[] _clusterCount = [], _membrane = [], _cytoplasm = [], _nucleus = [];
    private int[] _clusterCells = [];
    private int _clusterCellCount;

    /// <summary>The cell (0 = none) of each cluster of the last <see cref="Compute"/>, in the clusters' order.</summary>
    public ReadOnlySpan<int> LastClusterCells => _clusterCells.AsSpan(0, _clusterCellCount);

    /// <summary>
    /// The frame's metrics (and with <paramref name="perCell"/>, one row per cell). With <paramref name="binInto"/>
    /// the frame is also binned into it by the masks' bin factor, in the pass that sums the cells, for the next
    /// segmentation: the values
    /// <see cref="CellSegmenter.Bin(ReadOnlySpan{ushort}, int, int, ReadOnlySpan{ushort})"/> gives, without reading
    /// the frame again. That needs masks of this frame's size binned as the segmenter bins (<see cref="CanBinWhileSumming"/>).
    /// </summary>
    public FrameMetrics Compute(ReadOnlySpan<ushort> pixels, int width, int height, CellMasks? masks, ReadOnlySpan<Cluster> clusters,
        double pixelSizeUm, double clusterRadiusPx, int frameIndex, double timeS, double threshold, List<CellFrameMetrics>? perCell,
        BinnedFrame? binInto = null)
    {
        if (binInto is not null && !CanBinWhileSumming(masks, width, height, masks?.BinFactor ?? 0))
            throw new ArgumentException("binning while summing cells needs masks of the frame's size and bin factor", nameof(binInto));
        int cells = masks?.CellCount ?? 0;
        Ensure(width * height, cells + 1);
        if (_clusterCells.Length < clusters.Length) _clusterCells = new int[Math.Max(clusters.Length, 2 * _clusterCells.Length)];
        _clusterCellCount = clusters.Length;
        Array.Clear(_counted, 0, Words(width * height)); Array.Clear(_apertureCounted, 0, Words(width * height));
        Array.Clear(_cellSum, 0, cells + 1); Array.Clear(_cellCount, 0, cells + 1);
        Array.Clear(_clusterSum, 0, cells + 1); Array.Clear(_clusterPixels, 0, cells + 1); Array.Clear(_clusterOwn, 0, cells + 1);
        Array.Clear(_clusterCount, 0, cells + 1); Array.Clear(_clusterIntensity, 0, cells + 1); Array.Clear(_clusterArea, 0, cells + 1);
        Array.Clear(_membrane, 0, cells + 1); Array.Clear(_cytoplasm, 0, cells + 1); Array.Clear(_nucleus, 0, cells + 1);

        int r = (int)Math.Ceiling(clusterRadiusPx); double r2 = clusterRadiusPx * clusterRadiusPx;
        int inCells = 0; double areaSum = 0, intensitySum = 0;
        for (int k = 0; k < clusters.Length; k++)
        {
            if (k + PrefetchAhead < clusters.Length) PrefetchAperture(pixels, width, height, clusters[k + PrefetchAhead], 2 * r);
            var c = clusters[k];
            int cell = masks?.CellAt(c.X, c.Y) ?? 0;
            _clusterCells[k] = cell;
            areaSum += c.AreaPx; intensitySum += c.IntegratedIntensity;
            if (cell == 0) continue;
            inCells++;
            _clusterCount[cell]++; _clusterArea[cell] += c.AreaPx; _clusterIntensity[cell] += c.IntegratedIntensity;
            switch (masks!.CompartmentAt(c.X, c.Y))
            {
                case Compartment.Membrane: _membrane[cell]++; break;
                case Compartment.Nucleus: _nucleus[cell]++; break;
                default: _cytoplasm[cell]++; break;
            }
            int cx = (int)Math.Round(c.X), cy = (int)Math.Round(c.Y);
            // Where every bin under the wider (own-light) aperture is this cell's, no pixel needs its label looked up.
            bool allInCell = AllBinsAre(masks, cell, cx - 2 * r, cx + 2 * r, cy - 2 * r, cy + 2 * r, width, height);
            long discSum = 0, discPixels = 0;   // integers: the same exact sum as adding each pixel to the cell's double
            for (int y = Math.Max(0, cy - r); y <= Math.Min(height - 1, cy + r); y++)
            {
                double dy2 = (y - c.Y) * (y - c.Y);
                if (!DiscRow(c.X, dy2, r2, Math.Max(0, cx - r), Math.Min(width - 1, cx + r), out int xa, out int xb)) continue;
                for (int x = xa; x <= xb; x++)
                {
                    int i = y * width + x;
                    if (!Take(_counted, masks, cell, allInCell, x, y, i)) continue;
                    discSum += pixels[i]; discPixels++;
                }
            }
            _clusterSum[cell] += discSum; _clusterPixels[cell] += discPixels;
            _clusterOwn[cell] += OwnLight(pixels, width, height, masks, c, cell, 2 * clusterRadiusPx, allInCell);
        }

        // After the apertures, not before: streaming the whole frame through the cache would evict the just-cleared
        // bitmaps that the apertures mark (the order changes no result: the apertures never use these sums).
        if (masks is not null) SumPerCell(pixels, width, height, masks, binInto);
        else { _cellSum[0] = SumOf(pixels[..(width * height)]); _cellCount[0] = (long)width * height; }
        double background = _cellCount[0] > 0 ? _cellSum[0] / _cellCount[0] : 0;

        double um2PerPx = pixelSizeUm * pixelSizeUm;
        double totalArea = 0, totalIn = 0, totalCell = 0, totalOwn = 0; long totalInPx = 0, totalCellPx = 0;
        for (int cell = 1; cell <= cells; cell++)
        {
            double areaUm2 = _cellCount[cell] * um2PerPx;
            double cellSignal = _cellSum[cell] - background * _cellCount[cell];
            double inSignal = _clusterSum[cell] - background * _clusterPixels[cell];
            long outPx = _cellCount[cell] - _clusterPixels[cell];
            double meanIn = _clusterPixels[cell] > 0 ? inSignal / _clusterPixels[cell] : double.NaN;
            double meanOut = outPx > 0 ? (cellSignal - inSignal) / outPx : double.NaN;
            totalOwn += _clusterOwn[cell];
            totalArea += areaUm2; totalIn += inSignal; totalCell += cellSignal; totalInPx += _clusterPixels[cell]; totalCellPx += _cellCount[cell];
            perCell?.Add(new CellFrameMetrics(frameIndex, timeS, cell, areaUm2, _cellCount[cell] > 0 ? _cellSum[cell] / _cellCount[cell] : 0,
                _clusterCount[cell], areaUm2 > 0 ? _clusterCount[cell] / areaUm2 : 0,
                _clusterCount[cell] > 0 ? _clusterArea[cell] / _clusterCount[cell] : double.NaN,
                _clusterCount[cell] > 0 ? _clusterIntensity[cell] / _clusterCount[cell] : double.NaN,
                meanIn / meanOut, cellSignal > 0 ? _clusterOwn[cell] / cellSignal : double.NaN,
                _membrane[cell], _cytoplasm[cell], _nucleus[cell]));
        }
        double pooledIn = totalInPx > 0 ? totalIn / totalInPx : double.NaN;
        double pooledOut = totalCellPx - totalInPx > 0 ? (totalCell - totalIn) / (totalCellPx - totalInPx) : double.NaN;
        return new FrameMetrics(frameIndex, timeS, clusters.Length, inCells, cells, totalArea, totalArea > 0 ? inCells / totalArea : 0,
            clusters.Length > 0 ? areaSum / clusters.Length : double.NaN, clusters.Length > 0 ? intensitySum / clusters.Length : double.NaN,
            cells > 0 ? pooledIn / pooledOut : double.NaN, cells > 0 && totalCell > 0 ? totalOwn / totalCell : double.NaN, threshold);
    }

    /// <summary>A cluster's light above its local level over a disc of <paramref name="radiusPx"/>, each pixel counted for one cluster only.</summary>
    private double OwnLight(ReadOnlySpan<ushort> pixels, int width, int height, CellMasks masks, in Cluster c, int cell, double radiusPx, bool allInCell)
    {
        int r = (int)Math.Ceiling(radiusPx); double r2 = radiusPx * radiusPx, sum = 0;
        int cx = (int)Math.Round(c.X), cy = (int)Math.Round(c.Y);
        for (int y = Math.Max(0, cy - r); y <= Math.Min(height - 1, cy + r); y++)
        {
            double dy2 = (y - c.Y) * (y - c.Y);
            if (!DiscRow(c.X, dy2, r2, Math.Max(0, cx - r), Math.Min(width - 1, cx + r), out int xa, out int xb)) continue;
            for (int x = xa; x <= xb; x++)
            {
                int i = y * width + x;
                if (!Take(_apertureCounted, masks, cell, allInCell, x, y, i)) continue;
                sum += pixels[i] - c.Background;
            }
        }
        return sum;
    }

    /// <summary>
    /// Whether every pixel of the box (clamped to the frame) has label <paramref name="cell"/>: labels are constant
    /// over a bin, so this looks at the few bins the box covers, as <see cref="CellAt"/> maps pixels to them.
    /// </summary>
    private static bool AllBinsAre(CellMasks masks, int cell, int x0, int x1, int y0, int y1, int width, int height)
    {
        int f = masks.BinFactor;
        int bx0 = Math.Min(Math.Max(0, x0) / f, masks.BinnedWidth - 1), bx1 = Math.Min(Math.Min(width - 1, x1) / f, masks.BinnedWidth - 1);
        int by0 = Math.Min(Math.Max(0, y0) / f, masks.BinnedHeight - 1), by1 = Math.Min(Math.Min(height - 1, y1) / f, masks.BinnedHeight - 1);
        var labels = masks.Labels;
        for (int by = by0; by <= by1; by++)
            for (int bx = bx0; bx <= bx1; bx++)
                if (labels[by * masks.BinnedWidth + bx] != cell) return false;
        return true;
    }

    /// <summary>
    /// Clusters come in detector order (by response), so each aperture reads rows of the frame no recent one did:
    /// cache misses. The rows of the aperture a few clusters ahead are requested early; the order (which decides who
    /// counts a pixel where apertures overlap) stays the detector's.
    /// </summary>
    private const int PrefetchAhead = 6;

    private static unsafe void PrefetchAperture(ReadOnlySpan<ushort> pixels, int width, int height, in Cluster c, int r)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        int cx = (int)Math.Round(c.X), cy = (int)Math.Round(c.Y);
        int x0 = Math.Clamp(cx - r, 0, width - 1), x1 = Math.Clamp(cx + r, 0, width - 1);
        fixed (ushort* p = pixels)
            for (int y = Math.Max(0, cy - r); y <= Math.Min(height - 1, cy + r); y++)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + (long)y * width + x0);
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + (long)y * width + x1);   // the row may cross a cache line
            }
    }

    /// <summary>
    /// The pixels x in [lo, hi] of one disc row, those with (x − cx)² + dy² ≤ r²: an interval, found from the square
    /// root and settled at its ends by that same test, so exactly the pixels a per-pixel test keeps (without its
    /// branch per pixel, which the sub-pixel centres made unpredictable). False when the row has none.
    /// </summary>
    private static bool DiscRow(double cx, double dy2, double r2, int lo, int hi, out int first, out int last)
    {
        first = lo; last = hi;
        if (dy2 > r2 || lo > hi) return false;
        double half = Math.Sqrt(r2 - dy2);
        first = Math.Clamp((int)Math.Ceiling(cx - half), lo, hi + 1);
        last = Math.Clamp((int)Math.Floor(cx + half), lo - 1, hi);
        while (first > lo && In(first - 1)) first--;
        while (first <= hi && !In(first)) first++;
        while (last < hi && In(last + 1)) last++;
        while (last >= lo && !In(last)) last--;
        return first <= last;

        bool In(int x) => (x - cx) * (x - cx) + dy2 <= r2;
    }

    private static int Words(int pixels) => (pixels + 63) / 64;

    /// <summary>
    /// Whether pixel (x, y), index <paramref name="i"/>, is taken now for a cluster of <paramref name="cell"/> and marked
    /// in <paramref name="bits"/>: it must be of that cell (every pixel is, with <paramref name="allInCell"/>) and not
    /// marked yet. A pixel of another cell or outside stays unmarked, for a cluster of its own cell whose disc also
    /// covers it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Take(ulong[] bits, CellMasks masks, int cell, bool allInCell, int x, int y, int i)
        => (allInCell || CellAt(masks, x, y) == cell) && Mark(bits, i);

    /// <summary>Sets pixel <paramref name="i"/>'s bit; false when it was set already.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Mark(ulong[] bits, int i)
    {
        ulong word = bits[i >> 6], bit = 1UL << i;   // shifts by i mod 64
        bits[i >> 6] = word | bit;
        return (word & bit) == 0;
    }

    /// <summary>The label of a whole pixel: <see cref="CellMasks.CellAt"/> without its rounding.</summary>
    private static int CellAt(CellMasks masks, int x, int y)
    {
        int f = masks.BinFactor;
        return masks.Labels[Math.Min(y / f, masks.BinnedHeight - 1) * masks.BinnedWidth + Math.Min(x / f, masks.BinnedWidth - 1)];
    }

    private void Ensure(int pixels, int labels)
    {
        if (_counted.Length < Words(pixels)) { _counted = new ulong[Words(pixels)]; _apertureCounted = new ulong[Words(pixels)]; }
        if (_cellSum.Length < labels)
        {
            _cellSum = new double[labels]; _clusterSum = new double[labels]; _clusterIntensity = new double[labels]; _clusterArea = new double[labels];
            _clusterOwn = new double[labels];
            _cellCount = new long[labels]; _clusterPixels = new long[labels];
            _clusterCount = new int[labels]; _membrane = new int[labels]; _cytoplasm = new int[labels]; _nucleus = new int[labels];
        }
    }
}
