namespace LiveScope.Analysis.Frap;

/// <summary>Mean intensities per frame (counts) around one bleach: the bleached ROI, the whole-cell reference and background.</summary>
public sealed record FrapCurve(double[] TimesS, double[] Roi, double[] Reference, double[] Background, int FirstPostBleachIndex)
{
    /// <summary>Where the ROI's centre was in each frame, px (it may follow the cluster); null when not recorded.</summary>
    public double[]? RoiXPx { get; init; }
    public double[]? RoiYPx { get; init; }
    /// <summary>Mean of the diffuse pool next to the ROI per frame (counts), when measured; NaN where the ring had no pixels.</summary>
    public double[]? LocalPool { get; init; }
    /// <summary>Sectors of the pool ring left out (something new appeared in them, or they hold no cell pixels): see <see cref="FrapPoolRing"/>.</summary>
    public int LocalPoolSectorsLeftOut { get; init; }

    public void Validate()
    {
        int n = TimesS.Length;
        if (Roi.Length != n || Reference.Length != n || Background.Length != n)
            throw new ArgumentException("times, ROI, reference and background must have the same length");
        if (FirstPostBleachIndex < 1 || FirstPostBleachIndex >= n - 3)
            throw new ArgumentOutOfRangeException(nameof(FirstPostBleachIndex), FirstPostBleachIndex, "need pre-bleach frames and at least 4 post-bleach frames");
    }
}

public enum FrapModel { OneExponential, TwoExponentials }

public sealed record FrapOptions
{
    public FrapModel Model { get; init; } = FrapModel.OneExponential;
    /// <summary>Fit the full-scale normalised curve (F − F_post)/(F_pre − F_post) instead of the double-normalised one.</summary>
    public bool FullScale { get; init; }
    /// <summary>Bleach depth below this is insufficient (DESIGN: ≈0.8 good, &lt; 0.6 insufficient).</summary>
    public double MinBleachDepth { get; init; } = 0.6;
    /// <summary>Gap ratio (whole-cell fluorescence left after the bleach) below this means over-bleached.</summary>
    public double MinGapRatio { get; init; } = 0.6;
    /// <summary>
    /// With one exponential: fit a recovery that turns into its cluster's dissolution as such (<see cref="FrapDissolution"/>)
    /// when the data clearly favour it, instead of reading the turn as the plateau.
    /// </summary>
    public bool DetectDissolution { get; init; } = true;
    /// <summary>
    /// With one exponential and a measured local pool (<see cref="FrapCurve.LocalPool"/>): fit the recovery as exchange
    /// with that pool (<see cref="FrapPoolCoupled"/>), so a pool the bleach depleted does not lower the mobile fraction.
    /// </summary>
    public bool PoolCoupled { get; init; } = true;
}

/// <summary>The result of one FRAP analysis. Times in seconds; intensities on the normalised scale that was fitted.</summary>
public sealed record FrapResult(
    double[] Normalised,
    double HalfTimeS,
    double HalfTimeStandardErrorS,
    double MobileFraction,
    double MobileFractionStandardError,
    double[] Parameters,
    double[] ParameterStandardErrors,
    double RSquared,
    double BleachDepth,
    double GapRatio,
    IReadOnlyList<string> Warnings,
    FrapModel Model)
{
    /// <summary>When the cluster began to dissolve (s from the first post-bleach frame; NaN: it did not); then
    /// <see cref="Parameters"/> are [F∞, A, k, B] of <see cref="FrapDissolution.Model"/>.</summary>
    public double DissolvesFromS { get; init; } = double.NaN;

    /// <summary>
    /// Set when the fit was coupled to the local pool (<see cref="FrapPoolCoupled"/>): the post-bleach frame times (s)
    /// and L_k[u − 1] at them, the pool term the model adds (times A).
    /// </summary>
    public double[]? PoolTimesS { get; init; }
    public double[]? PoolLag { get; init; }
    /// <summary>The local pool's fluorescent share at the last frame, relative to the whole cell (1: no extra depletion; NaN: not measured).</summary>
    public double PoolShareAtEnd { get; init; } = double.NaN;

    /// <summary>The fitted curve at t (s from the first post-bleach frame).</summary>
    public double Evaluate(double t)
    {
        Span<double> gradient = stackalloc double[Parameters.Length];
        if (double.IsFinite(DissolvesFromS)) return FrapDissolution.Model(t, Parameters, gradient, DissolvesFromS);
        if (PoolLag is { } lag && PoolTimesS is { } times)
        {
            int i = Array.BinarySearch(times, t);
            double l = i >= 0 ? lag[i] : Interpolate(times, lag, ~i, t);
            return FrapModels.OneExponential(t, Parameters, gradient) + Parameters[1] * l;
        }
        return Model == FrapModel.OneExponential ? FrapModels.OneExponential(t, Parameters, gradient) : FrapModels.TwoExponentials(t, Parameters, gradient);
    }

    private static double Interpolate(double[] x, double[] y, int above, double at)
    {
        if (above <= 0) return y[0];
        if (above >= x.Length) return y[^1];
        double w = (at - x[above - 1]) / (x[above] - x[above - 1]);
        return y[above - 1] + w * (y[above] - y[above - 1]);
    }
}

/// <summary>
/// FRAP as easyFRAP does it: subtract background, divide by the whole-cell reference (acquisition bleaching) and
/// by the pre-bleach mean (Phair double normalisation), optionally full-scale normalise, then fit the post-bleach
/// recovery. t½ = ln2/k; mobile fraction Mf = (F∞ − F0)/(F_pre − F0) with F0 = F(t=0) of the fit.
/// For two exponentials t½ is the time the fitted curve takes to recover half of its amplitude.
/// </summary>
public static class FrapAnalysis
{
    public static FrapResult Analyse(FrapCurve curve, FrapOptions? options = null)
    {
        options ??= new FrapOptions();
        curve.Validate();
        int n = curve.TimesS.Length, post = curve.FirstPostBleachIndex;
        var roi = new double[n]; var reference = new double[n];
        for (int i = 0; i < n; i++) { roi[i] = curve.Roi[i] - curve.Background[i]; reference[i] = curve.Reference[i] - curve.Background[i]; }
        double roiPre = roi.Take(post).Average(), refPre = reference.Take(post).Average();
        var f = new double[n];
        for (int i = 0; i < n; i++) f[i] = roi[i] / roiPre * (refPre / reference[i]);

        double fPre = f.Take(post).Average(), fPost = f[post];
        double bleachDepth = (fPre - fPost) / fPre;
        double gapRatio = reference[post] / refPre;
        if (options.FullScale)
            for (int i = 0; i < n; i++) f[i] = (f[i] - fPost) / (fPre - fPost);
        double scalePre = options.FullScale ? 1.0 : fPre;

        var warnings = new List<string>();
        if (bleachDepth < options.MinBleachDepth)
            warnings.Add(FormattableString.Invariant($"bleach depth {bleachDepth:0.00} is below {options.MinBleachDepth:0.00}: insufficient bleach"));
        if (gapRatio < options.MinGapRatio)
            warnings.Add(FormattableString.Invariant($"gap ratio {gapRatio:0.00} is below {options.MinGapRatio:0.00}: over-bleached cell"));

        var t = new double[n - post]; var y = new double[n - post];
        for (int i = post; i < n; i++) { t[i - post] = curve.TimesS[i] - curve.TimesS[post]; y[i - post] = f[i]; }
        var fit = options.Model == FrapModel.OneExponential
            ? LevenbergMarquardt.Fit(FrapModels.OneExponential, t, y, InitialGuess(t, y, options.Model))
            : LevenbergMarquardt.Fit(FrapModels.TwoExponentials, t, y, InitialGuess(t, y, options.Model));
        double dissolvesFromS = double.NaN;
        if (options.DetectDissolution && options.Model == FrapModel.OneExponential && FrapDissolution.Fit(t, y, fit) is { } dissolving)
        {
            (fit, dissolvesFromS) = (dissolving.Fit, dissolving.DissolvesFromS);
            double halfTime = Math.Log(2) / fit.Parameters[2];
            warnings.Add(FormattableString.Invariant($"the cluster dissolves from t ≈ {dissolvesFromS:0.#} s: fitted as recovery then dissolution at the same rate")
                         + (dissolvesFromS < halfTime / 2 ? " (before t½/2: t½ rests mostly on the decay)" : ""));
        }
        double[]? poolLag = null;
        double poolShareAtEnd = double.NaN;
        if (options.PoolCoupled && options.Model == FrapModel.OneExponential && double.IsNaN(dissolvesFromS) && FrapPoolCoupled.PoolShare(curve) is { } u)
        {
            poolShareAtEnd = u[^1];
            var coupled = FrapPoolCoupled.Fit(t, y, u, fit.Parameters);
            if (coupled.Parameters[2] > 0 && double.IsFinite(coupled.ResidualSumOfSquares))
            {
                fit = coupled;
                poolLag = FrapPoolCoupled.Lagged(t, u.Select(v => v - 1).ToArray(), fit.Parameters[2]);
            }
        }
        if (!fit.Converged) warnings.Add("fit did not converge");

        var p = fit.Parameters; var se = fit.StandardErrors;
        double mean = y.Average(), sst = y.Sum(v => (v - mean) * (v - mean));
        double r2 = 1 - fit.ResidualSumOfSquares / sst;
        double fInf = p[0], amplitude = options.Model == FrapModel.OneExponential ? p[1] : p[1] + p[3];
        double f0 = fInf - amplitude;
        double mobile = (fInf - f0) / (scalePre - f0);
        // Mf = A/(Fpre − F∞ + A): first-order error propagation through F∞ and the amplitude (covariance ignored).
        double dA = (scalePre - fInf) / Math.Pow(scalePre - f0, 2), dFinf = amplitude / Math.Pow(scalePre - f0, 2);
        double seAmplitude = options.Model == FrapModel.OneExponential ? se[1] : Math.Sqrt(se[1] * se[1] + se[3] * se[3]);
        double mobileSe = Math.Sqrt(dA * dA * seAmplitude * seAmplitude + dFinf * dFinf * se[0] * se[0]);
        double half, halfSe;
        if (options.Model == FrapModel.OneExponential)
        {
            half = Math.Log(2) / p[2];
            halfSe = Math.Log(2) / (p[2] * p[2]) * se[2];
        }
        else
        {
            half = HalfRecoveryTime(p);
            halfSe = double.NaN;
        }
        return new FrapResult(f, half, halfSe, mobile, mobileSe, p, se, r2, bleachDepth, gapRatio, warnings, options.Model)
        {
            DissolvesFromS = dissolvesFromS, PoolTimesS = poolLag is null ? null : t, PoolLag = poolLag, PoolShareAtEnd = poolShareAtEnd,
        };
    }

    /// <summary>Starting parameters from the data: plateau from the last tenth, half-recovery time from the first crossing.</summary>
    public static double[] InitialGuess(double[] t, double[] y, FrapModel model)
        => model == FrapModel.OneExponential ? InitialOne(t, y) : InitialTwo(t, y);

    private static double[] InitialOne(double[] t, double[] y)
    {
        int tail = Math.Max(1, y.Length / 10);
        double fInf = y.Skip(y.Length - tail).Average(), f0 = y[0], a = fInf - f0;
        double halfLevel = f0 + a / 2;
        int i = Array.FindIndex(y, v => a >= 0 ? v >= halfLevel : v <= halfLevel);
        double tHalf = i > 0 ? t[i] : t[^1] / 4;
        return [fInf, a, Math.Log(2) / Math.Max(tHalf, 1e-6)];
    }

    private static double[] InitialTwo(double[] t, double[] y)
    {
        var one = InitialOne(t, y);
        return [one[0], one[1] / 2, one[2] * 3, one[1] / 2, one[2] / 3];
    }

    /// <summary>Time at which F∞ − A1e^(−k1t) − A2e^(−k2t) has recovered half of A1 + A2 (bisection; it is monotone for positive A, k).</summary>
    private static double HalfRecoveryTime(double[] p)
    {
        double total = p[1] + p[3];
        double Remaining(double t) => p[1] * Math.Exp(-p[2] * t) + p[3] * Math.Exp(-p[4] * t) - total / 2;
        double lo = 0, hi = 1e-3;
        while (Remaining(hi) > 0 && hi < 1e9) hi *= 2;
        for (int i = 0; i < 200; i++) { double mid = 0.5 * (lo + hi); if (Remaining(mid) > 0) lo = mid; else hi = mid; }
        return 0.5 * (lo + hi);
    }
}
