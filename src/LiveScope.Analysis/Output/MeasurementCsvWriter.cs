using System.Globalization;
using LiveScope.Analysis.Cells;
using LiveScope.Analysis.Metrics;
using LiveScope.Analysis.Tracking;

namespace LiveScope.Analysis.Output;

/// <summary>
/// Streams measurements as invariant-culture CSV into a run folder: clusters.csv (per cluster per frame),
/// cells.csv (per cell per frame), frames.csv (per frame) and, at the end, tracks.csv and msd.csv.
/// Rows are flushed as they come so a crash loses at most the buffered tail.
/// </summary>
public sealed class MeasurementCsvWriter : IDisposable
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private readonly string _folder;
    private readonly StreamWriter _clusters, _cells, _frames;
    private readonly RowBuffer _row = new();

    public MeasurementCsvWriter(string folder)
    {
        Directory.CreateDirectory(folder);
        _folder = folder;
        _clusters = Open("clusters.csv", "frame,time_s,cluster,track,x_px,y_px,x_um,y_um,response,peak,background,integrated,area_px,circularity,cell,compartment");
        _cells = Open("cells.csv", "frame,time_s,cell,area_um2,mean_intensity,clusters,density_per_um2,mean_cluster_area_px,mean_cluster_intensity,partition_ratio,condensed_fraction,membrane_clusters,cytoplasm_clusters,nucleus_clusters");
        _frames = Open("frames.csv", "frame,time_s,clusters,clusters_in_cells,cells,cell_area_um2,density_per_um2,mean_cluster_area_px,mean_cluster_intensity,partition_ratio,condensed_fraction,threshold");
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
        var r = _row.Start();
        r.Int(m.FrameIndex).Num(m.TimeS).Int(m.ClusterIndex).Int(m.TrackId).Num(m.XPx).Num(m.YPx).Num(m.XUm).Num(m.YUm)
            .Num(m.Response).Num(m.PeakIntensity).Num(m.Background).Num(m.IntegratedIntensity).Int(m.AreaPx).Num(m.Circularity)
            .Int(m.CellId).Text(CompartmentNames[(int)m.Compartment]);
        r.WriteTo(_clusters);
    }

    public void Write(CellFrameMetrics m)
    {
        var r = _row.Start();
        r.Int(m.FrameIndex).Num(m.TimeS).Int(m.CellId).Num(m.AreaUm2).Num(m.MeanIntensity).Int(m.ClusterCount)
            .Num(m.DensityPerUm2).Num(m.MeanClusterAreaPx).Num(m.MeanClusterIntensity).Num(m.PartitionRatio).Num(m.CondensedFraction)
            .Int(m.MembraneClusters).Int(m.CytoplasmClusters).Int(m.NucleusClusters);
        r.WriteTo(_cells);
    }

    public void Write(FrameMetrics m)
    {
        var r = _row.Start();
        r.Int(m.FrameIndex).Num(m.TimeS).Int(m.ClusterCount).Int(m.ClustersInCells).Int(m.CellCount)
            .Num(m.CellAreaUm2).Num(m.DensityPerUm2).Num(m.MeanClusterAreaPx).Num(m.MeanClusterIntensity).Num(m.PartitionRatio)
            .Num(m.CondensedFraction).Num(m.Threshold);
        r.WriteTo(_frames);
        _clusters.Flush(); _cells.Flush(); _frames.Flush();
    }

    /// <summary>Compartment names as written (lower case), indexed by the enum value: no string is made per row.</summary>
    private static readonly string[] CompartmentNames =
        Enum.GetValues<Compartment>().Select(c => c.ToString().ToLowerInvariant()).ToArray();

    /// <summary>
    /// One CSV row formatted into a reused buffer (invariant culture, doubles as <see cref="F"/> writes them), so
    /// per-frame rows allocate nothing.
    /// </summary>
    private sealed class RowBuffer
    {
        private char[] _chars = new char[512];
        private int _length;
        private bool _first;

        public RowBuffer Start() { _length = 0; _first = true; return this; }

        public RowBuffer Int(int value)
        {
            Separator();
            int written;
            while (!value.TryFormat(_chars.AsSpan(_length), out written, default, C)) Grow();
            _length += written;
            return this;
        }

        public RowBuffer Num(double value)
        {
            Separator();
            if (!double.IsFinite(value)) return this;
            int written;
            while (!value.TryFormat(_chars.AsSpan(_length), out written, "G9", C)) Grow();
            _length += written;
            return this;
        }

        public RowBuffer Text(string value)
        {
            Separator();
            while (_chars.Length - _length < value.Length) Grow();
            value.CopyTo(_chars.AsSpan(_length));
            _length += value.Length;
            return this;
        }

        public void WriteTo(StreamWriter writer)
        {
            writer.Write(_chars.AsSpan(0, _length));
            writer.Write('\n');
        }

        private void Separator()
        {
            if (_first) { _first = false; return; }
            if (_length == _chars.Length) Grow();
            _chars[_length++] = ',';
        }

        private void Grow() => Array.Resize(ref _chars, _chars.Length * 2);
    }

    public void WriteTracks(TrackingSummary summary, double pixelSizeUm, int maxLagFrames)
    {
        using (var w = Open("tracks.csv", "track,first_frame,last_frame,points,lifetime_s,net_displacement_px,net_displacement_um,path_length_px,born_after_start,ended_before_end"))
        {
            int firstFrame = summary.Tracks.Count == 0 ? 0 : summary.Tracks.Min(t => t.First.FrameIndex);
            int lastFrame = summary.Tracks.Count == 0 ? 0 : summary.Tracks.Max(t => t.Last.FrameIndex);
            foreach (var t in summary.Tracks)
                w.WriteLine(string.Join(',', t.Id.ToString(C), t.First.FrameIndex.ToString(C), t.Last.FrameIndex.ToString(C),
                    t.Points.Count.ToString(C), F(t.LifetimeS), F(t.NetDisplacementPx), F(t.NetDisplacementPx * pixelSizeUm), F(t.PathLengthPx),
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
