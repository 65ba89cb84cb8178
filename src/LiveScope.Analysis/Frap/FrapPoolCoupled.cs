namespace LiveScope.Analysis.Frap;

/// <summary>
/// One-exponential recovery from a pool that the bleach depleted. A cluster's mobile molecules exchange with the
/// diffuse pool around it at k = k_off, so they recover towards the pool's fluorescent share u(t), not towards 1: the
/// bleach itself takes part of a small pool, and the bleached molecules the cluster releases keep diluting it while
/// it recovers. The whole-cell reference spreads that loss over the whole cell, so the plateau (mobile fraction)
/// comes out low and the recovery ends early (t½ short). Here u(t) is measured — a ring around the ROI, relative to
/// the whole cell, 1 before the bleach — and the cluster's exchange dC/dt = k·(M·u(t) − C) is solved with it:
/// <code>
///   F(t) = F∞ − A·e^(−kt) + A·L_k[u − 1](t),   L_k[v](t) = k∫₀ᵗ e^(−k(t−τ)) v(τ) dτ
/// </code>
/// F∞, A and k mean what they mean for one exponential (F∞ is the plateau an undepleted pool would give, so the
/// mobile fraction is the cluster's own), and with u ≡ 1 the model is exactly F∞ − A·e^(−kt). The pool term is
/// scaled by A, i.e. by the mobile molecules that recovered rather than all of them (those the bleach missed are
/// left out): a second-order error, (1 − bleach depth) × the pool's depletion.
/// </summary>
public static class FrapPoolCoupled
{
    /// <summary>
    /// The local pool's fluorescent share at each post-bleach frame, relative to the whole-cell reference and to the
    /// pre-bleach frames (1 = depleted no more than the whole cell); null when the curve has no usable ring.
    /// </summary>
    public static double[]? PoolShare(FrapCurve curve)
    {
        if (curve.LocalPool is not { } ring || ring.Length != curve.TimesS.Length) return null;
        int n = ring.Length, post = curve.FirstPostBleachIndex;
        var ratio = new double[n];
        for (int i = 0; i < n; i++)
        {
            double pool = ring[i] - curve.Background[i], cell = curve.Reference[i] - curve.Background[i];
            ratio[i] = pool / cell;
            if (!double.IsFinite(ratio[i]) || !(pool > 0) || !(cell > 0)) return null;
        }
        double pre = ratio.Take(post).Average();
        var u = new double[n - post];
        for (int i = post; i < n; i++) u[i - post] = ratio[i] / pre;
        return u;
    }

    /// <summary>L_k[v] at the times t (t[0] = 0, L = 0 there), v taken as linear between samples (exact for that).</summary>
    public static double[] Lagged(ReadOnlySpan<double> t, ReadOnlySpan<double> v, double k)
    {
        var l = new double[t.Length];
        for (int i = 1; i < t.Length; i++)
        {
            double h = t[i] - t[i - 1], kh = k * h, e = Math.Exp(-kh);
            // ∫ over one interval of k·e^(−k(t_i − τ))·(linear v): the step's share of v[i−1] and of the slope.
            double slopeShare = kh > 1e-9 ? 1 - (1 - e) / kh : kh / 2;
            l[i] = e * l[i - 1] + v[i - 1] * (1 - e) + (v[i] - v[i - 1]) * slopeShare;
        }
        return l;
    }

    /// <summary>Fits [F∞, A, k] to the post-bleach curve y(t) with the pool share u (same length), from <paramref name="initial"/>.</summary>
    public static LeastSquaresFit Fit(double[] t, double[] y, double[] u, double[] initial)
    {
        var deficit = u.Select(v => v - 1).ToArray();
        double cachedK = double.NaN;
        double[] lag = [], lagDk = [];
        return LevenbergMarquardt.Fit((tt, p, g) =>
        {
            if (p[2] != cachedK)
            {
                cachedK = p[2];
                double dk = Math.Max(Math.Abs(cachedK) * 1e-6, 1e-12);
                lag = Lagged(t, deficit, cachedK);
                var ahead = Lagged(t, deficit, cachedK + dk);
                lagDk = new double[t.Length];
                for (int i = 0; i < t.Length; i++) lagDk[i] = (ahead[i] - lag[i]) / dk;
            }
            int j = Array.BinarySearch(t, tt);
            if (j < 0) throw new ArgumentException("the pool-coupled model is only defined at the curve's frame times");
            double e = Math.Exp(-p[2] * tt);
            g[0] = 1; g[1] = -e + lag[j]; g[2] = p[1] * tt * e + p[1] * lagDk[j];
            return p[0] - p[1] * e + p[1] * lag[j];
        }, t, y, initial);
    }
}
