namespace LiveScope.Analysis.Detection;

/// <summary>Region measurement of the kept clusters, split between the band workers.</summary>
public sealed unsafe partial class ClusterDetector
{
    /// <summary>How many of its clusters ahead a measuring worker prefetches the box of.</summary>
    private const int MeasurePrefetchClusters = 4;

    // Cluster indices in the order they are measured; for the in-sweep path, the cluster each selected peak became (−1: merged away).
    private readonly int[] _measureOrder;
    private int[] _clusterOfPeak = [];

    /// <summary>
    /// Measures every cluster. Clusters are kept strongest first, scattered over the frame, so each box's rows are
    /// cache misses; at full resolution they are measured in sweep order instead (the peaks' order: band, tile column,
    /// row), so consecutive boxes lie close together and share cached rows, each worker a contiguous share. The
    /// clusters' own order (strongest first) is unchanged.
    /// </summary>
    private void Measure(int selected)
    {
        int n = 0;
        if (_peaksInSweep)
        {
            for (int p = 0; p < selected; p++)
                if (_clusterOfPeak[p] >= 0) _measureOrder[n++] = _clusterOfPeak[p];
        }
        else
            for (; n < _clusterCount; n++) _measureOrder[n] = n;
        RunWorkers(Phase.Measure);
    }

    private void MeasureShare(int worker)
    {
        var pixels = new ReadOnlySpan<ushort>(_frame, _width * _height);
        var measurer = _measurers[worker];
        int from = (int)((long)worker * _clusterCount / _bands.Length), to = (int)((long)(worker + 1) * _clusterCount / _bands.Length);
        for (int k = from; k < to; k++)
        {
            // Fetching the box a few clusters ahead overlaps its cache misses (measured: half the measuring time on
            // dense frames in strongest-first order).
            if (k + MeasurePrefetchClusters < to)
            {
                int ahead = _measureOrder[k + MeasurePrefetchClusters];
                measurer.Prefetch(_frame, _width, _height, _clusterPixelX[ahead], _clusterPixelY[ahead]);
            }
            int i = _measureOrder[k];
            var c = _clusters[i];
            _clusters[i] = measurer.Measure(pixels, _width, _height, _clusterPixelX[i], _clusterPixelY[i], c.X, c.Y, c.Response);
        }
    }
}
