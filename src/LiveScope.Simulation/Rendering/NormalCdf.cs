namespace LiveScope.Simulation.Rendering;

internal static class NormalCdf
{
    /// <summary>Φ(x) via Abramowitz–Stegun 7.1.26 (absolute error below 1.5e-7).</summary>
    public static double Phi(double x)
    {
        double z = Math.Abs(x) / Math.Sqrt(2);
        double t = 1 / (1 + 0.3275911 * z);
        double erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.Exp(-z * z);
        return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
    }
}
