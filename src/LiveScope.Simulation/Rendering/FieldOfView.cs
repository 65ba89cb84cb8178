namespace LiveScope.Simulation.Rendering;

/// <summary>
/// Which part of the sample a frame shows: the sample position of the top-left pixel's outer corner, the pixel size
/// (after binning) and the frame size. Pixel (x, y) has its centre at Left + (x + ½)·pixel.
/// </summary>
public readonly record struct FieldOfView(double LeftUm, double TopUm, double PixelUm, int Width, int Height)
{
    public double RightUm => LeftUm + Width * PixelUm;
    public double BottomUm => TopUm + Height * PixelUm;
    public double ToPixelX(double xUm) => (xUm - LeftUm) / PixelUm - 0.5;
    public double ToPixelY(double yUm) => (yUm - TopUm) / PixelUm - 0.5;
    public double ToUmX(double xPx) => LeftUm + (xPx + 0.5) * PixelUm;
    public double ToUmY(double yPx) => TopUm + (yPx + 0.5) * PixelUm;
}
