namespace LiveScope.Analysis.Detection;

/// <summary>
/// Frame-level numbers of one detection; the clusters themselves are in <see cref="ClusterDetector.Clusters"/>.
/// With the pixel-noise threshold each maximum has its own threshold (from the noise at its level): <see cref="Threshold"/>
/// is then the lowest, at the frame's dark background, and <see cref="NoiseSd"/> the pixel noise SD there (ADU; NaN
/// with the other methods); <see cref="ResponseMean"/> and <see cref="ResponseSd"/>, which only the whole-frame threshold
/// needs, are then NaN (the sweep does not sum them).
/// </summary>
public readonly record struct DetectionResult(
    int ClusterCount,
    int CandidateCount,
    double Threshold,
    double ResponseMean,
    double ResponseSd,
    double DiameterPx,
    bool Truncated,
    double NoiseSd = double.NaN);
