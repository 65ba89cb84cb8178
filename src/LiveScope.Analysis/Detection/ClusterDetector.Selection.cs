namespace LiveScope.Analysis.Detection;

/// <summary>Selection of the candidates above the threshold, their refinement (binned sweep) and the merge into clusters.</summary>
public sealed unsafe partial class ClusterDetector
{
    /// <summary>
    /// Sort key of a peak: strongest response first (at full resolution the response is the DoG at the maximum), equal
    /// responses in pixel order. The sort is not stable: without the pixel, the order of equal responses — and so which
    /// of two equal peaks closer than d/2 survives the merge — followed the peaks' order in the bands, i.e. the band layout.
    /// </summary>
    private static ulong StrongestFirst(float response, int pixel)
    {
        // The float's bits made to order as unsigned integers (sign bit flipped, all bits of negatives), then inverted.
        int bits = BitConverter.SingleToInt32Bits(response);
        uint ordered = (uint)bits ^ (uint)((bits >> 31) | int.MinValue);
        return (ulong)~ordered << 32 | (uint)pixel;
    }

    private int Select(float threshold)
    {
        int count = 0;
        if (_peaksInSweep)
        {
            foreach (var band in _bands)
                for (int i = 0; i < band.PeakCount; i++)
                {
                    ref readonly var peak = ref band.Peaks[i];
                    if (peak.Dog <= threshold) continue;
                    if (count == _selPeaks.Length)
                    {
                        Array.Resize(ref _selPeaks, Math.Max(1024, 2 * _selPeaks.Length));
                        Array.Resize(ref _selOrder, _selPeaks.Length);
                        if (band.MeasuresRegions) Array.Resize(ref _selMeasured, _selPeaks.Length);
                    }
                    if (band.MeasuresRegions) _selMeasured[count] = band.Measured[i];
                    _selPeaks[count] = peak;
                    _selIndex[count] = count;
                    _selOrder[count] = StrongestFirst(peak.Dog, peak.PixelY * _width + peak.PixelX);
                    count++;
                }
            _selOrder.AsSpan(0, count).Sort(_selIndex.AsSpan(0, count));
            return count;
        }
        foreach (var band in _bands)
        {
            var index = band.CandidateIndex; var response = band.CandidateResponse;
            for (int i = 0; i < band.CandidateCount; i++)
            {
                if (response[i] <= threshold) continue;
                _selIndex[count] = index[i];
                _selKey[count] = -response[i];        // ascending sort of the negated response = strongest first
                count++;
            }
        }
        _selKey.AsSpan(0, count).Sort(_selIndex.AsSpan(0, count));
        return count;
    }

    /// <summary>
    /// Refines the selected candidates (in parallel, a chunk at a time so the work stays bounded by the cluster
    /// capacity) and merges them greedily, strongest first: one closer than d/2 to a cluster already kept is dropped.
    /// </summary>
    private bool RefineAndMerge(ReadOnlySpan<ushort> pixels, int selected, int width, int height)
    {
        _clusterCount = 0;
        if (++_stamp == int.MaxValue) { Array.Clear(_gridStamp); _stamp = 1; }
        if (_peaksInSweep)
        {
            for (int i = 0; i < selected; i++)
            {
                ref readonly var peak = ref _selPeaks[_selIndex[i]];
                int kept = _clusterCount;
                if (!Keep(peak, peak.Dog)) return true;
                if (_measuredInSweep && _clusterCount > kept) _clusters[kept] = _selMeasured[_selIndex[i]];
            }
            return false;
        }
        for (_chunkStart = 0; _chunkStart < selected; _chunkStart += _chunkCount)
        {
            _chunkCount = Math.Min(selected - _chunkStart, _refined.Length - _clusterCount);
            if (_chunkCount == 0) return true;
            if (_chunkCount < 8) for (int i = 0; i < _chunkCount; i++) RefineOne(pixels, 0, i);
            else RunWorkers(Phase.Refine);
            for (int i = 0; i < _chunkCount; i++)
            {
                float response = -_selKey[_chunkStart + i];
                if (_acceptance.Keeps(_refined[i], response) && !Keep(_refined[i], response)) return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Keeps the peak as a cluster unless it lies closer than d/2 to one kept before; false when the clusters are
    /// full (the frame's result is truncated).
    /// </summary>
    private bool Keep(in RefinedPeak peak, float response)
    {
        double minDistance = _diameterPx / 2, minSq = minDistance * minDistance;
        int gx = Math.Clamp(peak.PixelX / _gridCell, 0, _gridWidth - 1), gy = Math.Clamp(peak.PixelY / _gridCell, 0, _gridHeight - 1);
        for (int cy = Math.Max(0, gy - 1); cy <= Math.Min(_gridHeight - 1, gy + 1); cy++)
            for (int cx = Math.Max(0, gx - 1); cx <= Math.Min(_gridWidth - 1, gx + 1); cx++)
            {
                int cell = cy * _gridWidth + cx;
                if (_gridStamp[cell] != _stamp) continue;
                for (int k = _gridHead[cell]; k >= 0; k = _next[k])
                {
                    double dx = _clusters[k].X - peak.X, dy = _clusters[k].Y - peak.Y;
                    if (dx * dx + dy * dy < minSq) return true;
                }
            }
        if (_clusterCount == _clusters.Length) return false;
        int home = gy * _gridWidth + gx;
        if (_gridStamp[home] != _stamp) { _gridStamp[home] = _stamp; _gridHead[home] = -1; }
        _next[_clusterCount] = _gridHead[home];
        _gridHead[home] = _clusterCount;
        _clusterPixelX[_clusterCount] = peak.PixelX;
        _clusterPixelY[_clusterCount] = peak.PixelY;
        _clusters[_clusterCount++] = new Cluster(peak.X, peak.Y, response, 0, 0, 0, 0, 0);
        return true;
    }

    private void RefineChunk(int worker)
    {
        var pixels = new ReadOnlySpan<ushort>(_frame, _width * _height);
        for (int i = worker; i < _chunkCount; i += _workerCount) RefineOne(pixels, worker, i);
    }

    private void RefineOne(ReadOnlySpan<ushort> pixels, int worker, int i)
    {
        int index = _selIndex[_chunkStart + i];
        int sx = index % _sweepWidth, sy = index / _sweepWidth;
        // Binned pixel b covers frame pixels 2b and 2b+1: search 2b−1 … 2b+2.
        _refined[i] = _binning == 1
            ? _refiners[worker].Refine(pixels, _width, _height, sx, sy)
            : _refiners[worker].Refine(pixels, _width, _height, 2 * sx - 1, 2 * sy - 1);
    }
}
