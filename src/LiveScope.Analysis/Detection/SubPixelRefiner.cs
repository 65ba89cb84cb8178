namespace LiveScope.Analysis.Detection;

/// <summary>
/// Sub-pixel position of a maximum: the DoG response is recomputed directly on the 3×3 around the pixel (only at
/// accepted clusters, so the sweep need not keep its rows) and a parabola is fitted along x and along y.
/// </summary>
internal sealed class SubPixelRefiner
{
    private readonly GaussianKernel _g1, _g2;
    private readonly float[] _h1, _h2;    // horizontally blurred 3-column strips, (3 + 2·r2) rows

    public SubPixelRefiner(GaussianKernel g1, GaussianKernel g2)
    {
        _g1 = g1; _g2 = g2;
        _h1 = new float[(3 + 2 * g2.Radius) * 3];
        _h2 = new float[(3 + 2 * g2.Radius) * 3];
    }

    public (float Dx, float Dy) Refine(ReadOnlySpan<ushort> frame, int width, int height, int cx, int cy)
    {
        int r1 = _g1.Radius, r2 = _g2.Radius, rows = 3 + 2 * r2;
        for (int i = 0; i < rows; i++)
        {
            int sy = Math.Clamp(cy - 1 - r2 + i, 0, height - 1);
            var row = frame.Slice(sy * width, width);
            for (int c = 0; c < 3; c++)
            {
                int x = cx - 1 + c;
                float a = 0, b = 0;
                for (int j = -r2; j <= r2; j++)
                {
                    float v = row[Math.Clamp(x + j, 0, width - 1)];
                    b += _g2[j] * v;
                    if (j >= -r1 && j <= r1) a += _g1[j] * v;
                }
                _h1[i * 3 + c] = a; _h2[i * 3 + c] = b;
            }
        }
        Span<float> dog = stackalloc float[9];
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
            {
                float a = 0, b = 0;
                for (int j = -r2; j <= r2; j++)
                {
                    int i = r + r2 + j;
                    b += _g2[j] * _h2[i * 3 + c];
                    a += _g1[j] * _h1[i * 3 + c];
                }
                dog[r * 3 + c] = a - b;
            }
        return (Vertex(dog[3], dog[4], dog[5]), Vertex(dog[1], dog[4], dog[7]));
    }

    /// <summary>Vertex of the parabola through (−1,l), (0,c), (1,r), clamped to the pixel.</summary>
    private static float Vertex(float l, float c, float r)
    {
        float curvature = l - 2 * c + r;
        if (curvature >= 0) return 0;
        return Math.Clamp(0.5f * (l - r) / curvature, -0.5f, 0.5f);
    }
}
