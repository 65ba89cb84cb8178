using LiveScope.Analysis.Detection;

namespace LiveScope.Analysis.Tests.Simulator;

/// <summary>
/// Edge-response test of SIFT (Lowe 2004, §4.1) applied after detection: a DoG maximum on a ridge (a membrane rim)
/// has one large and one small principal curvature; a spot has two similar ones. Kept when tr(H)²/det(H) &lt; (r+1)²/r.
/// Computed here from the pixels around each detection, to measure what the detector would gain from it.
/// </summary>
public static class RidgeTest
{
    public static bool IsSpot(ReadOnlySpan<ushort> pixels, int width, int height, Cluster c, double diameterPx, double maxRatio = 10)
    {
        double s1 = diameterPx / (1 + Math.Sqrt(2)), s2 = Math.Sqrt(2) * s1;
        int cx = (int)Math.Round(c.X), cy = (int)Math.Round(c.Y);
        Span<double> d = stackalloc double[9];
        for (int j = -1; j <= 1; j++)
            for (int i = -1; i <= 1; i++)
                d[(j + 1) * 3 + i + 1] = Blur(pixels, width, height, cx + i, cy + j, s1) - Blur(pixels, width, height, cx + i, cy + j, s2);
        double dxx = d[3] - 2 * d[4] + d[5], dyy = d[1] - 2 * d[4] + d[7], dxy = (d[8] - d[6] - d[2] + d[0]) / 4;
        double tr = dxx + dyy, det = dxx * dyy - dxy * dxy;
        return det > 0 && tr * tr / det < (maxRatio + 1) * (maxRatio + 1) / maxRatio;
    }

    private static double Blur(ReadOnlySpan<ushort> p, int w, int h, int x, int y, double sigma)
    {
        int r = (int)Math.Ceiling(3 * sigma);
        double sum = 0, norm = 0;
        for (int j = -r; j <= r; j++)
            for (int i = -r; i <= r; i++)
            {
                double g = Math.Exp(-(i * i + j * j) / (2 * sigma * sigma));
                int xx = Math.Clamp(x + i, 0, w - 1), yy = Math.Clamp(y + j, 0, h - 1);
                sum += g * p[yy * w + xx]; norm += g;
            }
        return sum / norm;
    }
}
