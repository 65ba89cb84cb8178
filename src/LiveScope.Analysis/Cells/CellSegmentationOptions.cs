namespace LiveScope.Analysis.Cells;

public sealed record CellSegmentationOptions
{
    /// <summary>Cells are segmented on a frame binned by this factor (cells are ~100× larger than clusters).</summary>
    public int BinFactor { get; init; } = 4;
    /// <summary>Gaussian smoothing before thresholding, in binned pixels.</summary>
    public double SmoothingSigmaBinnedPx { get; init; } = 1.5;
    /// <summary>Absolute threshold on the smoothed binned mean (counts); Li's minimum cross-entropy threshold when null.</summary>
    public double? Threshold { get; init; }
    /// <summary>Objects smaller than this (full-resolution px) are not cells.</summary>
    public int MinCellAreaPx { get; init; } = 2000;
    /// <summary>Seeds for splitting touching cells are distance-transform maxima at least this deep (binned px).</summary>
    public double MinSeedDepthBinnedPx { get; init; } = 4;
    /// <summary>Distance-transform maxima closer than this (binned px) are one seed: one cell.</summary>
    public double MinSeedSeparationBinnedPx { get; init; } = 8;
    /// <summary>
    /// The membrane compartment: within this distance of the cell mask's edge, full-resolution px. The rim itself is
    /// thin (0.4 µm, 2.5 px), but the mask's edge lies outside it: smoothing (σ 6 px) spreads the bright rim and the
    /// threshold sits near the background. On the simulator's frames the rim's clusters lie 9–14 px inside the edge
    /// (10th–90th percentile); at 8 px most of them were counted as cytoplasm.
    /// </summary>
    public double MembraneWidthPx { get; init; } = 16;
    /// <summary>Without a nuclear channel, the nucleus is the cell's dim part away from the membrane, if it has a distinctly dim one.</summary>
    public bool NucleusFromDimRegion { get; init; } = true;
    /// <summary>
    /// Without a nuclear channel a cell has a nucleus only if the 10th percentile of its non-membrane signal is at most
    /// this fraction of their median (both above the background): a dim nucleus. On the simulator, whole cells whose
    /// nucleus is as bright as their cytoplasm give 0.83–0.90 (the inner cytoplasm is darker than beside the rim),
    /// with a nucleus at half the cytoplasm's level 0.48–0.67, at a third 0.36–0.51; cells cut by the frame's edge
    /// spread more (down to 0.64 without a dim nucleus). Over four samples (56 cells): at 0.7, 1 cell without a dim
    /// nucleus got one (4 at 0.75) and 23 cells with a half-level nucleus found it (6 at 0.6).
    /// </summary>
    public double DimNucleusMaxContrast { get; init; } = 0.7;
}
