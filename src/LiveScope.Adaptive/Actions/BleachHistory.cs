using LiveScope.Core.Geometry;

namespace LiveScope.Adaptive.Actions;

/// <summary>
/// Where each position has been bleached, to count a cell's bleaches for <c>max_bleaches_per_cell</c>: a cell has
/// had as many bleaches as there are earlier bleach points inside its mask now. Segmentation labels are renumbered
/// between frames (and cells split or merge), so a count kept per label would follow the number, not the cell.
/// Used on the analysis thread only.
/// </summary>
public sealed class BleachHistory
{
    private readonly Dictionary<int, List<PixelPoint>> _points = new();

    public void Add(int position, double xPx, double yPx)
    {
        if (!_points.TryGetValue(position, out var points)) _points[position] = points = [];
        points.Add(new PixelPoint(xPx, yPx));
    }

    /// <summary>Bleaches inside cell <paramref name="cellId"/> of the current frame, whose cells <paramref name="cellAt"/> gives (0 = none).</summary>
    public int InCell(int position, int cellId, Func<double, double, int> cellAt)
    {
        if (cellId <= 0 || !_points.TryGetValue(position, out var points)) return 0;
        int n = 0;
        foreach (var p in points) if (cellAt(p.X, p.Y) == cellId) n++;
        return n;
    }
}
