using System.Globalization;
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

    public void Write(ClusterMeasurement m) => _clusters.WriteLine(string.Join(',',
        m.FrameIndex.ToString(C), F(m.TimeS), m.ClusterIndex.ToString(C), m.TrackId.ToString(C), F(m.XPx), F(m.YPx), F(m.XUm), F(m.YUm),
        F(m.Response), F(m.PeakIntensity), F(m.Background), F(m.IntegratedIntensity), m.AreaPx.ToString(C), F(m.Circularity),
        m.CellId.ToString(C), m.Compartment.ToString().ToLowerInvariant()));

    public void Write(CellFrameMetrics m) => _cells.WriteLine(string.Join(',',
        m.FrameIndex.ToString(C), F(m.TimeS), m.CellId.ToString(C), F(m.AreaUm2), F(m.MeanIntensity), m.ClusterCount.ToString(C),
        F(m.DensityPerUm2), F(m.MeanClusterAreaPx), F(m.MeanClusterIntensity), F(m.PartitionRatio), F(m.CondensedFraction),
        m.MembraneClusters.ToString(C), m.CytoplasmClusters.ToString(C), m.NucleusClusters.ToString(C)));

    public void Write(FrameMetrics m)
    {
        _frames.WriteLine(string.Join(',',
            m.FrameIndex.ToString(C), F(m.TimeS), m.ClusterCount.ToString(C), m.ClustersInCells.ToString(C), m.CellCount.ToString(C),
            F(m.CellAreaUm2), F(m.DensityPerUm2), F(m.MeanClusterAreaPx), F(m.MeanClusterIntensity), F(m.PartitionRatio),
            F(m.CondensedFraction), F(m.Threshold)));
        _clusters.Flush(); _cells.Flush(); _frames.Flush();
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
