namespace LiveScope.Analysis.Tracking;

public sealed record TrackingOptions
{
    /// <summary>Largest frame-to-frame displacement that may be linked, px.</summary>
    public double MaxLinkDistancePx { get; init; } = 3;
    /// <summary>A track unseen for up to this many frames may still be continued (gap closing).</summary>
    public int MaxGapFrames { get; init; } = 2;
    /// <summary>Longest MSD lag reported, frames.</summary>
    public int MaxMsdLagFrames { get; init; } = 10;

    public void Validate()
    {
        if (!(MaxLinkDistancePx > 0)) throw new ArgumentOutOfRangeException(nameof(MaxLinkDistancePx), MaxLinkDistancePx, "must be > 0 px");
        if (MaxGapFrames < 0) throw new ArgumentOutOfRangeException(nameof(MaxGapFrames), MaxGapFrames, "must be ≥ 0");
        if (MaxMsdLagFrames < 1) throw new ArgumentOutOfRangeException(nameof(MaxMsdLagFrames), MaxMsdLagFrames, "must be ≥ 1");
    }
}
