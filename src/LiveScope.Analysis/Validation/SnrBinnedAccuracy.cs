using LiveScope.Analysis.Detection;

namespace LiveScope.Analysis.Validation;

/// <summary>
/// A ground-truth spot with its signal-to-noise ratio. A spot that does not <see cref="Counts"/> (crowded, at the
/// border, …) is "don't care": a detection matched to it is neither a true nor a false positive.
/// </summary>
public readonly record struct SnrTruthSpot(double X, double Y, double Snr, bool Counts);

/// <summary>
/// Scores of the truth spots whose SNR lies in [<see cref="SnrLow"/>, <see cref="SnrHigh"/>). False positives are
/// detections that match no truth spot at all; they do not belong to any SNR, so each bin is charged its share of them
/// in proportion to its truth spots (the precision the detector would have if every spot had this SNR, as on the
/// synthetic frames, where every spot of a frame has the same SNR).
/// </summary>
public readonly record struct SnrBinScore(double SnrLow, double SnrHigh, int TruePositives, int FalseNegatives, double FalsePositives, double RmsePx)
{
    public double RmsePerAxisPx => RmsePx / Math.Sqrt(2);
    public double Precision => TruePositives + FalsePositives == 0 ? 1 : TruePositives / (TruePositives + FalsePositives);
    public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>
/// Accumulates detector accuracy over frames whose truth spots have different SNRs (simulated samples: clusters of
/// many sizes on a varying background), binned by the truth SNR. Matching is one-to-one, closest first, within
/// <see cref="MatchRadiusPx"/>, against all truth spots (counting or not).
/// </summary>
public sealed class SnrBinnedAccuracy
{
    private readonly double[] _edges;
    private readonly int[] _tp, _fn;
    private readonly double[] _sq;
    private readonly List<(double Snr, bool Found, double D2)> _spots = [];

    /// <param name="binEdges">Increasing SNR edges; bin i is [edges[i], edges[i+1]).</param>
    public SnrBinnedAccuracy(IReadOnlyList<double> binEdges, double matchRadiusPx = 1.5)
    {
        if (binEdges.Count < 2) throw new ArgumentException("needs at least two edges", nameof(binEdges));
        for (int i = 1; i < binEdges.Count; i++)
            if (!(binEdges[i] > binEdges[i - 1])) throw new ArgumentException("edges must increase", nameof(binEdges));
        _edges = [.. binEdges];
        _tp = new int[_edges.Length - 1];
        _fn = new int[_edges.Length - 1];
        _sq = new double[_edges.Length - 1];
        MatchRadiusPx = matchRadiusPx;
    }

    public double MatchRadiusPx { get; }
    public int Frames { get; private set; }
    /// <summary>Detections that matched no truth spot (and were not ignored).</summary>
    public int FalsePositives { get; private set; }
    /// <summary>Detections matched to truth spots that do not count, or ignored by the caller (e.g. at the border).</summary>
    public int Ignored { get; private set; }
    /// <summary>Counting truth spots, all SNRs (also those outside the bins).</summary>
    public int CountingSpots => _spots.Count;

    /// <summary>Scores one frame. <paramref name="ignoreDetection"/> marks detections not to score (e.g. near the border).</summary>
    public void Add(IReadOnlyList<SnrTruthSpot> truth, ReadOnlySpan<Cluster> found, Func<Cluster, bool>? ignoreDetection = null)
    {
        var match = MatchClosestFirst(truth, found, MatchRadiusPx);
        var truthFound = new double[truth.Count];
        Array.Fill(truthFound, double.NaN);
        for (int f = 0; f < found.Length; f++)
        {
            var (t, d2) = match[f];
            if (t >= 0) truthFound[t] = d2;
            if (t >= 0 && truth[t].Counts) continue;
            if (t >= 0 || (ignoreDetection?.Invoke(found[f]) ?? false)) Ignored++;
            else FalsePositives++;
        }
        for (int t = 0; t < truth.Count; t++)
        {
            if (!truth[t].Counts) continue;
            bool hit = !double.IsNaN(truthFound[t]);
            _spots.Add((truth[t].Snr, hit, hit ? truthFound[t] : 0));
            int bin = Bin(truth[t].Snr);
            if (bin < 0) continue;
            if (hit) { _tp[bin]++; _sq[bin] += truthFound[t]; }
            else _fn[bin]++;
        }
        Frames++;
    }

    /// <summary>For each detection, the index of the truth spot it matched (−1: none) and the squared distance.</summary>
    public static (int Truth, double D2)[] MatchClosestFirst(IReadOnlyList<SnrTruthSpot> truth, ReadOnlySpan<Cluster> found, double radiusPx)
    {
        var pairs = new List<(double D2, int T, int F)>();
        double r2 = radiusPx * radiusPx;
        var order = Enumerable.Range(0, found.Length).ToArray();
        var xs = new double[found.Length];
        for (int f = 0; f < found.Length; f++) xs[f] = found[f].X;
        Array.Sort(xs, order);
        for (int t = 0; t < truth.Count; t++)
        {
            int k = LowerBound(xs, truth[t].X - radiusPx);
            for (; k < xs.Length && xs[k] <= truth[t].X + radiusPx; k++)
            {
                int f = order[k];
                double dx = truth[t].X - found[f].X, dy = truth[t].Y - found[f].Y, d2 = dx * dx + dy * dy;
                if (d2 <= r2) pairs.Add((d2, t, f));
            }
        }
        pairs.Sort((a, b) => a.D2.CompareTo(b.D2));
        var result = new (int, double)[found.Length];
        Array.Fill(result, (-1, 0.0));
        var usedT = new bool[truth.Count];
        foreach (var (d2, t, f) in pairs)
        {
            if (usedT[t] || result[f].Item1 >= 0) continue;
            usedT[t] = true;
            result[f] = (t, d2);
        }
        return result;
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) / 2; if (sorted[mid] < value) lo = mid + 1; else hi = mid; }
        return lo;
    }

    private int Bin(double snr)
    {
        if (snr < _edges[0] || snr >= _edges[^1]) return -1;
        int i = Array.BinarySearch(_edges, snr);
        return i >= 0 ? i : ~i - 1;
    }

    public IReadOnlyList<SnrBinScore> Bins()
    {
        var bins = new SnrBinScore[_tp.Length];
        for (int b = 0; b < bins.Length; b++)
        {
            int n = _tp[b] + _fn[b];
            double fpShare = _spots.Count == 0 ? 0 : FalsePositives * (double)n / _spots.Count;
            bins[b] = new SnrBinScore(_edges[b], _edges[b + 1], _tp[b], _fn[b], fpShare, _tp[b] == 0 ? double.NaN : Math.Sqrt(_sq[b] / _tp[b]));
        }
        return bins;
    }

    /// <summary>
    /// The strict score of all counting spots with SNR ≥ <paramref name="snr"/>: every false positive of every frame is
    /// charged to them (none is shared with the fainter spots), and detections of fainter spots are ignored.
    /// </summary>
    public DetectionScore AtOrAbove(double snr)
    {
        int tp = 0, fn = 0; double sq = 0;
        foreach (var (s, found, d2) in _spots)
        {
            if (s < snr) continue;
            if (found) { tp++; sq += d2; } else fn++;
        }
        return new DetectionScore(tp, FalsePositives, fn, tp == 0 ? double.NaN : Math.Sqrt(sq / tp));
    }

    public static void Print(IEnumerable<SnrBinScore> bins, TextWriter output)
    {
        output.WriteLine("SNR bin     spots  F1     precision recall RMSE_2D_px RMSE_axis_px");
        foreach (var b in bins)
            output.WriteLine(FormattableString.Invariant(
                $"[{b.SnrLow,4:0.#},{b.SnrHigh,4:0.#})  {b.TruePositives + b.FalseNegatives,5}  {b.F1:0.000}  {b.Precision:0.000}     {b.Recall:0.000}  {b.RmsePx:0.000}      {b.RmsePerAxisPx:0.000}"));
    }
}
