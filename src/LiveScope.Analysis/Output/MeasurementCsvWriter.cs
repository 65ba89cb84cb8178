using System.Globalization;
using LiveScope.Analysis.Cells;
using LiveScope.Analysis.Metrics;
using LiveScope.Analysis.Tracking;

namespace LiveScope.Analysis.Output;

/// <summary>
/// Streams measurements as invariant-culture CSV into a run folder: clusters.csv (per cluster per frame),
/// cells.csv (per cell per frame), frames.csv (per frame), and tracks.csv and msd.csv (per track, as each track ends:
/// rows in order of ending, the tracks still running at the end last).
/// A frame's rows are formatted as UTF-8 straight into one reused buffer per file (no strings, no transcoding) and
/// written and flushed when its frame row comes, so a crash loses at most the frame in progress.
/// </summary>
public sealed class MeasurementCsvWriter : IDisposable
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private readonly CsvFile _clusters, _cells, _frames, _tracks, _msd;

    public MeasurementCsvWriter(string folder)
    {
        Directory.CreateDirectory(folder);
        _clusters = new CsvFile(Path.Combine(folder, "clusters.csv"), "frame,time_s,cluster,track,x_px,y_px,x_um,y_um,response,peak,background,integrated,area_px,circularity,cell,compartment");
        _cells = new CsvFile(Path.Combine(folder, "cells.csv"), "frame,time_s,cell,area_um2,mean_intensity,clusters,density_per_um2,mean_cluster_area_px,mean_cluster_intensity,partition_ratio,condensed_fraction,membrane_clusters,cytoplasm_clusters,nucleus_clusters");
        _frames = new CsvFile(Path.Combine(folder, "frames.csv"), "frame,time_s,clusters,clusters_in_cells,cells,cell_area_um2,density_per_um2,mean_cluster_area_px,mean_cluster_intensity,partition_ratio,condensed_fraction,threshold");
        _tracks = new CsvFile(Path.Combine(folder, "tracks.csv"), "track,first_frame,last_frame,points,lifetime_s,net_displacement_px,net_displacement_um,path_length_px,born_after_start,ended_before_end");
        _msd = new CsvFile(Path.Combine(folder, "msd.csv"), "track,lag_frames,lag_s,msd_px2,msd_um2,pairs");
    }

    public void Write(ClusterMeasurement m)
    {
        var r = _clusters.Row();
        r.Int(m.FrameIndex).Num(m.TimeS).Int(m.ClusterIndex).Int(m.TrackId).Num(m.XPx).Num(m.YPx).Num(m.XUm).Num(m.YUm)
            .Num(m.Response).Num(m.PeakIntensity).Num(m.Background).Num(m.IntegratedIntensity).Int(m.AreaPx).Num(m.Circularity)
            .Int(m.CellId).Text(CompartmentNames[(int)m.Compartment]).End();
    }

    public void Write(CellFrameMetrics m)
    {
        var r = _cells.Row();
        r.Int(m.FrameIndex).Num(m.TimeS).Int(m.CellId).Num(m.AreaUm2).Num(m.MeanIntensity).Int(m.ClusterCount)
            .Num(m.DensityPerUm2).Num(m.MeanClusterAreaPx).Num(m.MeanClusterIntensity).Num(m.PartitionRatio).Num(m.CondensedFraction)
            .Int(m.MembraneClusters).Int(m.CytoplasmClusters).Int(m.NucleusClusters).End();
    }

    /// <summary>The frame's own row, which ends its frame: every file's pending rows are written and flushed.</summary>
    public void Write(FrameMetrics m)
    {
        var r = _frames.Row();
        r.Int(m.FrameIndex).Num(m.TimeS).Int(m.ClusterCount).Int(m.ClustersInCells).Int(m.CellCount)
            .Num(m.CellAreaUm2).Num(m.DensityPerUm2).Num(m.MeanClusterAreaPx).Num(m.MeanClusterIntensity).Num(m.PartitionRatio)
            .Num(m.CondensedFraction).Num(m.Threshold).End();
        _clusters.Flush(); _cells.Flush(); _frames.Flush(); _tracks.Flush(); _msd.Flush();
    }

    /// <summary>
    /// A track that has ended: its row in tracks.csv and one row per lag in msd.csv (lags 1 … <paramref name="maxLagFrames"/>
    /// with a pair). Written with the next frame row, or at <see cref="Dispose"/>.
    /// </summary>
    public void Write(Track t, bool bornAfterStart, bool endedBeforeEnd, double pixelSizeUm, int maxLagFrames)
    {
        _tracks.Row().Int(t.Id).Int(t.First.FrameIndex).Int(t.Last.FrameIndex).Int(t.PointCount).Num(t.LifetimeS)
            .Num(t.NetDisplacementPx).Num(t.NetDisplacementPx * pixelSizeUm).Num(t.PathLengthPx)
            .Int(bornAfterStart ? 1 : 0).Int(endedBeforeEnd ? 1 : 0).End();
        for (int lag = 1; lag <= maxLagFrames; lag++)
            if (t.TryGetMsd(lag, out var m))
                _msd.Row().Int(t.Id).Int(m.LagFrames).Num(m.LagS).Num(m.MsdPx2).Num(m.MsdPx2 * pixelSizeUm * pixelSizeUm).Int(m.Pairs).End();
    }

    /// <summary>Compartment names as written (lower case, UTF-8), indexed by the enum value.</summary>
    private static readonly byte[][] CompartmentNames =
        Enum.GetValues<Compartment>().Select(c => System.Text.Encoding.UTF8.GetBytes(c.ToString().ToLowerInvariant())).ToArray();

    /// <summary>
    /// One CSV file and its pending rows as UTF-8 (invariant culture, doubles as <see cref="F"/> writes them: G9, empty
    /// when not finite). The buffer is kept, so once it has grown to a frame's rows nothing is allocated.
    /// </summary>
    private sealed class CsvFile : IDisposable
    {
        private const int FlushAtBytes = 1 << 20;   // a frame with very many rows is written in pieces
        private readonly FileStream _file;
        private byte[] _bytes = new byte[1 << 16];
        private int _length;
        private bool _first, _disposed;

        public CsvFile(string path, string header)
        {
            _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
            _file.Write(System.Text.Encoding.UTF8.GetBytes(header + "\n"));
        }

        public CsvFile Row()
        {
            if (_length >= FlushAtBytes) Write();
            _first = true;
            return this;
        }

        public CsvFile Int(int value)
        {
            Separator();
            int written;
            while (!value.TryFormat(_bytes.AsSpan(_length), out written, default, C)) Grow();
            _length += written;
            return this;
        }

        public CsvFile Num(double value)
        {
            Separator();
            if (!double.IsFinite(value)) return this;
            int written;
            while (!G9Utf8.TryFormat(value, _bytes.AsSpan(_length), out written)) Grow();
            _length += written;
            return this;
        }

        public CsvFile Text(ReadOnlySpan<byte> value)
        {
            Separator();
            while (_bytes.Length - _length < value.Length) Grow();
            value.CopyTo(_bytes.AsSpan(_length));
            _length += value.Length;
            return this;
        }

        public void End()
        {
            if (_length == _bytes.Length) Grow();
            _bytes[_length++] = (byte)'\n';
        }

        public void Flush() { Write(); _file.Flush(); }

        private void Write()
        {
            _file.Write(_bytes, 0, _length);
            _length = 0;
        }

        private void Separator()
        {
            if (_first) { _first = false; return; }
            if (_length == _bytes.Length) Grow();
            _bytes[_length++] = (byte)',';
        }

        private void Grow() => Array.Resize(ref _bytes, _bytes.Length * 2);

        public void Dispose()
        {
            if (_disposed) return;   // the pipeline disposes its writer at Complete and again at its own Dispose
            _disposed = true;
            Flush();
            _file.Dispose();
        }
    }

    public void Dispose()
    {
        _clusters.Dispose(); _cells.Dispose(); _frames.Dispose(); _tracks.Dispose(); _msd.Dispose();
    }
}
