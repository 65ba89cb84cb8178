using LiveScope.Analysis.Cells;

namespace LiveScope.Analysis.Metrics;

/// <summary>One cluster in one frame, as written to clusters.csv. Positions in px and µm; intensities in counts.</summary>
public readonly record struct ClusterMeasurement(
    int FrameIndex, double TimeS, int ClusterIndex, int TrackId, double XPx, double YPx, double XUm, double YUm,
    double Response, double PeakIntensity, double Background, double IntegratedIntensity, int AreaPx, double Circularity,
    int CellId, Compartment Compartment);

/// <summary>
/// One cell in one frame (Young-lab convention, background-subtracted): partition ratio = mean intensity in
/// clusters / mean of the cell outside clusters; condensed fraction = intensity in clusters / intensity of the cell.
/// </summary>
public readonly record struct CellFrameMetrics(
    int FrameIndex, double TimeS, int CellId, double AreaUm2, double MeanIntensity, int ClusterCount, double DensityPerUm2,
    double MeanClusterAreaPx, double MeanClusterIntensity, double PartitionRatio, double CondensedFraction,
    int MembraneClusters, int CytoplasmClusters, int NucleusClusters);

/// <summary>Frame totals; ratios are pooled over all cells (NaN when the frame has no cells).</summary>
public readonly record struct FrameMetrics(
    int FrameIndex, double TimeS, int ClusterCount, int ClustersInCells, int CellCount, double CellAreaUm2, double DensityPerUm2,
    double MeanClusterAreaPx, double MeanClusterIntensity, double PartitionRatio, double CondensedFraction, double Threshold);
