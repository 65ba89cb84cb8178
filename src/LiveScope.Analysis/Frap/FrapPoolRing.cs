namespace LiveScope.Analysis.Frap;

/// <summary>
/// The diffuse pool next to a bleached cluster: a ring around the ROI, within the reference cell, in
/// <see cref="Sectors"/> sectors of 45°. Another cluster born in the ring, or drifting into it, during the recovery would
/// read as the pool refilling; its sector is left out. The pool only loses fluorescence after the bleach (the bleached
/// molecules the cluster releases, acquisition bleaching), so a sector whose level (smoothed over 3 frames) rises above
/// its lowest so far by more than <see cref="RiseSds"/> noise SDs for <see cref="RiseFrames"/> frames in a row holds
/// something new. (A neighbour that shrinks in the ring is not caught: it reads as depletion.)
/// </summary>
public sealed class FrapPoolRing(double innerPx, double outerPx)
{
    public const int Sectors = 8;
    public const double RiseSds = 8;
    public const int RiseFrames = 3;
    /// <summary>Frames averaged before a sector's level is compared with its lowest so far.</summary>
    private const int Smooth = 3;

    private readonly List<double> _sums = [];
    private readonly List<int> _counts = [];
    private readonly double[] _frameSums = new double[Sectors];
    private readonly int[] _frameCounts = new int[Sectors];
    private readonly double _inner2 = innerPx * innerPx, _outer2 = outerPx * outerPx;

    public int Frames => _counts.Count / Sectors;

    public void BeginFrame()
    {
        Array.Clear(_frameSums);
        Array.Clear(_frameCounts);
    }

    /// <summary>A pixel of the reference cell at (dx, dy) from the ROI centre, d2 = dx² + dy²; ignored outside the ring.</summary>
    public void Add(double dx, double dy, double d2, double value)
    {
        if (d2 < _inner2 || d2 > _outer2) return;
        int s = (int)((Math.Atan2(dy, dx) + Math.PI) / (2 * Math.PI) * Sectors);
        if (s >= Sectors) s = Sectors - 1;
        _frameSums[s] += value;
        _frameCounts[s]++;
    }

    public void EndFrame()
    {
        _sums.AddRange(_frameSums);
        _counts.AddRange(_frameCounts);
    }

    /// <summary>
    /// The ring's mean per frame over the sectors kept (counts; NaN where none is left); <paramref name="excluded"/>
    /// says how many sectors were left out. <paramref name="background"/> is per frame, frames from
    /// <paramref name="firstPostBleach"/> on are after the bleach.
    /// </summary>
    public double[] Means(IReadOnlyList<double> background, int firstPostBleach, out int excluded)
    {
        int n = Frames, post = firstPostBleach;
        var levels = new double[Sectors][];
        for (int s = 0; s < Sectors; s++)
            levels[s] = Enumerable.Range(0, n).All(i => _counts[i * Sectors + s] > 0) ? Level(s, background, post, n) : [];
        var keep = levels.Select(l => l.Length > 0 && !Rises(l, post)).ToArray();
        excluded = keep.Count(k => !k);
        var means = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0; long count = 0;
            for (int s = 0; s < Sectors; s++)
                if (keep[s]) { sum += _sums[i * Sectors + s]; count += _counts[i * Sectors + s]; }
            means[i] = count > 0 ? sum / count : double.NaN;
        }
        return means;
    }

    /// <summary>A sector's background-subtracted mean per frame relative to its pre-bleach mean; empty without pool signal.</summary>
    private double[] Level(int s, IReadOnlyList<double> background, int post, int n)
    {
        var level = new double[n];
        for (int i = 0; i < n; i++) level[i] = _sums[i * Sectors + s] / _counts[i * Sectors + s] - background[i];
        double pre = level.Take(post).Average();
        if (!(pre > 0)) return [];
        for (int i = 0; i < n; i++) level[i] /= pre;
        return level;
    }

    /// <summary>Frame-to-frame noise SD of a level after the bleach, from its first differences (the slow depletion hardly shows in them).</summary>
    private static double FrameNoise(double[] level, int post)
    {
        var steps = new double[level.Length - post - 1];
        for (int i = post + 1; i < level.Length; i++) steps[i - post - 1] = Math.Abs(level[i] - level[i - 1]);
        if (steps.Length == 0) return double.NaN;
        Array.Sort(steps);
        return 1.4826 * steps[steps.Length / 2] / Math.Sqrt(2);
    }

    private static bool Rises(double[] level, int post)
    {
        int n = level.Length;
        if (n < post + 2 * Smooth + RiseFrames) return false;
        double sd = FrameNoise(level, post) / Math.Sqrt(Smooth);
        // A rise of the smoothed level above its lowest so far: depletion only ever lowers it.
        double lowest = double.PositiveInfinity;
        int run = 0;
        for (int i = post; i + Smooth <= n; i++)
        {
            double m = 0;
            for (int j = i; j < i + Smooth; j++) m += level[j];
            m /= Smooth;
            run = m - lowest > RiseSds * sd ? run + 1 : 0;
            if (run >= RiseFrames) return true;
            lowest = Math.Min(lowest, m);
        }
        return false;
    }
}
