using LiveScope.Analysis.Cells;
using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Tracking;

namespace LiveScope.Analysis.Pipeline;

public sealed record AnalysisOptions
{
    public ClusterDetectorOptions Detector { get; init; } = new();
    public CellSegmentationOptions Cells { get; init; } = new();
    public TrackingOptions Tracking { get; init; } = new();
    /// <summary>Only frames of this channel are analysed (null: every frame).</summary>
    public string? Channel { get; init; }
    /// <summary>Frames of this channel are not analysed but define nuclei at the next cell segmentation.</summary>
    public string? NuclearChannel { get; init; }
    /// <summary>Cells are re-segmented every this many analysed frames (cells move slowly); 0 = no cell masks.</summary>
    public int SegmentCellsEveryFrames { get; init; } = 20;
    /// <summary>
    /// A re-segmentation bins its frame at once but finishes off the frame path, on another thread; its masks are
    /// used from this many analysed frames later (the pipeline waits for them then if need be), so which masks a frame
    /// gets depends on frame indices only: the same live and on saved data, run after run. Capped at
    /// SegmentCellsEveryFrames − 1; 0 = segment on the frame path. The first masks (and masks for a new frame size)
    /// are always made on the frame path.
    /// </summary>
    public int CellMasksLagFrames { get; init; } = 5;
    /// <summary>With an output folder, an overlay PNG is written for the first frame and every this many frames; 0 = first only.</summary>
    public int PreviewEveryFrames { get; init; } = 100;
    /// <summary>A label for the summary table (e.g. "insulin-resistant + metformin").</summary>
    public string Condition { get; init; } = "";

    public void Validate()
    {
        Detector.Validate();
        Tracking.Validate();
        if (SegmentCellsEveryFrames < 0) throw new ArgumentOutOfRangeException(nameof(SegmentCellsEveryFrames), SegmentCellsEveryFrames, "must be ≥ 0");
        if (CellMasksLagFrames < 0) throw new ArgumentOutOfRangeException(nameof(CellMasksLagFrames), CellMasksLagFrames, "must be ≥ 0");
        if (PreviewEveryFrames < 0) throw new ArgumentOutOfRangeException(nameof(PreviewEveryFrames), PreviewEveryFrames, "must be ≥ 0");
        if (Cells.BinFactor < 1) throw new ArgumentOutOfRangeException(nameof(Cells), Cells.BinFactor, "BinFactor must be ≥ 1");
    }
}
