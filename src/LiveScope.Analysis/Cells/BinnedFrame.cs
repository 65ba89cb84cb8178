namespace LiveScope.Analysis.Cells;

/// <summary>
/// A frame (and optionally its nuclear channel) binned for <see cref="CellSegmenter.Segment(BinnedFrame)"/>. One from
/// <see cref="CellSegmenter.Bin(ReadOnlySpan{ushort}, int, int, ReadOnlySpan{ushort})"/> is never changed; the
/// analysis pipeline keeps one and re-bins into it, only while no segmentation is reading it.
/// </summary>
public sealed class BinnedFrame
{
    private float[] _mean = [], _nuclear = [];
    private uint[] _columnSum = [];
    private bool _hasNuclear;

    internal BinnedFrame() { }

    public int Width { get; private set; }
    public int Height { get; private set; }
    public int BinFactor { get; private set; }
    public int BinnedWidth { get; private set; }
    public int BinnedHeight { get; private set; }
    internal float[] Mean => _mean;
    internal float[]? Nuclear => _hasNuclear ? _nuclear : null;

    /// <summary>Sets the geometry and sizes <see cref="Mean"/> for it (exactly: its length is the binned image's).</summary>
    internal void Prepare(int width, int height, int binFactor)
    {
        (int bw, int bh) = ImageOps.BinnedSize(width, height, binFactor);
        Width = width; Height = height; BinFactor = binFactor; BinnedWidth = bw; BinnedHeight = bh;
        if (_mean.Length != bw * bh) _mean = new float[bw * bh];
        _hasNuclear = false;
    }

    /// <summary>The nuclear channel's binned buffer, from now on part of the frame.</summary>
    internal float[] NuclearBuffer()
    {
        if (_nuclear.Length != _mean.Length) _nuclear = new float[_mean.Length];
        _hasNuclear = true;
        return _nuclear;
    }

    /// <summary>Scratch for binning a frame <paramref name="width"/> pixels wide.</summary>
    internal uint[] ColumnSum(int width)
    {
        if (_columnSum.Length < width) _columnSum = new uint[width];
        return _columnSum;
    }
}
