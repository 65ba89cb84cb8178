using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Tracking;
using LiveScope.Analysis.Validation;
using LiveScope.Simulation.Options;

namespace LiveScope.Analysis.Tests.Simulator;

/// <summary>
/// The tracker against the simulator's cluster identities: a series at a fixed interval, clusters either from the
/// detector or straight from the truth (perfect detection, to judge linking alone), each cluster given the truth id it
/// matches within 1.5 px, then <see cref="TrackingScorer"/>. Only unambiguous truth tracks are scored: a cluster that
/// ever comes within <see cref="SeparationPx"/> of another (simulated clusters do pass within a few tenths of a pixel
/// of each other, and then no tracker can tell which is which) or within <see cref="BorderPx"/> of the frame's edge
/// (it may leave and come back) is left out.
/// </summary>
public static class SimulatorTracking
{
    public const double SeparationPx = 3, BorderPx = 4;

    public sealed record Run(double IntervalS, int Frames, double DriftUm2PerS, bool FromDetector, long Seed = 21);

    public static async Task<TrackingScore> MeasureAsync(Run run, TrackingOptions tracking)
    {
        var options = SimulatorAccuracy.Options(photonScale: 1, run.Seed) with
        {
            Clusters = new ClusterOptions { DriftUm2PerS = run.DriftUm2PerS },
        };
        await using var series = new SimulatedSeries(options, withSnr: false);
        using var detector = new ClusterDetector(SimulatorAccuracyTests.Detector);
        var tracker = new ClusterTracker(tracking);
        var frames = new List<(long[] TruthIds, int[] TrackIds)>();
        var ambiguous = new HashSet<long>();
        for (int f = 0; f < run.Frames; f++)
        {
            await series.WaitUntilAsync(TimeSpan.FromSeconds(f * run.IntervalS));
            var frame = await series.SnapAsync();
            var truth = frame.Truth.Clusters;
            Cluster[] clusters;
            if (run.FromDetector)
            {
                detector.Detect(frame.Pixels, frame.Width, frame.Height, frame.PixelSizeUm);
                clusters = detector.Clusters.ToArray();
            }
            else clusters = [.. truth.Select(c => new Cluster((float)c.XPx, (float)c.YPx, 1, 1, 0, (float)c.FluorescentMolecules, 1, 1))];
            tracker.Add(f, frame.TimeS, clusters, frame.PixelSizeUm);
            var spots = truth.Select(c => new SnrTruthSpot(c.XPx, c.YPx, 0, true)).ToArray();
            var match = SnrBinnedAccuracy.MatchClosestFirst(spots, clusters, 1.5);
            frames.Add((match.Select(m => m.Truth >= 0 ? truth[m.Truth].ClusterId : -1).ToArray(), tracker.LastTrackIds.ToArray()));
            var spotsScored = SimulatedSeries.Spots(frame, SeparationPx, BorderPx);
            for (int i = 0; i < truth.Count; i++)
                if (!spotsScored[i].Counts) ambiguous.Add(truth[i].ClusterId);
        }
        var scorer = new TrackingScorer();
        foreach (var (truthIds, trackIds) in frames)
        {
            for (int i = 0; i < truthIds.Length; i++)
                if (ambiguous.Contains(truthIds[i])) truthIds[i] = -1;
            scorer.Add(truthIds, trackIds);
        }
        return scorer.Score();
    }
}
