namespace LiveScope.Analysis.Tracking;

/// <summary>
/// How far a cluster may move between two sightings. The gate grows with the time between them:
/// r(Δt) = max(<see cref="MaxLinkDistancePx"/>, <see cref="LinkSdFactor"/>·√(4·D·Δt) / pixel size), where √(4DΔt) is the
/// RMS 2-D displacement of a cluster diffusing with D = <see cref="ExpectedDiffusionUm2PerS"/>. So a series imaged every
/// 30 s gets a wider gate than one imaged every second, and a track closing a gap gets the gate of the whole gap.
/// </summary>
public sealed record TrackingOptions
{
    /// <summary>
    /// Smallest gate, px: what localisation error and small moves need whatever the interval. It alone decides at
    /// short intervals (at 0.1625 µm/px and the default D it dominates below ≈ 10 s).
    /// </summary>
    public double MaxLinkDistancePx { get; init; } = 3;
    /// <summary>
    /// Expected diffusion coefficient of a cluster, µm²/s. ASSUMPTION default 0.0005 µm²/s, the simulator's default
    /// drift (≈ 1 µm in 8 min). Set it from the MSD of a first run (MSD = 4·D·lag): a D set 2× too high widens the gate
    /// and merges more tracks; one set 10× too low splits them again at long intervals.
    /// </summary>
    public double ExpectedDiffusionUm2PerS { get; init; } = 0.0005;
    /// <summary>
    /// Gate in RMS displacements. A 2-D Gaussian step exceeds k RMS with probability e^(−k²): 2.5 misses 0.2 % of true links.
    /// </summary>
    public double LinkSdFactor { get; init; } = 2.5;
    /// <summary>Pixel size used when <see cref="ClusterTracker.Add(int, double, ReadOnlySpan{Detection.Cluster})"/> is given none, µm.</summary>
    public double DefaultPixelSizeUm { get; init; } = 0.1;
    /// <summary>A track unseen for up to this many frames may still be continued (gap closing).</summary>
    public int MaxGapFrames { get; init; } = 2;
    /// <summary>
    /// …and for at most this long, s (from its last sighting to the frame before the new one). At long intervals the
    /// gate of a gap is wide and a cluster born there is likelier than the lost one coming back: on simulated cells
    /// at 30 s intervals, closing 2-frame gaps merged twice as many tracks as it repaired. Default 30 s.
    /// </summary>
    public double MaxGapS { get; init; } = 30;
    /// <summary>Longest MSD lag reported, frames.</summary>
    public int MaxMsdLagFrames { get; init; } = 10;

    /// <summary>The gate for a link across <paramref name="elapsedS"/> seconds, px.</summary>
    public double LinkDistancePx(double elapsedS, double pixelSizeUm)
    {
        double rmsUm = Math.Sqrt(4 * ExpectedDiffusionUm2PerS * Math.Max(0, elapsedS));
        return Math.Max(MaxLinkDistancePx, LinkSdFactor * rmsUm / (pixelSizeUm > 0 ? pixelSizeUm : DefaultPixelSizeUm));
    }

    public void Validate()
    {
        if (!(MaxLinkDistancePx > 0)) throw new ArgumentOutOfRangeException(nameof(MaxLinkDistancePx), MaxLinkDistancePx, "must be > 0 px");
        if (!(ExpectedDiffusionUm2PerS >= 0)) throw new ArgumentOutOfRangeException(nameof(ExpectedDiffusionUm2PerS), ExpectedDiffusionUm2PerS, "must be ≥ 0 µm²/s");
        if (!(LinkSdFactor > 0)) throw new ArgumentOutOfRangeException(nameof(LinkSdFactor), LinkSdFactor, "must be > 0");
        if (!(DefaultPixelSizeUm > 0)) throw new ArgumentOutOfRangeException(nameof(DefaultPixelSizeUm), DefaultPixelSizeUm, "must be > 0 µm");
        if (!(MaxGapS >= 0)) throw new ArgumentOutOfRangeException(nameof(MaxGapS), MaxGapS, "must be ≥ 0 s");
        if (MaxGapFrames < 0) throw new ArgumentOutOfRangeException(nameof(MaxGapFrames), MaxGapFrames, "must be ≥ 0");
        if (MaxMsdLagFrames < 1) throw new ArgumentOutOfRangeException(nameof(MaxMsdLagFrames), MaxMsdLagFrames, "must be ≥ 1");
    }
}
