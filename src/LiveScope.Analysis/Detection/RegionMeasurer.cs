namespace LiveScope.Analysis.Detection;

/// <summary>
/// Measures one cluster in a small box around it: local background as the median of the box's border, the region
/// as the pixels 8-connected to the peak above half-maximum over that background, its area, integrated intensity
/// over background, peak and circularity 4πA/P² with a Crofton perimeter (π/4 × pixel edges on the boundary,
/// unbiased for discs). The box is copied once (edges replicated) and everything reads the copy. All buffers are
/// sized once for the box.
/// </summary>
internal sealed class RegionMeasurer
{
    private readonly int _half, _side;
    private readonly float[] _border, _box;
    private readonly bool[] _inside;
    private readonly int[] _stack;

    public RegionMeasurer(double diameterPx)
    {
        _half = Math.Max(2, (int)Math.Ceiling(diameterPx));
        _side = 2 * _half + 1;
        _border = new float[4 * _side];
        _box = new float[_side * _side];
        _inside = new bool[_side * _side];
        _stack = new int[_side * _side];
    }

    public Cluster Measure(ReadOnlySpan<ushort> frame, int width, int height, int cx, int cy, float x, float y, float response)
    {
        int x0 = cx - _half, y0 = cy - _half, side = _side;
        var box = _box;
        for (int by = 0; by < side; by++)
        {
            var row = frame.Slice(Math.Clamp(y0 + by, 0, height - 1) * width, width);
            if (x0 >= 0 && x0 + side <= width)
                for (int bx = 0; bx < side; bx++) box[by * side + bx] = row[x0 + bx];
            else
                for (int bx = 0; bx < side; bx++) box[by * side + bx] = row[Math.Clamp(x0 + bx, 0, width - 1)];
        }
        int n = 0;
        for (int i = 0; i < side; i++)
        {
            _border[n++] = box[i];
            _border[n++] = box[(side - 1) * side + i];
            if (i > 0 && i < side - 1)
            {
                _border[n++] = box[i * side];
                _border[n++] = box[i * side + side - 1];
            }
        }
        float background = Median(_border.AsSpan(0, n));

        // The peak is the brightest pixel of the 3×3 around the maximum of the band-passed image.
        int px = _half, py = _half; float peak = float.MinValue;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
            {
                float v = box[(_half + dy) * side + _half + dx];
                if (v > peak) { peak = v; px = _half + dx; py = _half + dy; }
            }
        float level = background + 0.5f * (peak - background);

        Array.Clear(_inside);
        int top = 0, area = 0; double integrated = 0;
        _stack[top++] = py * side + px;
        _inside[_stack[0]] = true;
        while (top > 0)
        {
            int k = _stack[--top];
            int bx = k % side, by = k / side;
            area++; integrated += box[k] - background;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int nx = bx + dx, ny = by + dy;
                    if ((uint)nx >= (uint)side || (uint)ny >= (uint)side) continue;
                    int nk = ny * side + nx;
                    if (_inside[nk]) continue;
                    // The region stays inside the frame: replicated edge pixels are not part of it.
                    if ((uint)(x0 + nx) >= (uint)width || (uint)(y0 + ny) >= (uint)height) continue;
                    if (box[nk] <= level) continue;
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

    /// <summary>Median (mean of the middle two for an even count) by selection; reorders the span.</summary>
    internal static float Median(Span<float> values)
    {
        int n = values.Length, k = n / 2;
        float upper = Select(values, k);
        if (n % 2 == 1) return upper;
        float lower = values[0];                     // after selecting k, everything before it is ≤ values[k]
        for (int i = 1; i < k; i++) lower = Math.Max(lower, values[i]);
        return 0.5f * (lower + upper);
    }

    /// <summary>The k-th smallest (0-based); afterwards values[..k] ≤ values[k] ≤ values[k+1..] (quickselect).</summary>
    private static float Select(Span<float> values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            float pivot = values[(lo + hi) >>> 1];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j) { (values[i], values[j]) = (values[j], values[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else break;
        }
        return values[k];
    }
}
