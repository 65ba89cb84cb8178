namespace LiveScope.Analysis.Frap;

/// <summary>
/// A recovery cut short by its cluster dissolving. A cluster that starts to dissolve during its recovery loses every
/// molecule at the exchange rate k it recovered with (mobile ones leave and none enter; immobile ones are shed at
/// the same rate), so the ROI turns from F∞ − A·e^(−k·t) to a decay at the same k towards the diffuse level B:
/// <code>
///   t &lt; t_d:  F = F∞ − A·e^(−k·t)
///   t ≥ t_d:  F = B + (F(t_d) − B)·e^(−k·(t − t_d))
/// </code>
/// A one-exponential fit through such a curve reads the turn as an early plateau (t½ short, or no fit at all). This
/// fits the two-phase model for each frame as t_d and keeps the best, if the data favour it over one exponential by
/// a clear margin (BIC). Both phases then measure k; F∞ and A are the recovery's, so the mobile fraction is too.
/// </summary>
public static class FrapDissolution
{
    /// <summary>The piecewise model with t_d fixed; p = [F∞, A, k, B].</summary>
    public static double Model(double t, ReadOnlySpan<double> p, Span<double> gradient, double dissolvesFromS)
    {
        if (t < dissolvesFromS)
        {
            gradient[3] = 0;
            return FrapModels.OneExponential(t, p, gradient[..3]);
        }
        double ed = Math.Exp(-p[2] * dissolvesFromS), e = Math.Exp(-p[2] * (t - dissolvesFromS));
        double fd = p[0] - p[1] * ed;
        gradient[0] = e;
        gradient[1] = -ed * e;
        gradient[2] = p[1] * dissolvesFromS * ed * e - (fd - p[3]) * (t - dissolvesFromS) * e;
        gradient[3] = 1 - e;
        return p[3] + (fd - p[3]) * e;
    }

    /// <summary>BIC units by which the two-phase fit must beat one exponential (≥ 10: "very strong" evidence).</summary>
    public const double MinBicGain = 10;

    /// <summary>
    /// The best two-phase fit of the post-bleach curve (t from 0), or null when one exponential explains it as well
    /// (<paramref name="oneExponential"/> is that fit). At least 4 frames of recovery and of decay are required.
    /// </summary>
    public static (LeastSquaresFit Fit, double DissolvesFromS)? Fit(double[] t, double[] y, LeastSquaresFit oneExponential)
    {
        int n = t.Length;
        if (n < 12) return null;
        (LeastSquaresFit Fit, double At)? best = null;
        var p1 = oneExponential.Parameters;
        for (int j = 4; j <= n - 4; j++)
        {
            double td = t[j];
            // Start from the one-exponential fit of the frames before t_d, decaying to the last frames' level.
            double b = y.Skip(n - 3).Average();
            double[] initial = [Math.Max(y.Take(j + 1).Max(), p1[0]), Math.Max(y.Take(j + 1).Max() - y[0], 1e-3), Math.Max(p1[2], 1e-3), b];
            LeastSquaresFit fit;
            try
            {
                fit = LevenbergMarquardt.Fit((tt, p, g) => Model(tt, p, g, td), t, y, initial);
            }
            catch (ArgumentException)
            {
                continue;
            }
            var p = fit.Parameters;
            // A recovery (A > 0, k > 0) that then falls (F(t_d) above B): otherwise this is not the dissolution case.
            bool sensible = p[1] > 0 && p[2] > 0 && double.IsFinite(fit.ResidualSumOfSquares) && p[0] - p[1] * Math.Exp(-p[2] * td) > p[3];
            if (sensible && (best is null || fit.ResidualSumOfSquares < best.Value.Fit.ResidualSumOfSquares)) best = (fit, td);
        }
        if (best is not { } found) return null;
        // BIC = n·ln(SSR/n) + params·ln n; two more parameters here (B and t_d).
        double gain = n * Math.Log(oneExponential.ResidualSumOfSquares / found.Fit.ResidualSumOfSquares) - 2 * Math.Log(n);
        return gain >= MinBicGain ? found : null;
    }
}
