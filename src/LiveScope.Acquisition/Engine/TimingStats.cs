namespace LiveScope.Acquisition.Engine;

/// <summary>Collects lateness samples (actual − planned start) and summarises them.</summary>
public sealed class TimingStats
{
    private readonly List<double> _latenessMs = new(1024);

    public void Add(TimeSpan lateness) => _latenessMs.Add(lateness.TotalMilliseconds);

    public IReadOnlyList<double> LatenessMs => _latenessMs;

    public TimingSummary Summarise()
    {
        if (_latenessMs.Count == 0) return new TimingSummary(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        var sorted = _latenessMs.Order().ToArray();
        double mean = sorted.Average();
        double sd = Math.Sqrt(sorted.Sum(v => (v - mean) * (v - mean)) / sorted.Length);
        return new TimingSummary(sorted.Length, Ms(Percentile(sorted, 0.50)), Ms(Percentile(sorted, 0.99)), Ms(sorted[^1]), Ms(sd));
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double p)
        => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);
}
