using LiveScope.Analysis.Detection;

namespace LiveScope.Analysis.Validation;

/// <summary>
/// Detections against ground truth: one-to-one matches within a radius, F1 and localisation error of the matches.
/// <see cref="RmsePx"/> is the radial (2-D) RMSE; <see cref="RmsePerAxisPx"/> = RmsePx/√2 is the per-coordinate
/// RMSE, the usual "localisation precision" of single-molecule work.
/// </summary>
public readonly record struct DetectionScore(int TruePositives, int FalsePositives, int FalseNegatives, double RmsePx)
{
    public double RmsePerAxisPx => RmsePx / Math.Sqrt(2);
    public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);
    public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    /// <summary>Greedy closest-first one-to-one matching (exact when spots are further apart than twice the radius).</summary>
    public static DetectionScore Compute(IReadOnlyList<TrueSpot> truth, ReadOnlySpan<Cluster> found, double matchRadiusPx = 1.5)
    {
        var pairs = new List<(double D2, int T, int F)>();
        double r2 = matchRadiusPx * matchRadiusPx;
        for (int t = 0; t < truth.Count; t++)
            for (int f = 0; f < found.Length; f++)
            {
                double dx = truth[t].X - found[f].X, dy = truth[t].Y - found[f].Y, d2 = dx * dx + dy * dy;
                if (d2 <= r2) pairs.Add((d2, t, f));
            }
        pairs.Sort((a, b) => a.D2.CompareTo(b.D2));
        var usedT = new bool[truth.Count]; var usedF = new bool[found.Length];
        int tp = 0; double sq = 0;
        foreach (var (d2, t, f) in pairs)
        {
            if (usedT[t] || usedF[f]) continue;
            usedT[t] = usedF[f] = true; tp++; sq += d2;
        }
        return new DetectionScore(tp, found.Length - tp, truth.Count - tp, tp == 0 ? double.NaN : Math.Sqrt(sq / tp));
    }
}
