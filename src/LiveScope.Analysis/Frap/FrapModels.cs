namespace LiveScope.Analysis.Frap;

/// <summary>Recovery models, t in seconds from the first post-bleach frame.</summary>
public static class FrapModels
{
    /// <summary>F = F∞ − A·e^(−k·t); p = [F∞, A, k].</summary>
    public static double OneExponential(double t, ReadOnlySpan<double> p, Span<double> gradient)
    {
        double e = Math.Exp(-p[2] * t);
        gradient[0] = 1; gradient[1] = -e; gradient[2] = p[1] * t * e;
        return p[0] - p[1] * e;
    }

    /// <summary>F = F∞ − A1·e^(−k1·t) − A2·e^(−k2·t); p = [F∞, A1, k1, A2, k2].</summary>
    public static double TwoExponentials(double t, ReadOnlySpan<double> p, Span<double> gradient)
    {
        double e1 = Math.Exp(-p[2] * t), e2 = Math.Exp(-p[4] * t);
        gradient[0] = 1; gradient[1] = -e1; gradient[2] = p[1] * t * e1; gradient[3] = -e2; gradient[4] = p[3] * t * e2;
        return p[0] - p[1] * e1 - p[3] * e2;
    }
}
