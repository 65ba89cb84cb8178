namespace LiveScope.Analysis.Tracking;

/// <summary>
/// Minimum-cost assignment of n rows to m ≥ n columns (Hungarian method with potentials, shortest augmenting
/// paths as in Jonker–Volgenant; O(n²m)). Buffers are reused between calls.
/// </summary>
public sealed class LinearAssignment
{
    private double[] _u = [], _v = [], _minV = [];
    private int[] _p = [], _way = [];
    private bool[] _used = [];

    /// <summary>Solves for cost[row * columns + column]; writes each row's column into <paramref name="assignment"/>.</summary>
    public double Solve(ReadOnlySpan<double> cost, int rows, int columns, Span<int> assignment)
    {
        if (rows > columns) throw new ArgumentException("needs at least as many columns as rows");
        if (cost.Length < rows * columns) throw new ArgumentException("cost matrix too small", nameof(cost));
        Ensure(rows, columns);
        int n = rows, m = columns;
        Array.Clear(_u, 0, n + 1); Array.Clear(_v, 0, m + 1); Array.Clear(_p, 0, m + 1); Array.Clear(_way, 0, m + 1);
        for (int i = 1; i <= n; i++)
        {
            _p[0] = i;
            int j0 = 0;
            Array.Fill(_minV, double.PositiveInfinity, 0, m + 1);
            Array.Clear(_used, 0, m + 1);
            do
            {
                _used[j0] = true;
                int i0 = _p[j0], j1 = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= m; j++)
                {
                    if (_used[j]) continue;
                    double current = cost[(i0 - 1) * m + (j - 1)] - _u[i0] - _v[j];
                    if (current < _minV[j]) { _minV[j] = current; _way[j] = j0; }
                    if (_minV[j] < delta) { delta = _minV[j]; j1 = j; }
                }
                for (int j = 0; j <= m; j++)
                {
                    if (_used[j]) { _u[_p[j]] += delta; _v[j] -= delta; }
                    else _minV[j] -= delta;
                }
                j0 = j1;
            } while (_p[j0] != 0);
            do { int j1 = _way[j0]; _p[j0] = _p[j1]; j0 = j1; } while (j0 != 0);
        }
        double total = 0;
        for (int j = 1; j <= m; j++)
            if (_p[j] != 0) { assignment[_p[j] - 1] = j - 1; total += cost[(_p[j] - 1) * m + j - 1]; }
        return total;
    }

    private void Ensure(int n, int m)
    {
        if (_u.Length < n + 1) _u = new double[n + 1];
        if (_v.Length < m + 1) { _v = new double[m + 1]; _minV = new double[m + 1]; _p = new int[m + 1]; _way = new int[m + 1]; _used = new bool[m + 1]; }
    }
}
