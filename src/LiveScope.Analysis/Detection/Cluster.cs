namespace LiveScope.Analysis.Detection;

/// <summary>
/// One detected cluster. Pixel coordinates (x right, y down, origin at the centre of the top-left pixel);
/// intensities in camera counts. <see cref="IntegratedIntensity"/> and <see cref="AreaPx"/> refer to the region:
/// pixels connected to the peak that lie above half-maximum over the local background.
/// </summary>
public readonly record struct Cluster(
    float X,
    float Y,
    float Response,
    float PeakIntensity,
    float Background,
    float IntegratedIntensity,
    int AreaPx,
    float Circularity);
