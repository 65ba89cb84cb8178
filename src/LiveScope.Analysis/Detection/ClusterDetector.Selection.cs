using System.Runtime.Intrinsics.X86;

namespace LiveScope.Analysis.Detection;

/// <summary>Selection of the candidates above the threshold, their refinement (binned sweep) and the merge into clusters.</summary>
public sealed unsafe partial class ClusterDetector
{
    private int Select(float threshold)
    {
        int count = 0;
        if (_peaksInSweep) return 0;    // each band sorted its own peaks after its sweep: MergeSweepPeaks takes them from there
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
    private bool RefineAndMerge(ReadOnlySpan<ushort> pixels, int selected, float threshold)
    {
        _clusterCount = 0;
        if (++_stamp == int.MaxValue) { Array.Clear(_grid); _stamp = 1; }
        if (_peaksInSweep) return MergeSweepPeaks(threshold);
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

    /// <summary>How many of a band's peaks ahead the merge prefetches (its peak and region, 32 bytes each).</summary>
    private const int MergePrefetchPeaks = 4;

    /// <summary>
    /// Full resolution: merges the peaks above <paramref name="threshold"/> strongest first, interleaving the bands' lists
    /// (each sorted by its worker, <see cref="DogBand.SortPeaks"/>) by their unique keys: the order of one sort of all.
    /// Peaks and regions are read in each band's order, so nearly every read is the next one of a sequential stream.
    /// </summary>
    private bool MergeSweepPeaks(float threshold)
    {
        int bands = _bands.Length;
        int[] next = _bandNext;
        ulong[] head = _bandHead;                 // each band's next key; MaxValue once it has none left
        for (int b = 0; b < bands; b++)
        {
            next[b] = 0;
            head[b] = _bands[b].PeakCount > 0 ? _bands[b].PeakKeys[0] : ulong.MaxValue;
        }
        while (true)
        {
            int best = 0;
            for (int b = 1; b < bands; b++) if (head[b] < head[best]) best = b;
            if (head[best] == ulong.MaxValue) return false;
            var band = _bands[best];
            int i = next[best]++;
            var keys = band.PeakKeys;
            head[best] = next[best] < keys.Length ? keys[next[best]] : ulong.MaxValue;
            // This band's next peak is merged several peaks from now (the bands' lists interleave): fetch its grid cells.
            if (next[best] < keys.Length) PrefetchGridAround(band.Peaks[next[best]]);
            // Half the bands were sorted on the other core: fetch their peaks and regions a few ahead.
            band.PrefetchPeak(next[best] + MergePrefetchPeaks);
            ref readonly var peak = ref band.Peaks[i];
            // Strongest first: once a band's next peak is at or below the threshold, so are all its others.
            if (peak.Dog <= threshold) { head[best] = ulong.MaxValue; continue; }
            int kept = _clusterCount;
            if (!Keep(peak, peak.Dog)) return true;
            if (_measuredInSweep && _clusterCount > kept) _clusters[kept] = band.Measured[i];
        }
    }

    /// <summary>
    /// Keeps the peak as a cluster unless it lies closer than d/2 to one kept before; false when the clusters are
    /// full (the frame's result is truncated).
    /// </summary>
    private bool Keep(in RefinedPeak peak, float response)
    {
        double minDistance = _diameterPx / 2, minSq = minDistance * minDistance;
        int gx = Math.Clamp(peak.PixelX / _gridCell, 0, _gridWidth - 1), gy = Math.Clamp(peak.PixelY / _gridCell, 0, _gridHeight - 1);
        // Only the cells within _mergeReachPx of the peak's pixel can hold a cluster closer than d/2: usually 1–2 of
        // the 3 around per axis (each cell row is a cache line the sweep has evicted).
        int r = _mergeReachPx;
        int cx0 = Math.Max(0, peak.PixelX - r) / _gridCell, cx1 = Math.Min(_gridWidth - 1, (peak.PixelX + r) / _gridCell);
        int cy0 = Math.Max(0, peak.PixelY - r) / _gridCell, cy1 = Math.Min(_gridHeight - 1, (peak.PixelY + r) / _gridCell);
        for (int cy = cy0; cy <= cy1; cy++)
            for (int cx = cx0; cx <= cx1; cx++)
            {
                int cell = cy * _gridWidth + cx;
                long entry = _grid[cell];
                if ((int)(entry >> 32) != _stamp) continue;
                for (int k = (int)entry; k >= 0; k = _next[k])
                {
                    double dx = _clusters[k].X - peak.X, dy = _clusters[k].Y - peak.Y;
                    if (dx * dx + dy * dy < minSq) return true;
                }
            }
        if (_clusterCount == _clusters.Length) return false;
        int home = gy * _gridWidth + gx;
        long homeEntry = _grid[home];
        _next[_clusterCount] = (int)(homeEntry >> 32) == _stamp ? (int)homeEntry : -1;
        _grid[home] = GridEntry(_stamp, _clusterCount);
        _clusterPixelX[_clusterCount] = peak.PixelX;
        _clusterPixelY[_clusterCount] = peak.PixelY;
        _clusters[_clusterCount++] = new Cluster(peak.X, peak.Y, response, 0, 0, 0, 0, 0);
        return true;
    }

    /// <summary>Prefetches the merge grid's rows that <see cref="Keep"/> will read for <paramref name="peak"/>.</summary>
    private void PrefetchGridAround(in RefinedPeak peak)
    {
        if (!Sse.IsSupported) return;
        int gx = Math.Clamp(peak.PixelX / _gridCell, 0, _gridWidth - 1), gy = Math.Clamp(peak.PixelY / _gridCell, 0, _gridHeight - 1);
        fixed (long* grid = _grid)
            for (int cy = Math.Max(0, gy - 1); cy <= Math.Min(_gridHeight - 1, gy + 1); cy++) Sse.Prefetch0(grid + cy * _gridWidth + gx);
    }

    /// <summary>A merge grid cell: the frame's stamp (high half; another frame's means empty) and the first cluster in it.</summary>
    private static long GridEntry(int stamp, int head) => (long)stamp << 32 | (uint)head;

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
