using System.Numerics;
using System.Runtime.CompilerServices;

namespace LiveScope.Simulation.Random;

/// <summary>
/// xoshiro256** (Blackman and Vigna): small, fast, good statistics. A mutable struct so each render band or
/// physics stream keeps its own generator on the stack without allocating; pass it by ref.
/// </summary>
public struct Xoshiro
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds from any number of keys (seed, frame number, band …) so streams are independent and reproducible.</summary>
    public Xoshiro(ulong a, ulong b = 0, ulong c = 0)
    {
        ulong x = a * 0x9E3779B97F4A7C15UL ^ Mix(b + 0x632BE59BD9B4E019UL) ^ Mix(Mix(c) + 0x85157AF5UL);
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return Mix(x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in (0, 1], safe for logarithms.</summary>
    public double NextDoubleNonZero() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Standard normal by Box–Muller (physics only; the renderer uses <see cref="NormalTable"/>).</summary>
    public double NextGaussian()
    {
        double u = NextDoubleNonZero(), v = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    public double NextExponential(double mean) => -mean * Math.Log(NextDoubleNonZero());

    /// <summary>Poisson by inversion; for the small means of per-step event counts.</summary>
    public int NextPoisson(double mean)
    {
        if (mean <= 0) return 0;
        if (mean > 50) return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * NextGaussian()));
        double u = NextDouble(), p = Math.Exp(-mean), cdf = p;
        int k = 0;
        while (u > cdf && k < 1000)
        {
            k++;
            p *= mean / k;
            cdf += p;
        }
        return k;
    }
}
