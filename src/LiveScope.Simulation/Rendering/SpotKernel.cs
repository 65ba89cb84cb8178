namespace LiveScope.Simulation.Rendering;

/// <summary>A Gaussian blob splatted into a frame: a blurred cluster or the photo-targeter's reflected laser spot.</summary>
public struct SpotKernel
{
    public float XPx;
    public float YPx;
    public float SigmaPx;
    /// <summary>Total expected photons of the blob.</summary>
    public float Photons;
    public int Top;
    public int Bottom;
}
