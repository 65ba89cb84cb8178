using System.Runtime.CompilerServices;
using LiveScope.Adaptive.Rules;

namespace LiveScope.Adaptive.Actions;

/// <summary>
/// Whether a cluster has another within a distance, for every candidate in one pass: the frame's clusters are put in
/// square buckets at least that distance wide, so each question looks at the 3×3 buckets around the candidate
/// instead of all clusters (a 2048² frame holds thousands; candidate × all pairs took tens of milliseconds when every
/// cluster was a candidate). The buckets are reused between calls: nothing is allocated once they have grown.
/// Not thread-safe.
/// </summary>
internal sealed class ClearanceGrid
{
    /// <summary>Buckets are at least this wide, so a small clearance does not make a grid of millions of buckets.</summary>
    private const double MinBucketPx = 8;

    private int[] _head = [], _stamp = [], _next = [];
    private IReadOnlyList<WatchedCluster> _clusters = [];
    private int _columns, _rows, _current;
    private double _bucket, _distanceSq;

    /// <summary>
    /// A grid with room for frames of this size at the smallest bucket and for this many clusters, so a bleach does
    /// not have to make room on the decision path.
    /// </summary>
    public ClearanceGrid(int width = 0, int height = 0, int expectedClusters = 0)
    {
        var (columns, rows) = Size(width, height, MinBucketPx);
        if (width > 0 && height > 0) { _head = new int[columns * rows]; _stamp = new int[columns * rows]; }
        _next = new int[Math.Max(0, expectedClusters)];
    }

    /// <summary>Columns and rows of buckets of the given width over a frame.</summary>
    private static (int Columns, int Rows) Size(int width, int height, double bucket) =>
        ((int)(Math.Max(1, width) / bucket) + 1, (int)(Math.Max(1, height) / bucket) + 1);

    /// <summary>Buckets <paramref name="clusters"/> (positions in px on a frame of the given size) for questions about <paramref name="distancePx"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Build(IReadOnlyList<WatchedCluster> clusters, double distancePx, int width, int height)
    {
        _clusters = clusters;
        _distanceSq = distancePx * distancePx;
        _bucket = Math.Max(MinBucketPx, distancePx);
        (_columns, _rows) = Size(width, height, _bucket);
        if (_head.Length < _columns * _rows)
        {
            _head = new int[_columns * _rows];
            _stamp = new int[_head.Length];
            _current = 0;
        }
        if (_next.Length < clusters.Count) _next = new int[Math.Max(clusters.Count, 2 * _next.Length)];
        if (++_current == int.MaxValue) { Array.Clear(_stamp); _current = 1; }
        for (int i = 0; i < clusters.Count; i++)
        {
            int b = Bucket(clusters[i].XPx, clusters[i].YPx);
            if (_stamp[b] != _current) { _stamp[b] = _current; _head[b] = -1; }
            _next[i] = _head[b];
            _head[b] = i;
        }
    }

    /// <summary>Whether a cluster of another track lies closer than the distance to <paramref name="c"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool HasNeighbour(in WatchedCluster c)
    {
        int bx = Column(c.XPx), by = Row(c.YPx);
        for (int y = Math.Max(0, by - 1); y <= Math.Min(_rows - 1, by + 1); y++)
            for (int x = Math.Max(0, bx - 1); x <= Math.Min(_columns - 1, bx + 1); x++)
            {
                int b = y * _columns + x;
                if (_stamp[b] != _current) continue;
                for (int k = _head[b]; k >= 0; k = _next[k])
                {
                    var o = _clusters[k];
                    double dx = o.XPx - c.XPx, dy = o.YPx - c.YPx;
                    if (o.TrackId != c.TrackId && dx * dx + dy * dy < _distanceSq) return true;
                }
            }
        return false;
    }

    private int Column(double x) => Math.Clamp((int)Math.Floor(x / _bucket), 0, _columns - 1);
    private int Row(double y) => Math.Clamp((int)Math.Floor(y / _bucket), 0, _rows - 1);
    private int Bucket(double x, double y) => Row(y) * _columns + Column(x);
}
