namespace LiveScope.Analysis.Validation;

/// <summary>A spot placed in a synthetic frame: pixel position and peak amplitude above background (electrons).</summary>
public readonly record struct TrueSpot(double X, double Y, double AmplitudeE);

/// <summary>
/// Seeded synthetic camera frames for scoring and benchmarking the detector without the simulator: Gaussian spots
/// at known sub-pixel positions on a flat background, Poisson shot noise, Gaussian read noise, offset and gain.
/// SNR is defined as the spot's peak amplitude over the total noise SD of a background pixel:
/// SNR = A / √(B + σ_read²), all in electrons (B = background electrons per pixel).
/// </summary>
public sealed record SyntheticSpotFrameSpec
{
    public int Width { get; init; } = 512;
    public int Height { get; init; } = 512;
    public int SpotCount { get; init; } = 100;
    public double SpotSigmaPx { get; init; } = 1.5;
    public double Snr { get; init; } = 5;
    public double BackgroundE { get; init; } = 100;
    public double ReadNoiseE { get; init; } = 1.6;
    public double GainAduPerE { get; init; } = 1.0;
    public double OffsetAdu { get; init; } = 100;
    /// <summary>Spots are at least this far apart (px) and this far from the border, so ground truth is unambiguous.</summary>
    public double MinSeparationPx { get; init; } = 12;
    public int BorderPx { get; init; } = 8;
    public int Seed { get; init; } = 1;

    public double NoiseSdE => Math.Sqrt(BackgroundE + ReadNoiseE * ReadNoiseE);
    public double AmplitudeE => Snr * NoiseSdE;
}

public static class SyntheticSpotFrame
{
    /// <summary>Renders a frame into <paramref name="pixels"/> (Width·Height, row-major) and returns the spots.</summary>
    public static TrueSpot[] Render(SyntheticSpotFrameSpec spec, Span<ushort> pixels)
    {
        int w = spec.Width, h = spec.Height;
        if (pixels.Length < w * h) throw new ArgumentException("buffer smaller than the frame", nameof(pixels));
        var rng = new Random(spec.Seed);
        var spots = PlaceSpots(spec, rng);
        var expected = new double[w * h];
        Array.Fill(expected, spec.BackgroundE);
        int reach = (int)Math.Ceiling(4 * spec.SpotSigmaPx);
        foreach (var s in spots)
        {
            int x0 = Math.Max(0, (int)s.X - reach), x1 = Math.Min(w - 1, (int)s.X + reach + 1);
            int y0 = Math.Max(0, (int)s.Y - reach), y1 = Math.Min(h - 1, (int)s.Y + reach + 1);
            // Pixel-integrated Gaussian whose continuous peak is the amplitude.
            double norm = s.AmplitudeE * 2 * Math.PI * spec.SpotSigmaPx * spec.SpotSigmaPx;
            for (int y = y0; y <= y1; y++)
            {
                double fy = PixelFraction(y - s.Y, spec.SpotSigmaPx);
                for (int x = x0; x <= x1; x++)
                    expected[y * w + x] += norm * fy * PixelFraction(x - s.X, spec.SpotSigmaPx);
            }
        }
        for (int i = 0; i < w * h; i++)
        {
            double electrons = Poisson(rng, expected[i]) + spec.ReadNoiseE * Normal(rng);
            double adu = spec.OffsetAdu + spec.GainAduPerE * electrons;
            pixels[i] = (ushort)Math.Clamp(Math.Round(adu), 0, ushort.MaxValue);
        }
        return spots;
    }

    private static TrueSpot[] PlaceSpots(SyntheticSpotFrameSpec spec, Random rng)
    {
        var spots = new List<TrueSpot>(spec.SpotCount);
        double minSq = spec.MinSeparationPx * spec.MinSeparationPx;
        for (int attempt = 0; spots.Count < spec.SpotCount && attempt < spec.SpotCount * 1000; attempt++)
        {
            double x = spec.BorderPx + rng.NextDouble() * (spec.Width - 1 - 2 * spec.BorderPx);
            double y = spec.BorderPx + rng.NextDouble() * (spec.Height - 1 - 2 * spec.BorderPx);
            if (spots.Any(s => (s.X - x) * (s.X - x) + (s.Y - y) * (s.Y - y) < minSq)) continue;
            spots.Add(new TrueSpot(x, y, spec.AmplitudeE));
        }
        return [.. spots];
    }

    /// <summary>Fraction of a unit-area 1-D Gaussian falling in the pixel whose centre is at offset d.</summary>
    private static double PixelFraction(double d, double sigma)
    {
        double s = sigma * Math.Sqrt(2);
        return 0.5 * (Erf((d + 0.5) / s) - Erf((d - 0.5) / s));
    }

    internal static double Erf(double x) => MathNet.Numerics.SpecialFunctions.Erf(x);

    internal static double Normal(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    internal static double Poisson(Random rng, double mean)
    {
        if (mean <= 0) return 0;
        if (mean > 50) return Math.Max(0, Math.Round(mean + Math.Sqrt(mean) * Normal(rng)));
        double limit = Math.Exp(-mean), p = 1; int k = 0;
        do { k++; p *= rng.NextDouble(); } while (p > limit);
        return k - 1;
    }
}
