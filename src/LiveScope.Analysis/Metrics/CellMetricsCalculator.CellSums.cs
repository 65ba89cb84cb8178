using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LiveScope.Analysis.Cells;

namespace LiveScope.Analysis.Metrics;

/// <summary>The per-cell sums over the whole frame (every pixel, every frame: the part of the metrics that reads it all).</summary>
public sealed partial class CellMetricsCalculator
{
    private uint[] _columnSum = [], _binSum = [];

    /// <summary>
    /// Whether <see cref="Compute"/> can bin the frame by <paramref name="binFactor"/> while it sums the cells of
    /// <paramref name="masks"/>: its bins must be the segmenter's blocks, and a block's sum exact in a float (as
    /// ImageOps.Bin has it; larger factors bin in float there).
    /// </summary>
    public static bool CanBinWhileSumming(CellMasks? masks, int width, int height, int binFactor) =>
        masks is not null && masks.Width == width && masks.Height == height && masks.BinFactor == binFactor
        && (long)binFactor * binFactor * ushort.MaxValue < 1 << 24;

    /// <summary>
    /// Sum and pixel count of every label. Labels are constant over each bin (f×f pixels), so each bin's sum is made
    /// first, then added to its label's run; a run is added once: integer sums (exact in a double below 2^53), so
    /// exactly what adding pixel by pixel gives. Full-resolution rows or columns beyond the binned grid (masks of
    /// another size) fall into its last row or column, as CellAt has it.
    /// With <paramref name="binInto"/> (masks of the frame's size) each bin's sum, divided by its pixel count, is
    /// also its binned mean: the same integer sum and division as ImageOps.Bin, so the same float.
    /// </summary>
    private void SumPerCell(ReadOnlySpan<ushort> pixels, int width, int height, CellMasks masks, BinnedFrame? binInto)
    {
        int f = masks.BinFactor, bw = masks.BinnedWidth, bh = masks.BinnedHeight;
        if (_columnSum.Length < width) { _columnSum = new uint[width]; _binSum = new uint[width / 4]; }
        var columnSum = _columnSum.AsSpan(0, width);
        var binSum = _binSum.AsSpan();   // bins of the 4×4 fast path
        var labels = masks.Labels;
        binInto?.Prepare(width, height, f);
        var mean = binInto is null ? default : binInto.Mean.AsSpan();
        // The default 4×4 bins of masks made for this frame size: whole 32-column stretches of each bin row at once.
        int fastColumns = f == 4 && Avx2.IsSupported && bw == (width + 3) / 4 ? width / 32 * 32 : 0;
        for (int by = 0; by < bh; by++)
        {
            int y0 = Math.Min(by * f, height), y1 = by == bh - 1 ? height : Math.Min(y0 + f, height);
            if (y1 <= y0) continue;
            int done = y1 - y0 == 4 ? fastColumns : 0;
            var meanRow = mean.IsEmpty ? default : mean.Slice(by * bw, bw);
            if (done > 0) BinSums4x4(pixels, width, y0, done, binSum, meanRow);
            // The other columns: the rows added column-wise (vector adds), then each bin adds its columns.
            if (done < width)
            {
                var rest = columnSum[done..];
                rest.Clear();
                for (int y = y0; y < y1; y++) ImageOps.AddRow(pixels.Slice(y * width + done, width - done), rest);
            }
            int fastBins = done / f;
            var rowLabels = labels.AsSpan(by * bw, bw);
            // Neighbouring bins mostly share a label: a run is summed in integers and added to its label once.
            int runLabel = rowLabels[0]; ulong runSum = 0; long runCount = 0;
            for (int bx = 0; bx < bw; bx++)
            {
                int x0 = Math.Min(bx * f, width), x1 = bx == bw - 1 ? width : Math.Min(x0 + f, width);
                if (x1 <= x0) continue;
                ulong sum = 0;
                if (bx < fastBins) sum = binSum[bx];   // and its mean is written
                else
                {
                    for (int x = x0; x < x1; x++) sum += columnSum[x];
                    if (!meanRow.IsEmpty) meanRow[bx] = (float)(uint)sum / ((x1 - x0) * (y1 - y0));
                }
                int l = rowLabels[bx];
                if (l != runLabel) { _cellSum[runLabel] += runSum; _cellCount[runLabel] += runCount; runLabel = l; runSum = 0; runCount = 0; }
                runSum += sum; runCount += (long)(x1 - x0) * (y1 - y0);
            }
            _cellSum[runLabel] += runSum; _cellCount[runLabel] += runCount;
        }
    }

    /// <summary>
    /// The sums of the 4×4 bins of frame rows y0..y0+3 over the first <paramref name="columns"/> columns (a multiple
    /// of 32), into binSum[0..columns/4). Each pixel, less 32768, is a signed 16-bit value, so one multiply-add with
    /// ones (pmaddwd) sums neighbouring pixel pairs into 32-bit lanes; the four rows' pair sums are added, a horizontal
    /// add makes the bins, and the offset (16 · 32768 per bin) is added back: exact integers, the scalar sums.
    /// The frame is read once, without the column sums' round trips through memory. With <paramref name="meanRow"/>
    /// the bins' means go there too: the sum (below 2^24, exact in a float) divided by 16, as ImageOps.Bin divides.
    /// </summary>
    private static unsafe void BinSums4x4(ReadOnlySpan<ushort> pixels, int width, int y0, int columns, Span<uint> binSum, Span<float> meanRow)
    {
        var toSigned = Vector256.Create(unchecked((short)0x8000));
        var ones = Vector256.Create((short)1);
        var offset = Vector256.Create(16 * 32768);
        var pixelsPerBin = Vector256.Create(16f);
        bool withMeans = !meanRow.IsEmpty;
        fixed (ushort* frame = pixels)
        fixed (uint* bins = binSum)
        fixed (float* means = meanRow)
        {
            short* r0 = (short*)(frame + (long)y0 * width), r1 = r0 + width, r2 = r1 + width, r3 = r2 + width;
            for (int x = 0; x < columns; x += 32)
            {
                var low = Pairs(r0 + x) + Pairs(r1 + x) + Pairs(r2 + x) + Pairs(r3 + x);               // columns x..x+15
                var high = Pairs(r0 + x + 16) + Pairs(r1 + x + 16) + Pairs(r2 + x + 16) + Pairs(r3 + x + 16);
                // Per 128-bit half: [low bins 0,1 | high bins 4,5] and [low bins 2,3 | high bins 6,7]; put them in order.
                var mixed = Avx2.HorizontalAdd(low, high);
                var ordered = Avx2.Permute4x64(mixed.AsInt64(), 0b11_01_10_00).AsInt32();
                var sums = ordered + offset;
                sums.AsUInt32().Store(bins + x / 4);
                if (withMeans) (Avx.ConvertToVector256Single(sums) / pixelsPerBin).Store(means + x / 4);
            }
        }

        Vector256<int> Pairs(short* p) => Avx2.MultiplyAddAdjacent(Avx.LoadVector256(p) ^ toSigned, ones);
    }

    private static double SumOf(ReadOnlySpan<ushort> pixels)
    {
        ulong total = 0;
        const int Chunk = 1 << 16;   // a uint lane adds at most 65536 / lanes values below 2^16 per chunk: no overflow
        Span<uint> partial = stackalloc uint[Vector<uint>.Count * 2];
        for (int start = 0; start < pixels.Length; start += Chunk)
        {
            var chunk = pixels.Slice(start, Math.Min(Chunk, pixels.Length - start));
            partial.Clear();
            int x = 0, step = Vector<ushort>.Count;
            if (Vector.IsHardwareAccelerated)
            {
                var sums = MemoryMarshal.Cast<uint, Vector<uint>>(partial);
                for (; x + step <= chunk.Length; x += step)
                {
                    Vector.Widen(new Vector<ushort>(chunk.Slice(x, step)), out var low, out var high);
                    sums[0] += low; sums[1] += high;
                }
            }
            foreach (uint p in partial) total += p;
            for (; x < chunk.Length; x++) total += chunk[x];
        }
        return total;
    }
}
