namespace LiveScope.Analysis.Detection;

/// <summary>Frame-level numbers of one detection; the clusters themselves are in <see cref="ClusterDetector.Clusters"/>.</summary>
public readonly record struct DetectionResult(
    int ClusterCount,
    int CandidateCount,
    double Threshold,
    double ResponseMean,
    double ResponseSd,
    double DiameterPx,
    bool Truncated);
