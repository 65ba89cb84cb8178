namespace LiveScope.Core.Geometry;

/// <summary>Camera pixel coordinates: x right, y down, origin at the centre of the top-left pixel.</summary>
public readonly record struct PixelPoint(double X, double Y)
{
    public double DistanceTo(PixelPoint other) => Math.Sqrt((X - other.X) * (X - other.X) + (Y - other.Y) * (Y - other.Y));
    public override string ToString() => $"({X:0.###}, {Y:0.###}) px";
}

/// <summary>Stage coordinates in micrometres; kept apart from pixels on purpose.</summary>
public readonly record struct StagePositionUm(double XUm, double YUm)
{
    public override string ToString() => $"({XUm:0.###}, {YUm:0.###}) µm";
}
