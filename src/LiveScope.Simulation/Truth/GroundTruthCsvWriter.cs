using System.Globalization;
using LiveScope.Simulation.Sample;

namespace LiveScope.Simulation.Truth;

/// <summary>
/// Writes ground truth as CSV beside the images: one row per cluster per frame, keyed by the frame's sequence number,
/// invariant culture. A frame without clusters in view still gets no row; frame-level totals go to an optional second
/// file (<c>frames</c>) with one row per frame. Formats into a reused buffer, so it allocates nothing per row.
/// </summary>
public sealed class GroundTruthCsvWriter : IGroundTruthSink, IDisposable
{
    public const string ClusterHeader =
        "sequence_number,time_s,cluster_id,cell_id,compartment,x_px,y_px,x_um,y_um,radius_um,molecules,fluorescent_molecules,bleached_fraction,anchored,dissolving";
    public const string FrameHeader =
        "sequence_number,time_s,stage_x_um,stage_y_um,stage_z_um,defocus_um,pixel_size_um,cells_in_view,molecules_in_view,clustered_molecules_in_view,clustered_fraction,clusters_in_view";

    private static readonly string[] CompartmentNames = ["membrane", "cytoplasm", "nucleus"];
    private readonly TextWriter _clusters;
    private readonly TextWriter? _frames;
    private readonly bool _owns;
    private readonly char[] _buffer = new char[64];
    private readonly object _gate = new();

    /// <summary>Writes to the given writers (not closed on dispose).</summary>
    public GroundTruthCsvWriter(TextWriter clusters, TextWriter? frames = null) : this(clusters, frames, owns: false) { }

    private GroundTruthCsvWriter(TextWriter clusters, TextWriter? frames, bool owns)
    {
        _clusters = clusters;
        _frames = frames;
        _owns = owns;
        _clusters.WriteLine(ClusterHeader);
        _frames?.WriteLine(FrameHeader);
    }

    /// <summary>Creates <paramref name="clusterCsvPath"/> and, if given, <paramref name="frameCsvPath"/>.</summary>
    public static GroundTruthCsvWriter Create(string clusterCsvPath, string? frameCsvPath = null) =>
        new(new StreamWriter(clusterCsvPath, false, new System.Text.UTF8Encoding(false), 1 << 16),
            frameCsvPath is null ? null : new StreamWriter(frameCsvPath, false, new System.Text.UTF8Encoding(false), 1 << 14), owns: true);

    public void OnFrame(FrameTruth truth)
    {
        lock (_gate)
        {
            double t = truth.Timestamp.TotalSeconds;
            foreach (ref readonly var c in truth.Clusters)
            {
                var w = _clusters;
                Number(w, truth.SequenceNumber); w.Write(',');
                Number(w, t, "0.######"); w.Write(',');
                Number(w, c.ClusterId); w.Write(',');
                Number(w, c.CellId); w.Write(',');
                w.Write(CompartmentNames[(int)c.Compartment]); w.Write(',');
                Number(w, c.XPx, "0.###"); w.Write(',');
                Number(w, c.YPx, "0.###"); w.Write(',');
                Number(w, c.XUm, "0.####"); w.Write(',');
                Number(w, c.YUm, "0.####"); w.Write(',');
                Number(w, c.RadiusUm, "0.#####"); w.Write(',');
                Number(w, c.Molecules, "0.##"); w.Write(',');
                Number(w, c.FluorescentMolecules, "0.##"); w.Write(',');
                Number(w, c.BleachedFraction, "0.#####"); w.Write(',');
                w.Write(c.Anchored ? "true" : "false"); w.Write(',');
                w.Write(c.Dissolving ? "true" : "false");
                w.WriteLine();
            }
            if (_frames is { } f)
            {
                Number(f, truth.SequenceNumber); f.Write(',');
                Number(f, t, "0.######"); f.Write(',');
                Number(f, truth.StageXUm, "0.###"); f.Write(',');
                Number(f, truth.StageYUm, "0.###"); f.Write(',');
                Number(f, truth.StageZUm, "0.####"); f.Write(',');
                Number(f, truth.DefocusUm, "0.####"); f.Write(',');
                Number(f, truth.PixelSizeUm, "0.#####"); f.Write(',');
                Number(f, truth.CellsInView); f.Write(',');
                Number(f, truth.MoleculesInView, "0.#"); f.Write(',');
                Number(f, truth.ClusteredMoleculesInView, "0.#"); f.Write(',');
                Number(f, truth.ClusteredFraction, "0.######"); f.Write(',');
                Number(f, truth.ClusterCount);
                f.WriteLine();
            }
        }
    }

    private void Number(TextWriter w, long value)
    {
        value.TryFormat(_buffer, out int n, default, CultureInfo.InvariantCulture);
        w.Write(_buffer, 0, n);
    }

    private void Number(TextWriter w, double value, string format)
    {
        value.TryFormat(_buffer, out int n, format, CultureInfo.InvariantCulture);
        w.Write(_buffer, 0, n);
    }

    public void Flush()
    {
        lock (_gate)
        {
            _clusters.Flush();
            _frames?.Flush();
        }
    }

    public void Dispose()
    {
        Flush();
        if (!_owns) return;
        _clusters.Dispose();
        _frames?.Dispose();
    }
}
