using System.Numerics;
using System.Runtime.InteropServices;

namespace LiveScope.Analysis.Cells;

/// <summary>Small image operations on binned float images used by cell segmentation.</summary>
internal static class ImageOps
{
    public static (int BinnedWidth, int BinnedHeight) BinnedSize(int width, int height, int factor) =>
        ((width + factor - 1) / factor, (height + factor - 1) / factor);

    /// <summary>
    /// Mean of each factor×factor block into <paramref name="mean"/> (BinnedSize values; partial blocks at the edges
    /// average what they hold); <paramref name="columnSum"/> is scratch of at least <paramref name="width"/> values.
    /// </summary>
    public static void Bin(ReadOnlySpan<ushort> pixels, int width, int height, int factor, Span<float> mean, Span<uint> columnSum)
    {
        var (bw, bh) = BinnedSize(width, height, factor);
        // Block sums in integers (vector adds of whole rows, then f columns per block), divided once: the same floats as
        // adding the pixels in float while a block's sum stays exact in float (below 2^24: factor < 16).
        if ((long)factor * factor * ushort.MaxValue >= 1 << 24) { BinInFloat(pixels, width, height, factor, bw, bh, mean); return; }
        columnSum = columnSum[..width];
        for (int by = 0; by < bh; by++)
        {
            int y0 = by * factor, y1 = Math.Min(y0 + factor, height);
            columnSum.Clear();
            for (int y = y0; y < y1; y++) AddRow(pixels.Slice(y * width, width), columnSum);
            BinRow(columnSum, factor, y1 - y0, mean.Slice(by * bw, bw));
        }
    }

    /// <summary>
    /// One binned row from the column sums of its <paramref name="rows"/> frame rows: each block's integer sum divided
    /// once by its pixel count. The metrics' per-cell sum makes the same column sums, and bins with this while it has them.
    /// </summary>
    public static void BinRow(ReadOnlySpan<uint> columnSum, int factor, int rows, Span<float> meanRow)
    {
        int width = columnSum.Length;
        for (int bx = 0; bx < meanRow.Length; bx++)
        {
            int x0 = bx * factor, x1 = Math.Min(x0 + factor, width);
            uint sum = 0;
            for (int x = x0; x < x1; x++) sum += columnSum[x];
            meanRow[bx] = (float)sum / ((x1 - x0) * rows);
        }
    }

    private static void BinInFloat(ReadOnlySpan<ushort> pixels, int width, int height, int factor, int bw, int bh, Span<float> sum)
    {
        sum = sum[..(bw * bh)];
        sum.Clear();
        for (int y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * width, width);
            int by = y / factor * bw;
            for (int x = 0; x < width; x++) sum[by + x / factor] += row[x];
        }
        // Each block's pixel count, as the count of its additions would be.
        for (int by = 0; by < bh; by++)
            for (int bx = 0; bx < bw; bx++)
                sum[by * bw + bx] /= (Math.Min(bx * factor + factor, width) - bx * factor) * (Math.Min(by * factor + factor, height) - by * factor);
    }

    /// <summary>columnSum[x] += row[x] with vector adds (a uint column overflows only after 65537 rows).</summary>
    public static void AddRow(ReadOnlySpan<ushort> row, Span<uint> columnSum)
    {
        int x = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int step = Vector<ushort>.Count;
            var sums = MemoryMarshal.Cast<uint, Vector<uint>>(columnSum);
            for (; x + step <= row.Length; x += step)
            {
                Vector.Widen(new Vector<ushort>(row.Slice(x, step)), out var low, out var high);
                int v = x / Vector<uint>.Count;
                sums[v] += low; sums[v + 1] += high;
            }
        }
        for (; x < row.Length; x++) columnSum[x] += row[x];
    }

    /// <summary>
    /// Separable Gaussian with clamped edges, <paramref name="image"/> into <paramref name="result"/> (no kernel: a
    /// copy); <paramref name="tmp"/> (image size) and <paramref name="padded"/> (width + 2·radius) are scratch. Each
    /// output adds its taps in kernel order (−R..R), as a plain loop would; the vectors only do that for several
    /// neighbouring outputs at once, so the floats are the same.
    /// </summary>
    public static void GaussianBlur(ReadOnlySpan<float> image, int width, int height, Detection.GaussianKernel? kernel,
        Span<float> tmp, Span<float> result, Span<float> padded)
    {
        int n = width * height;
        image = image[..n]; tmp = tmp[..n]; result = result[..n];
        if (kernel is null) { image.CopyTo(result); return; }
        int radius = kernel.Radius;
        var weights = kernel.Weights;
        padded = padded[..(width + 2 * radius)];
        for (int y = 0; y < height; y++)
        {
            // The row with its edge pixels repeated R times either side: the clamp, paid once per row.
            var row = image.Slice(y * width, width);
            row.CopyTo(padded[radius..]);
            padded[..radius].Fill(row[0]);
            padded.Slice(radius + width, radius).Fill(row[width - 1]);
            var output = tmp.Slice(y * width, width);
            output.Clear();
            for (int j = 0; j <= 2 * radius; j++) MultiplyAdd(padded.Slice(j, width), weights[j], output);
        }
        for (int y = 0; y < height; y++)
        {
            var output = result.Slice(y * width, width);
            output.Clear();
            for (int j = -radius; j <= radius; j++)
                MultiplyAdd(tmp.Slice(Math.Clamp(y + j, 0, height - 1) * width, width), weights[j + radius], output);
        }
    }

    /// <summary>output[x] += weight · input[x] (a multiply then an add, never fused: the plain loop's rounding).</summary>
    private static void MultiplyAdd(ReadOnlySpan<float> input, float weight, Span<float> output)
    {
        int x = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = new Vector<float>(weight);
            for (; x + Vector<float>.Count <= output.Length; x += Vector<float>.Count)
            {
                var product = w * new Vector<float>(input.Slice(x, Vector<float>.Count));
                (new Vector<float>(output.Slice(x, Vector<float>.Count)) + product).CopyTo(output.Slice(x, Vector<float>.Count));
            }
        }
        for (; x < output.Length; x++) output[x] += weight * input[x];
    }

    /// <summary>Otsu's threshold over a 256-bin histogram of the values.</summary>
    public static double Otsu(ReadOnlySpan<float> values)
    {
        if (values.Length == 0) return 0;
        float min = values[0], max = values[0];
        foreach (var v in values) { min = Math.Min(min, v); max = Math.Max(max, v); }
        if (max <= min) return min;
        Span<double> hist = stackalloc double[256];
        hist.Clear();
        double scale = 255.999 / (max - min);
        foreach (var v in values) hist[(int)((v - min) * scale)]++;
        double total = values.Length, sumAll = 0;
        for (int i = 0; i < 256; i++) sumAll += i * hist[i];
        double wB = 0, sumB = 0, best = -1; int bestT = 0;
        for (int t = 0; t < 256; t++)
        {
            wB += hist[t]; if (wB == 0) continue;
            double wF = total - wB; if (wF == 0) break;
            sumB += t * hist[t];
            double mB = sumB / wB, mF = (sumAll - sumB) / wF, between = wB * wF * (mB - mF) * (mB - mF);
            if (between > best) { best = between; bestT = t; }
        }
        return min + (bestT + 1) / scale;
    }

    /// <summary>
    /// Li's minimum cross-entropy threshold (Li &amp; Tam 1998; CellProfiler's default for cells, scikit-image's
    /// threshold_li): iterates t ← (μ_back − μ_fore) / (ln μ_back − ln μ_fore), the means below and above t, on the values
    /// shifted to start at 0, from their mean until t moves less than <paramref name="tolerance"/> (default: 1/10 000 of
    /// the range). Unlike Otsu it is not pulled up by a long bright tail: on a field that is mostly dark background,
    /// Otsu put the threshold inside the dim part of the cells (cytoplasm, nuclei), and a cell cut by the frame's
    /// edge then lost its interior, which the border let out of the hole filling.
    /// </summary>
    public static double MinimumCrossEntropy(ReadOnlySpan<float> values, double tolerance = double.NaN)
    {
        if (values.Length == 0) return 0;
        float min = values[0], max = values[0];
        foreach (var v in values) { min = Math.Min(min, v); max = Math.Max(max, v); }
        if (max <= min) return min;
        if (!(tolerance > 0)) tolerance = (max - min) * 1e-4;
        double total = 0;
        foreach (var v in values) total += v - min;
        double next = total / values.Length, current = double.NegativeInfinity;
        for (int iteration = 0; iteration < 1000 && Math.Abs(next - current) > tolerance; iteration++)
        {
            current = next;
            double above = 0; int count = 0;
            foreach (var v in values)
                if (v - min > current) { above += v - min; count++; }
            if (count == 0 || count == values.Length) break;
            double meanFore = above / count, meanBack = (total - above) / (values.Length - count);
            if (meanBack <= 0) break;   // the background is all at the minimum: the logarithm has nothing to weigh
            next = (meanBack - meanFore) / (Math.Log(meanBack) - Math.Log(meanFore));
        }
        return min + next;
    }

    /// <summary>
    /// Chamfer (3-4) distance to the nearest pixel outside the mask, in pixels. With <paramref name="borderIsOutside"/>
    /// the image's border counts as outside; without it, what lies beyond the image is unknown and never nearest.
    /// </summary>
    public static void DistanceTransform(ReadOnlySpan<bool> mask, int width, int height, Span<float> d, bool borderIsOutside = true)
    {
        const float Inf = 1e9f, A = 1f, D = 1.3333f;   // 3-4 chamfer scaled to pixel units
        float o = borderIsOutside ? 0 : Inf;          // a neighbour beyond the border
        d = d[..(width * height)];
        for (int i = 0; i < d.Length; i++) d[i] = mask[i] ? Inf : 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x; if (d[i] == 0) continue;
                float left = x > 0 ? d[i - 1] : o, up = y > 0 ? d[i - width] : o;
                float upLeft = x > 0 && y > 0 ? d[i - width - 1] : o, upRight = x < width - 1 && y > 0 ? d[i - width + 1] : o;
                d[i] = Math.Min(d[i], Math.Min(Math.Min(left + A, up + A), Math.Min(upLeft + D, upRight + D)));
            }
        for (int y = height - 1; y >= 0; y--)
            for (int x = width - 1; x >= 0; x--)
            {
                int i = y * width + x; if (d[i] == 0) continue;
                float right = x < width - 1 ? d[i + 1] : o, down = y < height - 1 ? d[i + width] : o;
                float downRight = x < width - 1 && y < height - 1 ? d[i + width + 1] : o, downLeft = x > 0 && y < height - 1 ? d[i + width - 1] : o;
                d[i] = Math.Min(d[i], Math.Min(Math.Min(right + A, down + A), Math.Min(downRight + D, downLeft + D)));
            }
    }
}
