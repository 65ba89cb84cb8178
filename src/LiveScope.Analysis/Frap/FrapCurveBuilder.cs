using LiveScope.Analysis.Cells;
using LiveScope.Core.Imaging;

namespace LiveScope.Analysis.Frap;

/// <summary>
/// Builds a <see cref="FrapCurve"/> from the frames around a bleach event: per frame the mean of the bleached ROI
/// (a disc), of the whole bleached cell (reference) and of the background (outside every cell). Frames must come
/// in time order; those at or after <c>bleachTimeS</c> are post-bleach. The frame is not kept.
/// </summary>
public sealed class FrapCurveBuilder
{
    private readonly double _roiX0, _roiY0, _roiRadiusPx, _bleachTimeS;
    private readonly CellMasks _cells;
    private readonly int _cellId;
    private readonly List<double> _times = [], _roi = [], _reference = [], _background = [], _roiX = [], _roiY = [];
    private FrapPoolRing? _ring;

    public FrapCurveBuilder(double roiXPx, double roiYPx, double roiRadiusPx, CellMasks cells, int cellId, double bleachTimeS)
    {
        if (!(roiRadiusPx > 0)) throw new ArgumentOutOfRangeException(nameof(roiRadiusPx), roiRadiusPx, "must be > 0 px");
        if (cellId < 1 || cellId > cells.CellCount) throw new ArgumentOutOfRangeException(nameof(cellId), cellId, $"cells are 1..{cells.CellCount}");
        (_roiX0, _roiY0, _roiRadiusPx, _cells, _cellId, _bleachTimeS) = (roiXPx, roiYPx, roiRadiusPx, cells, cellId, bleachTimeS);
    }

    public int Frames => _times.Count;

    /// <summary>
    /// Limits the reference to this compartment of the cell (None = the whole cell, easyFRAP's reference). The pool a
    /// cluster exchanges with is its compartment's; when the bleach depletes that pool more than the whole cell, a
    /// whole-cell reference under-corrects and the mobile fraction comes out low.
    /// </summary>
    public Compartment ReferenceCompartment { get; init; } = Compartment.None;

    /// <summary>
    /// Also measures the mean of a ring around the ROI's current centre, from <see cref="PoolRingInnerPx"/> to
    /// <see cref="PoolRingOuterPx"/> px (pixels of the reference cell only): the diffuse pool next to the cluster, the
    /// pool it exchanges with (<see cref="FrapCurve.LocalPool"/>). 0 = no ring.
    /// </summary>
    public double PoolRingOuterPx { get; init; }
    public double PoolRingInnerPx { get; init; }

    public void Add(Frame frame) => Add(frame.Pixels, frame.Width, frame.Height, frame.Metadata.Timestamp.TotalSeconds);

    public void Add(ReadOnlySpan<ushort> pixels, int width, int height, double timeS) => Add(pixels, width, height, timeS, _roiX0, _roiY0);

    /// <summary>One frame with the ROI at (<paramref name="roiXPx"/>, <paramref name="roiYPx"/>): an ROI that follows its cluster.</summary>
    public void Add(ReadOnlySpan<ushort> pixels, int width, int height, double timeS, double roiXPx, double roiYPx)
    {
        if (width != _cells.Width || height != _cells.Height) throw new ArgumentException("frame size differs from the cell masks'");
        if (_times.Count > 0 && timeS <= _times[^1]) throw new ArgumentException("frames must come in time order", nameof(timeS));
        double roiSum = 0, cellSum = 0, bgSum = 0; long roiN = 0, cellN = 0, bgN = 0;
        double r2 = _roiRadiusPx * _roiRadiusPx;
        if (PoolRingOuterPx > 0) _ring ??= new FrapPoolRing(PoolRingInnerPx, PoolRingOuterPx);
        _ring?.BeginFrame();
        int f = _cells.BinFactor;
        for (int y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * width, width);
            int rowStart = Math.Min(y / f, _cells.BinnedHeight - 1) * _cells.BinnedWidth;
            var labels = _cells.Labels.AsSpan(rowStart, _cells.BinnedWidth);
            var compartments = _cells.Compartments.AsSpan(rowStart, _cells.BinnedWidth);
            byte wanted = (byte)ReferenceCompartment;
            double dy2 = (y - roiYPx) * (y - roiYPx);
            for (int x = 0; x < width; x++)
            {
                int bx = Math.Min(x / f, _cells.BinnedWidth - 1);
                int label = labels[bx];
                double d2 = dy2 + (x - roiXPx) * (x - roiXPx);
                if (label == 0) { bgSum += row[x]; bgN++; }
                else if (label == _cellId)
                {
                    if (wanted == 0 || compartments[bx] == wanted) { cellSum += row[x]; cellN++; }
                    _ring?.Add(x - roiXPx, y - roiYPx, d2, row[x]);
                }
                if (d2 <= r2) { roiSum += row[x]; roiN++; }
            }
        }
        if (roiN == 0 || cellN == 0 || bgN == 0) throw new InvalidOperationException("the ROI, the cell or the background has no pixels in this frame");
        _times.Add(timeS); _roi.Add(roiSum / roiN); _reference.Add(cellSum / cellN); _background.Add(bgSum / bgN);
        _roiX.Add(roiXPx); _roiY.Add(roiYPx);
        _ring?.EndFrame();
    }

    public FrapCurve Build()
    {
        int post = _times.FindIndex(t => t >= _bleachTimeS);
        if (post < 0) throw new InvalidOperationException("no frame at or after the bleach");
        return Build(post);
    }

    /// <summary>
    /// The curve with frames from <paramref name="firstPostBleachIndex"/> on as post-bleach, whatever the bleach time
    /// given at construction: a FRAP series knows its split by frame count (pre_bleach_frames), not by clock.
    /// </summary>
    public FrapCurve Build(int firstPostBleachIndex)
    {
        if (firstPostBleachIndex < 0 || firstPostBleachIndex >= _times.Count)
            throw new ArgumentOutOfRangeException(nameof(firstPostBleachIndex), firstPostBleachIndex, $"{_times.Count} frames were added");
        int excluded = 0;
        var pool = _ring?.Means(_background, firstPostBleachIndex, out excluded);
        return new FrapCurve([.. _times], [.. _roi], [.. _reference], [.. _background], firstPostBleachIndex)
        {
            RoiXPx = [.. _roiX], RoiYPx = [.. _roiY], LocalPool = pool, LocalPoolSectorsLeftOut = excluded,
        };
    }
}
