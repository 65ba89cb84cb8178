namespace LiveScope.Analysis.Detection;

/// <summary>How the cluster detector finds spots. Immutable; validated by <see cref="Validate"/>.</summary>
public sealed record ClusterDetectorOptions
{
    /// <summary>Expected cluster diameter at the sample, µm; the band-pass is matched to it.</summary>
    public double ExpectedDiameterUm { get; init; } = 0.5;

    /// <summary>Used when a frame carries no pixel size (PixelSizeUm = 0).</summary>
    public double DefaultPixelSizeUm { get; init; } = 0.1;

    /// <summary>Threshold = mean + k·SD of the band-passed frame (used when <see cref="AbsoluteThreshold"/> is null).</summary>
    public double ThresholdSdFactor { get; init; } = 5.0;

    /// <summary>An absolute threshold on the band-passed response (counts); overrides the k·SD rule when set.</summary>
    public double? AbsoluteThreshold { get; init; }

    /// <summary>Keep at most this many clusters per frame (the strongest); bounds the workspace.</summary>
    public int MaxClusters { get; init; } = 20_000;

    /// <summary>Measure region, background and circularity for each cluster (work done only around clusters).</summary>
    public bool MeasureRegions { get; init; } = true;

    /// <summary>Gaussian kernels are cut at this many σ (fewer taps = faster; 2.5σ keeps 98.8% of the weight).</summary>
    public double KernelTruncationSigmas { get; init; } = 2.5;

    /// <summary>
    /// From this expected diameter (px) up, the DoG sweep runs on the frame 2×2-averaged while it is read (a quarter
    /// of the pixels, kernels half as long) and each candidate above the threshold is then located on the full-resolution
    /// DoG. Below it the spot is too small to survive binning and the sweep runs at full resolution.
    /// <see cref="double.PositiveInfinity"/> always sweeps at full resolution.
    /// </summary>
    public double HalfResolutionFromDiameterPx { get; init; } = 4.0;

    /// <summary>Band workers; 0 means one per processor.</summary>
    public int Parallelism { get; init; }

    public void Validate()
    {
        if (!(ExpectedDiameterUm > 0)) throw new ArgumentOutOfRangeException(nameof(ExpectedDiameterUm), ExpectedDiameterUm, "must be > 0 µm");
        if (!(DefaultPixelSizeUm > 0)) throw new ArgumentOutOfRangeException(nameof(DefaultPixelSizeUm), DefaultPixelSizeUm, "must be > 0 µm");
        if (!(ThresholdSdFactor >= 0)) throw new ArgumentOutOfRangeException(nameof(ThresholdSdFactor), ThresholdSdFactor, "must be ≥ 0");
        if (MaxClusters <= 0) throw new ArgumentOutOfRangeException(nameof(MaxClusters), MaxClusters, "must be > 0");
        if (!(KernelTruncationSigmas >= 1.5)) throw new ArgumentOutOfRangeException(nameof(KernelTruncationSigmas), KernelTruncationSigmas, "must be ≥ 1.5");
        if (!(HalfResolutionFromDiameterPx > 0)) throw new ArgumentOutOfRangeException(nameof(HalfResolutionFromDiameterPx), HalfResolutionFromDiameterPx, "must be > 0 px");
        if (Parallelism < 0) throw new ArgumentOutOfRangeException(nameof(Parallelism), Parallelism, "must be ≥ 0");
    }

    /// <summary>The expected diameter in pixels for a given pixel size.</summary>
    public double DiameterPx(double pixelSizeUm) => ExpectedDiameterUm / (pixelSizeUm > 0 ? pixelSizeUm : DefaultPixelSizeUm);
}
