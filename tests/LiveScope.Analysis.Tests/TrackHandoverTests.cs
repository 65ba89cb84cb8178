using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Tracking;
using LiveScope.Testing;

namespace LiveScope.Analysis.Tests;

/// <summary>
/// A tracker that hands its ended tracks to a handler (the live pipeline, which writes them out) must report exactly
/// what a tracker keeping every track reports, and reuse the tracks so that churn allocates nothing.
/// </summary>
public class TrackHandoverTests
{
    private const int Clusters = 40;
    private static readonly TrackingOptions Options = new() { MaxGapFrames = 2, MaxMsdLagFrames = 4, MaxLinkDistancePx = 3 };

    /// <summary>
    /// Seeded churn: clusters spread 20 px apart drift a little; each frame some blink out for a frame or two (gap
    /// closing) and some jump to a fresh place (a death and a birth).
    /// </summary>
    private static IEnumerable<(int Frame, double TimeS, Cluster[] Clusters)> Churn(int frames, int seed)
    {
        var rng = new Random(seed);
        var x = new double[Clusters]; var y = new double[Clusters];
        for (int i = 0; i < Clusters; i++) { x[i] = 20 + 20 * (i % 8); y[i] = 20 + 20 * (i / 8); }
        var hiddenUntil = new int[Clusters];
        for (int f = 0; f < frames; f++)
        {
            var visible = new List<Cluster>();
            for (int i = 0; i < Clusters; i++)
            {
                x[i] += rng.NextDouble() - 0.5; y[i] += rng.NextDouble() - 0.5;
                double roll = rng.NextDouble();
                if (roll < 0.05) { x[i] += rng.Next(0, 2) == 0 ? 9 : -9; }        // jumps out of its gate: a new track
                else if (roll < 0.12) hiddenUntil[i] = f + rng.Next(1, 5);          // blinks for 1-4 frames (4: the track ends)
                if (f >= hiddenUntil[i]) visible.Add(new Cluster((float)x[i], (float)y[i], 1, 1, 0, 1, 9, 1));
            }
            yield return (f, f * 0.5, visible.ToArray());
        }
    }

    private readonly record struct Figures(int Id, int First, int Last, int Points, double LifetimeS, double PathPx, double NetPx, string Msd);

    private static Figures Of(Track t) => new(t.Id, t.First.FrameIndex, t.Last.FrameIndex, t.PointCount, t.LifetimeS, t.PathLengthPx,
        t.NetDisplacementPx, string.Join(';', t.Msd(Options.MaxMsdLagFrames).Select(m => $"{m.LagFrames}:{m.MsdPx2:R}:{m.LagS:R}:{m.Pairs}")));

    [Fact]
    public void Handed_over_tracks_have_the_figures_of_kept_ones_and_the_summary_is_the_same()
    {
        var keeping = new ClusterTracker(Options);
        var handed = new List<(Figures Figures, int LastFrameWhenHanded)>();
        ClusterTracker handing = null!;
        handing = new ClusterTracker(Options, t => handed.Add((Of(t), handing.LastFrame)));
        foreach (var (f, t, clusters) in Churn(300, seed: 5))
        {
            keeping.Add(f, t, clusters);
            handing.Add(f, t, clusters);
            handing.LastTrackIds.ToArray().Should().Equal(keeping.LastTrackIds.ToArray(), $"frame {f}");
        }
        int handedBeforeFinish = handed.Count;
        handing.Finish();

        handedBeforeFinish.Should().BeGreaterThan(100, "the churn ends many tracks during the run");
        handed.Take(handedBeforeFinish).Should().OnlyContain(h => h.Figures.Last < h.LastFrameWhenHanded, "a track ends once it is missing");
        handed.Select(h => h.Figures).OrderBy(f => f.Id).Should().Equal(keeping.Tracks.Select(Of));
        handing.Tracks.Should().BeEmpty();

        var kept = keeping.Summarise();
        var streamed = handing.Summarise();
        streamed.Should().BeEquivalentTo(kept, o => o.Excluding(s => s.MeanLifetimeS));
        streamed.MeanLifetimeS.Should().BeApproximately(kept.MeanLifetimeS, 1e-9, "the same lifetimes summed in another order");
        streamed.Births.Should().BeGreaterThan(50);
    }

    [Fact]
    public void Churn_allocates_nothing_once_the_tracker_has_ended_tracks_to_reuse()
    {
        var frames = Churn(600, seed: 8).ToArray();
        int handed = 0;
        // Work buffers grow to the busiest frame seen (frame 200 of this churn still grows one): warm up past it.
        var tracker = new ClusterTracker(Options, _ => handed++);
        for (int f = 0; f < 300; f++) tracker.Add(frames[f].Frame, frames[f].TimeS, frames[f].Clusters);
        int handedBefore = handed;
        long allocated = SteadyStateAllocation.LeastOf(3, window =>
        {
            for (int f = 300 + 100 * window; f < 400 + 100 * window; f++) tracker.Add(frames[f].Frame, frames[f].TimeS, frames[f].Clusters);
        });

        (handed - handedBefore).Should().BeGreaterThan(50, "tracks end and are born throughout");
        allocated.Should().Be(0);
    }

    /// <summary>The handler writes to disk and may throw (disk full); the tracker must go on linking correctly afterwards.</summary>
    [Fact]
    public void A_handler_that_throws_leaves_the_tracker_consistent()
    {
        bool fail = true;
        var handed = new List<int>();
        var tracker = new ClusterTracker(Options, t => { if (fail) { fail = false; throw new IOException("disk full"); } handed.Add(t.Id); });
        var a = new Cluster(10, 10, 1, 1, 0, 1, 9, 1); var b = new Cluster(50, 50, 1, 1, 0, 1, 9, 1); var c = new Cluster(90, 90, 1, 1, 0, 1, 9, 1);
        tracker.Add(0, 0, [a, b, c]);
        tracker.Add(1, 1, [c]);
        tracker.Add(2, 2, [c]);
        tracker.Add(3, 3, [c]);
        tracker.Invoking(t => t.Add(4, 4, [c])).Should().Throw<IOException>("tracks 1 and 2 end at frame 4 and the first hand-over fails");
        tracker.Add(5, 5, [a, c]);
        tracker.LastTrackIds.ToArray().Should().Equal(4, 3);
        tracker.Finish();
        handed.Should().Equal(3, 4);
        tracker.Summarise().Tracks.Should().Be(4);
    }

    [Fact]
    public void No_frame_can_follow_the_end_of_the_series()
    {
        var tracker = new ClusterTracker(Options, _ => { });
        tracker.Add(0, 0, [new Cluster(5, 5, 1, 1, 0, 1, 9, 1)]);
        tracker.Finish();
        tracker.Invoking(t => t.Add(1, 1, [])).Should().Throw<InvalidOperationException>();
    }
}
