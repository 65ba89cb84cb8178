namespace LiveScope.Analysis.Cells;

public enum Compartment { None = 0, Membrane = 1, Cytoplasm = 2, Nucleus = 3 }

/// <summary>
/// Cell labels (0 = no cell, 1..CellCount) and compartments on a binned grid; queried at full-resolution pixel
/// coordinates. Not changed once built, so frames that arrive between segmentations can share it, with one
/// exception: masks handed back to <see cref="CellSegmenter.Segment(BinnedFrame, CellSegmentationBuffers?, CellMasks?)"/>
/// for reuse are overwritten. <see cref="Pipeline.AnalysisPipeline"/> reuses its own masks that way (see its
/// <see cref="Pipeline.AnalysisPipeline.CellMasks"/>); <see cref="Clone"/> keeps a copy for longer.
/// </summary>
public sealed class CellMasks
{
    private int[] _area;   // by label; may be longer than CellCount + 1 when reused

    internal CellMasks(int width, int height, int binFactor, int binnedWidth, int binnedHeight)
    {
        Width = width; Height = height; BinFactor = binFactor; BinnedWidth = binnedWidth; BinnedHeight = binnedHeight;
        Labels = new int[binnedWidth * binnedHeight];
        Compartments = new byte[binnedWidth * binnedHeight];
        _area = [0];
    }

    public int Width { get; }
    public int Height { get; }
    public int BinFactor { get; }
    public int BinnedWidth { get; }
    public int BinnedHeight { get; }
    public int CellCount { get; private set; }
    /// <summary>Binned labels, row-major BinnedWidth × BinnedHeight.</summary>
    public int[] Labels { get; }
    /// <summary>Binned <see cref="Compartment"/> values.</summary>
    public byte[] Compartments { get; }
    /// <summary>Area of each label in binned pixels (index 0 = outside cells), CellCount + 1 values.</summary>
    public ReadOnlySpan<int> CellAreaBinnedPx => _area.AsSpan(0, CellCount + 1);

    public double CellAreaPx(int cell) => CellAreaBinnedPx[cell] * (double)BinFactor * BinFactor;

    public int CellAt(double x, double y) => Labels[BinnedIndex(x, y)];
    public Compartment CompartmentAt(double x, double y) => (Compartment)Compartments[BinnedIndex(x, y)];

    /// <summary>An independent copy (the pipeline overwrites the masks it has replaced; a copy is never touched).</summary>
    public CellMasks Clone()
    {
        var copy = new CellMasks(Width, Height, BinFactor, BinnedWidth, BinnedHeight);
        Labels.CopyTo(copy.Labels);
        Compartments.CopyTo(copy.Compartments);
        copy.Complete(CellCount);
        return copy;
    }

    /// <summary>Whether these masks can be rebuilt in place for a frame of this geometry.</summary>
    internal bool Fits(int width, int height, int binFactor, int binnedWidth, int binnedHeight) =>
        Width == width && Height == height && BinFactor == binFactor && BinnedWidth == binnedWidth && BinnedHeight == binnedHeight;

    /// <summary>Called once Labels and Compartments hold a segmentation: sets the cell count and areas.</summary>
    internal void Complete(int cellCount)
    {
        if (_area.Length < cellCount + 1) _area = new int[Math.Max(cellCount + 1, 2 * _area.Length)];
        var area = _area.AsSpan(0, cellCount + 1);
        area.Clear();
        foreach (int l in Labels) area[l]++;
        CellCount = cellCount;
    }

    private int BinnedIndex(double x, double y)
    {
        int bx = Math.Clamp((int)Math.Round(x) / BinFactor, 0, BinnedWidth - 1);
        int by = Math.Clamp((int)Math.Round(y) / BinFactor, 0, BinnedHeight - 1);
        return by * BinnedWidth + bx;
    }
}
