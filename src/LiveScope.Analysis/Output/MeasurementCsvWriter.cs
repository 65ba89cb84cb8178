using System.Globalization;
using LiveScope.Analysis.Cells;
using LiveScope.Analysis.Metrics;
using LiveScope.Analysis.Tracking;

namespace LiveScope.Analysis.Output;

/// <summary>
/// Streams measurements as invariant-culture CSV into a run folder: clusters.csv (per cluster per frame),
/// cells.csv (per cell per frame), frames.csv (per frame) and, at the end, tracks.csv and msd.csv.
/// A frame's rows are formatted as UTF-8 straight into one reused buffer per file (no strings, no transcoding) and
/// written and flushed when its frame row comes, so a crash loses at most the frame in progress.
/// </summary>
public sealed class MeasurementCsvWriter : IDisposable
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private readonly string _folder;
    private readonly CsvFile _clusters, _cells, _frames;

    public MeasurementCsvWriter(string folder)
    {
        Directory.CreateDirectory(folder);
        _folder = folder;
        _clusters = new CsvFile(Path.Combine(folder, "clusters.csv"), "frame,time_s,cluster,track,x_px,y_px,x_um,y_um,response,peak,background,integrated,area_px,circularity,cell,compartment");
        _cells = new CsvFile(Path.Combine(folder, "cells.csv"), "frame,time_s,cell,area_um2,mean_intensity,clusters,density_per_um2,mean_cluster_area_px,mean_cluster_intensity,partition_ratio,condensed_fraction,membrane_clusters,cytoplasm_clusters,nucleus_clusters");
        _frames = new CsvFile(Path.Combine(folder, "frames.csv"), "frame,time_s,clusters,clusters_in_cells,cells,cell_area_um2,density_per_um2,mean_cluster_area_px,mean_cluster_intensity,partition_ratio,condensed_fraction,threshold");
    }

    private StreamWriter Open(string name, string header)
    {
        var w = new StreamWriter(Path.Combine(_folder, name), append: false) { NewLine = "\n" };
        w.WriteLine(header);
        return w;
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("G9", C) : "";

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
        _clusters.Flush(); _cells.Flush(); _frames.Flush();
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

    public void WriteTracks(TrackingSummary summary, double pixelSizeUm, int maxLagFrames)
    {
        using (var w = Open("tracks.csv", "track,first_frame,last_frame,points,lifetime_s,net_displacement_px,net_displacement_um,path_length_px,born_after_start,ended_before_end"))
        {
            int firstFrame = summary.Tracks.Count == 0 ? 0 : summary.Tracks.Min(t => t.First.FrameIndex);
            int lastFrame = summary.Tracks.Count == 0 ? 0 : summary.Tracks.Max(t => t.Last.FrameIndex);
            foreach (var t in summary.Tracks)
                w.WriteLine(string.Join(',', t.Id.ToString(C), t.First.FrameIndex.ToString(C), t.Last.FrameIndex.ToString(C),
                    t.PointCount.ToString(C), F(t.LifetimeS), F(t.NetDisplacementPx), F(t.NetDisplacementPx * pixelSizeUm), F(t.PathLengthPx),
                    (t.First.FrameIndex > firstFrame ? 1 : 0).ToString(C), (t.Last.FrameIndex < lastFrame ? 1 : 0).ToString(C)));
        }
        using (var w = Open("msd.csv", "track,lag_frames,lag_s,msd_px2,msd_um2,pairs"))
            foreach (var t in summary.Tracks)
                foreach (var m in t.Msd(maxLagFrames))
                    w.WriteLine(string.Join(',', t.Id.ToString(C), m.LagFrames.ToString(C), F(m.LagS), F(m.MsdPx2), F(m.MsdPx2 * pixelSizeUm * pixelSizeUm), m.Pairs.ToString(C)));
    }

    public void Dispose()
    {
        _clusters.Dispose(); _cells.Dispose(); _frames.Dispose();
    }
}
