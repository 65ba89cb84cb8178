namespace LiveScope.Analysis.Detection;

/// <summary>A normalised, truncated 1-D Gaussian (sum 1), so the DoG of a flat background is exactly zero.</summary>
public sealed class GaussianKernel
{
    public GaussianKernel(double sigmaPx, double truncateSigmas = 3.0)
    {
        if (!(sigmaPx > 0)) throw new ArgumentOutOfRangeException(nameof(sigmaPx), sigmaPx, "must be > 0 px");
        SigmaPx = sigmaPx;
        Radius = Math.Max(1, (int)Math.Ceiling(truncateSigmas * sigmaPx));
        Weights = new float[2 * Radius + 1];
        double sum = 0;
        var w = new double[Weights.Length];
        for (int i = -Radius; i <= Radius; i++) sum += w[i + Radius] = Math.Exp(-0.5 * i * i / (sigmaPx * sigmaPx));
        for (int i = 0; i < w.Length; i++) Weights[i] = (float)(w[i] / sum);
    }

    public double SigmaPx { get; }
    public int Radius { get; }
    /// <summary>Weights for offsets −Radius..Radius.</summary>
    public float[] Weights { get; }

    public float this[int offset] => offset < -Radius || offset > Radius ? 0f : Weights[offset + Radius];

    /// <summary>σ1 = d/(1+√2), σ2 = √2·σ1 (TrackMate's DoG matched to a spot of diameter d).</summary>
    public static (double Sigma1Px, double Sigma2Px) DogSigmasFor(double diameterPx)
    {
        double s1 = diameterPx / (1 + Math.Sqrt(2));
        return (s1, Math.Sqrt(2) * s1);
    }
}
