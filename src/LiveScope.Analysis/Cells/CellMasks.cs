namespace LiveScope.Analysis.Cells;

public enum Compartment { None = 0, Membrane = 1, Cytoplasm = 2, Nucleus = 3 }

/// <summary>
/// Cell labels (0 = no cell, 1..CellCount) and compartments on a binned grid; queried at full-resolution pixel
/// coordinates. Immutable once built, so frames that arrive between segmentations can share it.
/// </summary>
public sealed class CellMasks
{
    internal CellMasks(int width, int height, int binFactor, int binnedWidth, int binnedHeight, int[] labels, byte[] compartments, int cellCount)
    {
        Width = width; Height = height; BinFactor = binFactor; BinnedWidth = binnedWidth; BinnedHeight = binnedHeight;
        Labels = labels; Compartments = compartments; CellCount = cellCount;
        var area = new int[cellCount + 1];
        foreach (int l in labels) area[l]++;
        CellAreaBinnedPx = area;
    }

    public int Width { get; }
    public int Height { get; }
    public int BinFactor { get; }
    public int BinnedWidth { get; }
    public int BinnedHeight { get; }
    public int CellCount { get; }
    /// <summary>Binned labels, row-major BinnedWidth × BinnedHeight.</summary>
    public int[] Labels { get; }
    /// <summary>Binned <see cref="Compartment"/> values.</summary>
    public byte[] Compartments { get; }
    /// <summary>Area of each label in binned pixels (index 0 = outside cells).</summary>
    public int[] CellAreaBinnedPx { get; }

    public double CellAreaPx(int cell) => CellAreaBinnedPx[cell] * (double)BinFactor * BinFactor;

    public int CellAt(double x, double y) => Labels[BinnedIndex(x, y)];
    public Compartment CompartmentAt(double x, double y) => (Compartment)Compartments[BinnedIndex(x, y)];

    private int BinnedIndex(double x, double y)
    {
        int bx = Math.Clamp((int)Math.Round(x) / BinFactor, 0, BinnedWidth - 1);
        int by = Math.Clamp((int)Math.Round(y) / BinFactor, 0, BinnedHeight - 1);
        return by * BinnedWidth + bx;
    }
}
