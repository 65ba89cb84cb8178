using LiveScope.Core.Imaging;

namespace LiveScope.Simulation.Devices;

/// <summary>Image sharpness scores for image-based autofocus.</summary>
public static class Sharpness
{
    /// <summary>
    /// Brenner gradient normalised by the squared mean: Σ (I(x+2) − I(x))² / (N·mean²). Blur lowers it; overall
    /// brightness (bleaching, power) does not change it.
    /// </summary>
    public static double Brenner(Frame frame)
    {
        int w = frame.Width, h = frame.Height;
        var p = frame.Pixels;
        double sum = 0, total = 0;
        long n = 0;
        for (int y = 0; y < h; y++)
        {
            var row = p.Slice(y * w, w);
            for (int x = 0; x + 2 < w; x++)
            {
                double d = row[x + 2] - row[x];
                sum += d * d;
                n++;
            }
            for (int x = 0; x < w; x++) total += row[x];
        }
        double mean = total / ((double)w * h);
        return mean > 0 && n > 0 ? sum / n / (mean * mean) : 0;
    }
}
