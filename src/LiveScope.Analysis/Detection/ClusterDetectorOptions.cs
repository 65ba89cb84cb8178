namespace LiveScope.Analysis.Detection;

/// <summary>How the cluster detector finds spots. Immutable; validated by <see cref="Validate"/>.</summary>
public sealed record ClusterDetectorOptions
{
    /// <summary>Expected cluster diameter at the sample, µm; the band-pass is matched to it.</summary>
    public double ExpectedDiameterUm { get; init; } = 0.5;

    /// <summary>Used when a frame carries no pixel size (PixelSizeUm = 0).</summary>
    public double DefaultPixelSizeUm { get; init; } = 0.1;

    /// <summary>
    /// k of the threshold: k × the SD that pixel noise alone gives the band-passed response at the cluster's local level
    /// (<see cref="DetectionThresholdMethod.PixelNoise"/>), or mean + k·SD of the band-passed frame
    /// (<see cref="DetectionThresholdMethod.ResponseSd"/>). Not used when <see cref="AbsoluteThreshold"/> is set.
    /// </summary>
    public double ThresholdSdFactor { get; init; } = 5.0;

    /// <summary>How the threshold on the band-passed response is set; see <see cref="DetectionThresholdMethod"/>.</summary>
    public DetectionThresholdMethod ThresholdMethod { get; init; } = DetectionThresholdMethod.PixelNoise;

    /// <summary>An absolute threshold on the band-passed response (counts); overrides <see cref="ThresholdMethod"/> when set.</summary>
    public double? AbsoluteThreshold { get; init; }

    /// <summary>
    /// Edge test (SIFT's, Lowe 2004): a maximum is kept only if the Hessian of the full-resolution DoG there has
    /// principal curvatures of one sign whose ratio r (larger / smaller) is below this — tr²/det &lt; (r+1)²/r. A spot
    /// curves alike in every direction (r ≈ 1); a maximum on a line (a membrane rim) barely curves along it.
    /// <see cref="double.PositiveInfinity"/> turns the test off.
    /// </summary>
    public double MaxCurvatureRatio { get; init; } = double.PositiveInfinity;

    /// <summary>
    /// Ridge test: a maximum is kept only if its response exceeds the mean response
    /// <see cref="RidgeDistanceDiameters"/> × d away on either side along its flattest direction by this many SD of
    /// the pixel-noise response at its level. A spot stands out in every direction; a shot-noise maximum on a
    /// membrane rim or cell edge does not stand out along the line. 0 turns the test off.
    /// </summary>
    public double RidgeProminenceSdFactor { get; init; } = 4.0;

    /// <summary>
    /// Ridge test, relative part: the response must also exceed the ridge's by this fraction of the ridge's response.
    /// Bright rims vary along their length by more than their noise (curvature, cells touching), and those variations
    /// are as prominent in noise units as a cluster.
    /// </summary>
    public double RidgeProminenceFraction { get; init; } = 0.5;

    /// <summary>How far along the ridge (in expected diameters) the ridge test looks.</summary>
    public double RidgeDistanceDiameters { get; init; } = 1.25;

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
        if (!(RidgeProminenceSdFactor >= 0)) throw new ArgumentOutOfRangeException(nameof(RidgeProminenceSdFactor), RidgeProminenceSdFactor, "must be ≥ 0");
        if (!(RidgeProminenceFraction >= 0)) throw new ArgumentOutOfRangeException(nameof(RidgeProminenceFraction), RidgeProminenceFraction, "must be ≥ 0");
        if (!(RidgeDistanceDiameters > 0)) throw new ArgumentOutOfRangeException(nameof(RidgeDistanceDiameters), RidgeDistanceDiameters, "must be > 0");
        if (!(MaxCurvatureRatio >= 1)) throw new ArgumentOutOfRangeException(nameof(MaxCurvatureRatio), MaxCurvatureRatio, "must be ≥ 1");
        if (!Enum.IsDefined(ThresholdMethod)) throw new ArgumentOutOfRangeException(nameof(ThresholdMethod), ThresholdMethod, "unknown method");
        if (!(ThresholdSdFactor >= 0)) throw new ArgumentOutOfRangeException(nameof(ThresholdSdFactor), ThresholdSdFactor, "must be ≥ 0");
        if (MaxClusters <= 0) throw new ArgumentOutOfRangeException(nameof(MaxClusters), MaxClusters, "must be > 0");
        if (!(KernelTruncationSigmas >= 1.5)) throw new ArgumentOutOfRangeException(nameof(KernelTruncationSigmas), KernelTruncationSigmas, "must be ≥ 1.5");
        if (!(HalfResolutionFromDiameterPx > 0)) throw new ArgumentOutOfRangeException(nameof(HalfResolutionFromDiameterPx), HalfResolutionFromDiameterPx, "must be > 0 px");
        if (Parallelism < 0) throw new ArgumentOutOfRangeException(nameof(Parallelism), Parallelism, "must be ≥ 0");
    }

    /// <summary>The expected diameter in pixels for a given pixel size.</summary>
    public double DiameterPx(double pixelSizeUm) => ExpectedDiameterUm / (pixelSizeUm > 0 ? pixelSizeUm : DefaultPixelSizeUm);
}

/// <summary>How the cluster detector's threshold on the band-passed (DoG) response is set.</summary>
public enum DetectionThresholdMethod
{
    /// <summary>
    /// k × the response SD that pixel noise alone would give at the maximum's local level: the pixel noise model
    /// σ²(L) = a + b·L (read + shot noise) is estimated on every frame, the local level L is the wide Gaussian at the
    /// maximum less the share of the spot itself, and the response SD is σ(L) × the L2 norm of the DoG kernel.
    /// Independent of how much structure (cells, rims, clusters) the frame holds.
    /// </summary>
    PixelNoise,

    /// <summary>
    /// mean + k·SD of the response over the whole frame: simple, but cells, rims and the clusters themselves inflate the
    /// SD, so the threshold rises with the number of clusters.
    /// </summary>
    ResponseSd,
}
