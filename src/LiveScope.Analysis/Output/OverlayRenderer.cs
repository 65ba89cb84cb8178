using LiveScope.Analysis.Cells;
using LiveScope.Analysis.Detection;

namespace LiveScope.Analysis.Output;

/// <summary>
/// An overlay preview: the frame contrast-stretched between its 0.5th and 99.8th percentiles, each cluster marked
/// by a yellow circle of the expected diameter, cell outlines in cyan. Optionally downscaled for large frames.
/// </summary>
public static class OverlayRenderer
{
    public static byte[] Render(ReadOnlySpan<ushort> pixels, int width, int height, ReadOnlySpan<Cluster> clusters,
        double circleRadiusPx, CellMasks? cells = null)
    {
        var rgb = new byte[width * height * 3];
        Render(pixels, width, height, clusters, circleRadiusPx, cells, rgb, new int[65536]);
        return rgb;
    }

    /// <summary>Renders into <paramref name="rgb"/> (at least width × height × 3 bytes) using <paramref name="histogram"/> (65 536 counts) as scratch.</summary>
    public static void Render(ReadOnlySpan<ushort> pixels, int width, int height, ReadOnlySpan<Cluster> clusters,
        double circleRadiusPx, CellMasks? cells, byte[] rgb, int[] histogram)
    {
        if (rgb.Length < width * height * 3) throw new ArgumentException("fewer bytes than width × height × 3", nameof(rgb));
        Array.Clear(histogram);
        foreach (var v in pixels.Slice(0, width * height)) histogram[v]++;
        int lo = Percentile(histogram, width * height, 0.005), hi = Math.Max(lo + 1, Percentile(histogram, width * height, 0.998));
        double scale = 255.0 / (hi - lo);
        for (int i = 0; i < width * height; i++)
        {
            byte g = (byte)Math.Clamp((pixels[i] - lo) * scale, 0, 255);
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = g;
        }
        if (cells is not null)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    // A cell's edge pixel has a neighbour (one mask cell away, on any side) outside that cell.
                    int l = cells.CellAt(x, y), b = cells.BinFactor;
                    if (l != 0 && (cells.CellAt(x + b, y) != l || cells.CellAt(x - b, y) != l
                                   || cells.CellAt(x, y + b) != l || cells.CellAt(x, y - b) != l))
                        Put(rgb, width, height, x, y, 0, 200, 255);
                }
        double r = Math.Max(2, circleRadiusPx);
        int steps = Math.Max(16, (int)(2 * Math.PI * r * 1.5));
        foreach (var c in clusters)
            for (int s = 0; s < steps; s++)
            {
                double a = 2 * Math.PI * s / steps;
                Put(rgb, width, height, (int)Math.Round(c.X + r * Math.Cos(a)), (int)Math.Round(c.Y + r * Math.Sin(a)), 255, 220, 0);
            }
    }

    private static void Put(byte[] rgb, int width, int height, int x, int y, byte r, byte g, byte b)
    {
        if ((uint)x >= (uint)width || (uint)y >= (uint)height) return;
        int i = 3 * (y * width + x);
        rgb[i] = r; rgb[i + 1] = g; rgb[i + 2] = b;
    }

    private static int Percentile(int[] histogram, int total, double q)
    {
        long target = (long)(q * total), seen = 0;
        for (int v = 0; v < histogram.Length; v++) { seen += histogram[v]; if (seen > target) return v; }
        return histogram.Length - 1;
    }
}
