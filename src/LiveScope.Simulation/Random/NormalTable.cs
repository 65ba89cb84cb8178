namespace LiveScope.Simulation.Random;

/// <summary>
/// Standard normal deviates by table lookup: 65536 equiprobable quantiles, so one 64-bit draw gives four deviates.
/// The table is rescaled to mean 0 and variance 1 exactly, so noise statistics match the model; tails stop at ±4.3σ.
/// Immutable after construction; shared by all render bands.
/// </summary>
public sealed class NormalTable
{
    public const int Bits = 16;
    private readonly float[] _values = new float[1 << Bits];

    public NormalTable()
    {
        int n = _values.Length;
        double sum = 0, sumSq = 0;
        var raw = new double[n];
        for (int i = 0; i < n; i++)
        {
            raw[i] = InverseNormal((i + 0.5) / n);
            sum += raw[i];
        }
        double mean = sum / n;
        for (int i = 0; i < n; i++) sumSq += (raw[i] - mean) * (raw[i] - mean);
        double scale = 1 / Math.Sqrt(sumSq / n);
        for (int i = 0; i < n; i++) _values[i] = (float)((raw[i] - mean) * scale);
    }

    public ReadOnlySpan<float> Values => _values;

    /// <summary>Acklam's rational approximation of the normal quantile (relative error below 1.2e-9).</summary>
    public static double InverseNormal(double p)
    {
        ReadOnlySpan<double> a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        ReadOnlySpan<double> b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        ReadOnlySpan<double> c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        ReadOnlySpan<double> d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low)
        {
            double q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        double r = p - 0.5, s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}
