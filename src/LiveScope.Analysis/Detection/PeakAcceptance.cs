namespace LiveScope.Analysis.Detection;

/// <summary>
/// The tests a located maximum must pass on its own, before the merge: the edge test (curvature ratio), the
/// pixel-noise threshold at its local level and the ridge test. They read the frame's noise model, so they are valid
/// once <see cref="PixelNoiseModel.Estimate"/> has run for the frame. Shared by the detector (binned sweep: tested
/// after refinement) and the full-resolution sweep (tested while the DoG rows are still in the band's ring).
/// </summary>
internal sealed class PeakAcceptance
{
    private readonly ClusterDetectorOptions _options;
    private readonly PixelNoiseModel _noise;
    private readonly double _responseSdPerNoiseSd, _spotNarrowPerDog, _prominenceNorm;
    private readonly float _curvatureLimit;
    private readonly bool _noiseThreshold, _ridgeTest;

    /// <param name="responseSdPerNoiseSd">Sweep response SD per ADU of pixel noise (the DoG kernel's L2 norm at the swept resolution).</param>
    /// <param name="spotNarrowPerDog">The spot's share of the narrow blur per unit of DoG at its peak.</param>
    /// <param name="prominenceNorm">SD of the ridge prominence per ADU of pixel noise.</param>
    public PeakAcceptance(ClusterDetectorOptions options, PixelNoiseModel noise, double responseSdPerNoiseSd, double spotNarrowPerDog, double prominenceNorm)
    {
        _options = options;
        _noise = noise;
        _responseSdPerNoiseSd = responseSdPerNoiseSd;
        _spotNarrowPerDog = spotNarrowPerDog;
        _prominenceNorm = prominenceNorm;
        double r = options.MaxCurvatureRatio;
        _curvatureLimit = double.IsPositiveInfinity(r) ? float.PositiveInfinity : (float)((r + 1) * (r + 1) / r);
        _noiseThreshold = options.AbsoluteThreshold is null && options.ThresholdMethod == DetectionThresholdMethod.PixelNoise;
        _ridgeTest = options.RidgeProminenceSdFactor > 0;
    }

    /// <summary>
    /// True when the maximum (of swept response <paramref name="response"/>) passes every test of its own. The noise
    /// threshold is k × the response SD of pixel noise at the local level: shot noise grows with the level, so maxima
    /// on bright structure (rims, bright cytoplasm) need more response than on the dark background.
    /// </summary>
    public bool Keeps(in RefinedPeak peak, float response)
    {
        if (_curvatureLimit < float.PositiveInfinity && !(peak.CurvatureRatio < _curvatureLimit)) return false;
        if (!_noiseThreshold && !_ridgeTest) return true;
        // Both tests read the pixel noise at the peak's level: one square root instead of two.
        double sd = _noise.Sd(LocalLevel(peak));
        if (_noiseThreshold && response <= _options.ThresholdSdFactor * (_responseSdPerNoiseSd * sd)) return false;
        return !_ridgeTest || StandsOutOfRidge(peak, sd);
    }

    /// <summary>
    /// The noise test before the maximum is located or its ridge sampled, at its lowest threshold (a ridge response
    /// ≤ 0; a higher one raises the local level). False means <see cref="Keeps"/> is false whatever the ridge samples
    /// and the curvature, so they need not be computed.
    /// </summary>
    public bool MayKeep(float dog, float narrow, float response)
        => !_noiseThreshold || response > _options.ThresholdSdFactor * (_responseSdPerNoiseSd * _noise.Sd(LocalLevel(dog, narrow, 0)));

    /// <summary>
    /// True when a ridge response of at least <paramref name="alongRidge"/> already fails the ridge test's fraction clause
    /// (<see cref="ProminentOverFraction"/>, the clause <see cref="StandsOutOfRidge"/> applies). <see cref="Keeps"/> only
    /// gets less likely as the ridge response grows (the prominence falls, the local level and so the noise threshold
    /// rise), so the sampling may stop there: most maxima on a membrane rim show it in the first directions sampled.
    /// </summary>
    public bool RidgeFailsFrom(float dog, float alongRidge) => _ridgeTest && !ProminentOverFraction(dog, alongRidge);

    /// <summary>
    /// The DoG at the peak exceeds the ridge response by more than <see cref="ClusterDetectorOptions.RidgeProminenceFraction"/>
    /// of it. The prominence is the float difference, as the ridge test has always taken it.
    /// </summary>
    private bool ProminentOverFraction(float dog, float alongRidge) => (double)(dog - alongRidge) > _options.RidgeProminenceFraction * alongRidge;

    /// <summary>
    /// The level whose shot noise the DoG at the peak carries: the narrow Gaussian there (it weights the pixels the DoG
    /// weights most; the wide one would average a 2–3 px rim with the darker cytoplasm beside it) less the spot's own
    /// share, which for a matched spot is a fixed multiple of its response above the ridge it sits on.
    /// </summary>
    private double LocalLevel(in RefinedPeak peak) => LocalLevel(peak.Dog, peak.Narrow, peak.AlongRidge);

    private double LocalLevel(double dog, double narrow, double alongRidge)
    {
        double spotDog = dog - Math.Max(0, alongRidge);
        return Math.Clamp(narrow - _spotNarrowPerDog * spotDog, 0, Math.Max(0, narrow));
    }

    /// <summary>
    /// Ridge test: the full-resolution DoG at the peak must exceed the mean DoG one ridge distance away on both sides
    /// along the ridge by <see cref="ClusterDetectorOptions.RidgeProminenceSdFactor"/> × the SD pixel noise gives that
    /// difference at the peak's level.
    /// </summary>
    /// <param name="noiseSd">The pixel noise SD at the peak's local level.</param>
    private bool StandsOutOfRidge(in RefinedPeak peak, double noiseSd)
    {
        double prominence = peak.Dog - peak.AlongRidge;
        return prominence > _options.RidgeProminenceSdFactor * _prominenceNorm * noiseSd
            && ProminentOverFraction(peak.Dog, peak.AlongRidge);
    }
}
