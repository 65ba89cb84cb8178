namespace LiveScope.Simulation.Truth;

/// <summary>
/// Ground truth of one rendered frame. The camera reuses one instance per frame, so a sink must copy what it keeps
/// (<see cref="Snapshot"/>) and must not hold on to <see cref="Clusters"/> after its call returns.
/// </summary>
public sealed class FrameTruth
{
    private ClusterTruth[] _clusters = new ClusterTruth[256];

    public long SequenceNumber { get; internal set; }
    /// <summary>Start of exposure on the simulated clock.</summary>
    public TimeSpan Timestamp { get; internal set; }
    public double StageXUm { get; internal set; }
    public double StageYUm { get; internal set; }
    public double StageZUm { get; internal set; }
    /// <summary>Stage z minus the (possibly drifting) focal plane of the cells, µm.</summary>
    public double DefocusUm { get; internal set; }
    public double PixelSizeUm { get; internal set; }
    public int Width { get; internal set; }
    public int Height { get; internal set; }
    /// <summary>Cells whose centre lies in the field of view.</summary>
    public int CellsInView { get; internal set; }
    /// <summary>All IR molecules of those cells, diffuse and clustered.</summary>
    public double MoleculesInView { get; internal set; }
    /// <summary>IR molecules in clusters of those cells.</summary>
    public double ClusteredMoleculesInView { get; internal set; }
    public double ClusteredFraction => MoleculesInView > 0 ? ClusteredMoleculesInView / MoleculesInView : 0;

    public int ClusterCount { get; private set; }
    public ReadOnlySpan<ClusterTruth> Clusters => _clusters.AsSpan(0, ClusterCount);

    internal void ClearClusters() => ClusterCount = 0;

    internal void AddCluster(in ClusterTruth c)
    {
        if (ClusterCount == _clusters.Length) Array.Resize(ref _clusters, _clusters.Length * 2);
        _clusters[ClusterCount++] = c;
    }

    public FrameTruthSnapshot Snapshot() => new(SequenceNumber, Timestamp, StageXUm, StageYUm, StageZUm, DefocusUm, PixelSizeUm,
        CellsInView, MoleculesInView, ClusteredMoleculesInView, Clusters.ToArray());
}

/// <summary>An immutable copy of a frame's ground truth, for tests and for consumers that keep it.</summary>
public sealed record FrameTruthSnapshot(long SequenceNumber, TimeSpan Timestamp, double StageXUm, double StageYUm, double StageZUm,
    double DefocusUm, double PixelSizeUm, int CellsInView, double MoleculesInView, double ClusteredMoleculesInView,
    IReadOnlyList<ClusterTruth> Clusters)
{
    public double ClusteredFraction => MoleculesInView > 0 ? ClusteredMoleculesInView / MoleculesInView : 0;
}
