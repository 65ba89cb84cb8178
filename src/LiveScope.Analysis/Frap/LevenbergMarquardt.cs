namespace LiveScope.Analysis.Frap;

/// <summary>Outcome of a least-squares fit: parameters, their standard errors, residual sum of squares.</summary>
public sealed record LeastSquaresFit(double[] Parameters, double[] StandardErrors, double ResidualSumOfSquares, int Iterations, bool Converged);

/// <summary>
/// A small Levenberg–Marquardt solver (Marquardt's diagonal scaling, analytic Jacobian) for models with a handful
/// of parameters. Standard errors are √diag(s²·(JᵀJ)⁻¹) with s² = SSR/(n−p), as scipy.optimize.curve_fit reports
/// them with absolute_sigma=False, so the two can be compared directly.
/// </summary>
public static class LevenbergMarquardt
{
    /// <summary>model(t, p) and its gradient ∂model/∂p written into the span.</summary>
    public delegate double Model(double t, ReadOnlySpan<double> p, Span<double> gradient);

    public static LeastSquaresFit Fit(Model model, ReadOnlySpan<double> t, ReadOnlySpan<double> y, double[] initial,
        int maxIterations = 500, double tolerance = 1e-14)
    {
        int n = t.Length, m = initial.Length;
        if (n <= m) throw new ArgumentException($"need more than {m} points to fit {m} parameters", nameof(t));
        var p = (double[])initial.Clone();
        var jtj = new double[m, m]; var jtr = new double[m]; var g = new double[m];
        var trial = new double[m];
        double ssr = Ssr(model, t, y, p, g);
        double lambda = 1e-3;
        bool converged = false; int it;
        for (it = 0; it < maxIterations && !converged; it++)
        {
            Normal(model, t, y, p, g, jtj, jtr);
            bool improved = false;
            while (!improved)
            {
                var a = new double[m, m];
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < m; j++) a[i, j] = jtj[i, j];
                    a[i, i] += lambda * Math.Max(jtj[i, i], 1e-300);
                }
                var step = Solve(a, jtr);
                if (step is null) { lambda *= 10; if (lambda > 1e30) break; continue; }
                for (int i = 0; i < m; i++) trial[i] = p[i] + step[i];
                double trialSsr = Ssr(model, t, y, trial, g);
                if (double.IsFinite(trialSsr) && trialSsr <= ssr)
                {
                    double relChange = (ssr - trialSsr) / Math.Max(ssr, 1e-300);
                    double stepSize = 0, size = 0;
                    for (int i = 0; i < m; i++) { stepSize += step[i] * step[i]; size += p[i] * p[i]; }
                    Array.Copy(trial, p, m);
                    ssr = trialSsr;
                    lambda = Math.Max(lambda / 10, 1e-12);
                    improved = true;
                    converged = relChange < tolerance || Math.Sqrt(stepSize) < tolerance * (Math.Sqrt(size) + tolerance);
                }
                else
                {
                    lambda *= 10;
                    if (lambda > 1e30) { converged = true; break; }   // no downhill step left: at the minimum
                }
            }
        }
        Normal(model, t, y, p, g, jtj, jtr);
        var covariance = Invert(jtj);
        double s2 = ssr / (n - m);
        var se = new double[m];
        for (int i = 0; i < m; i++) se[i] = covariance is null ? double.NaN : Math.Sqrt(Math.Max(0, covariance[i, i] * s2));
        return new LeastSquaresFit(p, se, ssr, it, converged);
    }

    private static double Ssr(Model model, ReadOnlySpan<double> t, ReadOnlySpan<double> y, double[] p, double[] g)
    {
        double s = 0;
        for (int i = 0; i < t.Length; i++) { double r = y[i] - model(t[i], p, g); s += r * r; }
        return s;
    }

    private static void Normal(Model model, ReadOnlySpan<double> t, ReadOnlySpan<double> y, double[] p, double[] g, double[,] jtj, double[] jtr)
    {
        int m = p.Length;
        Array.Clear(jtj); Array.Clear(jtr);
        for (int k = 0; k < t.Length; k++)
        {
            double r = y[k] - model(t[k], p, g);
            for (int i = 0; i < m; i++)
            {
                jtr[i] += g[i] * r;
                for (int j = 0; j < m; j++) jtj[i, j] += g[i] * g[j];
            }
        }
    }

    /// <summary>Gaussian elimination with partial pivoting; null when singular.</summary>
    private static double[]? Solve(double[,] a, double[] b)
    {
        int m = b.Length;
        var x = (double[])b.Clone();
        for (int c = 0; c < m; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < m; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c])) pivot = r;
            if (Math.Abs(a[pivot, c]) < 1e-300) return null;
            if (pivot != c)
            {
                for (int k = 0; k < m; k++) (a[c, k], a[pivot, k]) = (a[pivot, k], a[c, k]);
                (x[c], x[pivot]) = (x[pivot], x[c]);
            }
            for (int r = c + 1; r < m; r++)
            {
                double f = a[r, c] / a[c, c];
                for (int k = c; k < m; k++) a[r, k] -= f * a[c, k];
                x[r] -= f * x[c];
            }
        }
        for (int r = m - 1; r >= 0; r--)
        {
            double s = x[r];
            for (int k = r + 1; k < m; k++) s -= a[r, k] * x[k];
            x[r] = s / a[r, r];
        }
        return x;
    }

    private static double[,]? Invert(double[,] a)
    {
        int m = a.GetLength(0);
        var inverse = new double[m, m];
        for (int c = 0; c < m; c++)
        {
            var e = new double[m]; e[c] = 1;
            var col = Solve((double[,])a.Clone(), e);
            if (col is null) return null;
            for (int r = 0; r < m; r++) inverse[r, c] = col[r];
        }
        return inverse;
    }
}
