namespace LiveScope.Analysis.Detection;

/// <summary>
/// Measures one cluster in a small box around it: local background as the median of the box's border, the region
/// as the pixels 8-connected to the peak above half-maximum over that background, its area, integrated intensity
/// over background, peak and circularity 4πA/P² with a Crofton perimeter (π/4 × pixel edges on the boundary,
/// unbiased for discs). All buffers are sized once for the box.
/// </summary>
internal sealed class RegionMeasurer
{
    private readonly int _half, _side;
    private readonly float[] _border;
    private readonly bool[] _inside;
    private readonly int[] _stack;

    public RegionMeasurer(double diameterPx)
    {
        _half = Math.Max(2, (int)Math.Ceiling(diameterPx));
        _side = 2 * _half + 1;
        _border = new float[4 * _side];
        _inside = new bool[_side * _side];
        _stack = new int[_side * _side];
    }

    public Cluster Measure(ReadOnlySpan<ushort> frame, int width, int height, int cx, int cy, float x, float y, float response)
    {
        int x0 = cx - _half, y0 = cy - _half;
        int n = 0;
        for (int i = 0; i < _side; i++)
        {
            _border[n++] = Pixel(frame, width, height, x0 + i, y0);
            _border[n++] = Pixel(frame, width, height, x0 + i, y0 + _side - 1);
            if (i > 0 && i < _side - 1)
            {
                _border[n++] = Pixel(frame, width, height, x0, y0 + i);
                _border[n++] = Pixel(frame, width, height, x0 + _side - 1, y0 + i);
            }
        }
        var border = _border.AsSpan(0, n);
        border.Sort();
        float background = n % 2 == 1 ? border[n / 2] : 0.5f * (border[n / 2 - 1] + border[n / 2]);

        // The peak is the brightest pixel of the 3×3 around the maximum of the band-passed image.
        int px = cx, py = cy; float peak = float.MinValue;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
            {
                float v = Pixel(frame, width, height, cx + dx, cy + dy);
                if (v > peak) { peak = v; px = cx + dx; py = cy + dy; }
            }
        float level = background + 0.5f * (peak - background);

        Array.Clear(_inside);
        int top = 0, area = 0; double integrated = 0;
        _stack[top++] = (py - y0) * _side + (px - x0);
        _inside[_stack[0]] = true;
        while (top > 0)
        {
            int k = _stack[--top];
            int bx = k % _side, by = k / _side;
            float v = Pixel(frame, width, height, x0 + bx, y0 + by);
            area++; integrated += v - background;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int nx = bx + dx, ny = by + dy;
                    if ((uint)nx >= (uint)_side || (uint)ny >= (uint)_side) continue;
                    int nk = ny * _side + nx;
                    if (_inside[nk]) continue;
                    int fx = x0 + nx, fy = y0 + ny;
                    if ((uint)fx >= (uint)width || (uint)fy >= (uint)height) continue;
                    if (Pixel(frame, width, height, fx, fy) <= level) continue;
                    _inside[nk] = true;
                    _stack[top++] = nk;
                }
        }
        int edges = 0;
        for (int by = 0; by < _side; by++)
            for (int bx = 0; bx < _side; bx++)
            {
                if (!_inside[by * _side + bx]) continue;
                if (bx == 0 || !_inside[by * _side + bx - 1]) edges++;
                if (bx == _side - 1 || !_inside[by * _side + bx + 1]) edges++;
                if (by == 0 || !_inside[(by - 1) * _side + bx]) edges++;
                if (by == _side - 1 || !_inside[(by + 1) * _side + bx]) edges++;
            }
        double perimeter = Math.PI / 4 * edges;
        float circularity = (float)Math.Min(1.0, 4 * Math.PI * area / (perimeter * perimeter));
        return new Cluster(x, y, response, peak, background, (float)integrated, area, circularity);
    }

    private static float Pixel(ReadOnlySpan<ushort> frame, int width, int height, int x, int y)
        => frame[Math.Clamp(y, 0, height - 1) * width + Math.Clamp(x, 0, width - 1)];
}
