namespace LiveScope.Analysis.Detection;

/// <summary>
/// Region measurement of the kept clusters after the merge, split between the band workers: used with the binned
/// sweep. The full-resolution sweep measures the peaks it keeps itself (DogBand.Peaks.cs).
/// </summary>
public sealed unsafe partial class ClusterDetector
{
    /// <summary>How many of its clusters ahead a measuring worker prefetches the box of.</summary>
    private const int MeasurePrefetchClusters = 4;

    private void MeasureShare(int worker)
    {
        var pixels = new ReadOnlySpan<ushort>(_frame, _width * _height);
        var measurer = _measurers[worker];
        int step = _workerCount, ahead = MeasurePrefetchClusters * step;
        for (int i = worker; i < _clusterCount; i += step)
        {
            // Clusters come strongest first, scattered over the frame: each box's rows are cache misses. Fetching them
            // a few clusters ahead overlaps those misses (measured: half the measuring time on dense frames).
            if (i + ahead < _clusterCount) measurer.Prefetch(_frame, _width, _height, _clusterPixelX[i + ahead], _clusterPixelY[i + ahead]);
            var c = _clusters[i];
            _clusters[i] = measurer.Measure(pixels, _width, _height, _clusterPixelX[i], _clusterPixelY[i], c.X, c.Y, c.Response);
        }
    }
}
