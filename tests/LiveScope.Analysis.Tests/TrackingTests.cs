using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Tracking;

namespace LiveScope.Analysis.Tests;

public class TrackingTests
{
    private static Cluster At(double x, double y) => new((float)x, (float)y, 1, 1, 0, 1, 9, 1);

    [Fact]
    public void Linear_assignment_finds_the_optimum_that_greedy_misses()
    {
        // Greedy would take (0,0)=1 and then be forced into (1,1)=100; the optimum is 2 + 3.
        double[] cost = [1, 2, 3, 100];
        var assignment = new int[2];
        new LinearAssignment().Solve(cost, 2, 2, assignment).Should().Be(5);
        assignment.Should().Equal(1, 0);
    }

    [Fact]
    public void Linear_assignment_matches_brute_force_on_random_matrices()
    {
        var rng = new Random(3);
        var solver = new LinearAssignment();
        for (int trial = 0; trial < 50; trial++)
        {
            int n = rng.Next(1, 6), m = n + rng.Next(0, 3);
            var cost = Enumerable.Range(0, n * m).Select(_ => rng.NextDouble() * 10).ToArray();
            var assignment = new int[n];
            double total = solver.Solve(cost, n, m, assignment);
            assignment.Distinct().Should().HaveCount(n);
            total.Should().BeApproximately(BruteForce(cost, n, m, 0, new bool[m]), 1e-9);
        }
    }

    private static double BruteForce(double[] cost, int n, int m, int row, bool[] used)
    {
        if (row == n) return 0;
        double best = double.PositiveInfinity;
        for (int j = 0; j < m; j++)
        {
            if (used[j]) continue;
            used[j] = true;
            best = Math.Min(best, cost[row * m + j] + BruteForce(cost, n, m, row + 1, used));
            used[j] = false;
        }
        return best;
    }

    [Fact]
    public void Crossing_neighbours_keep_their_identity_and_a_gap_is_closed()
    {
        var tracker = new ClusterTracker(new TrackingOptions { MaxLinkDistancePx = 3, MaxGapFrames = 2 });
        tracker.Add(0, 0.0, [At(10, 10), At(14, 10), At(50, 50)]);
        tracker.Add(1, 1.0, [At(11, 10), At(13, 10)]);             // the cluster at (50,50) blinks out...
        tracker.Add(2, 2.0, [At(12.2, 10), At(12.9, 11), At(51, 50)]); // ...and is back after one missing frame
        var ids = tracker.LastTrackIds.ToArray();
        ids.Should().Equal(1, 2, 3);
        tracker.Tracks.Should().HaveCount(3);
        tracker.Tracks[2].RecentPoints.Select(p => p.FrameIndex).Should().Equal(0, 2);
        tracker.Tracks[2].PointCount.Should().Be(2);
    }

    /// <summary>
    /// A track the tracker has given up keeps its figures but hands its ring of recent points to a new track; the
    /// new track's figures must be its own (a reused ring's old points never count).
    /// </summary>
    [Fact]
    public void An_ended_track_keeps_its_figures_and_its_ring_serves_a_new_track()
    {
        var options = new TrackingOptions { MaxGapFrames = 0, MaxMsdLagFrames = 3 };
        var tracker = new ClusterTracker(options);
        for (int f = 0; f < 6; f++) tracker.Add(f, f, [At(10 + f, 10)]);
        var first = tracker.Tracks[0];
        var msd = first.Msd(3).ToArray();
        tracker.Add(6, 6, [At(100, 100)]);   // the first track is lost: frame 6 ends it and starts a new one
        tracker.Add(7, 7, []);               // the gap is over for the first one
        tracker.Add(8, 8, [At(200, 200)]);
        for (int f = 9; f < 12; f++) tracker.Add(f, f, [At(200, 200 + 2 * (f - 8))]);

        first.Ended.Should().BeTrue();
        first.RecentPoints.Should().BeEmpty();
        first.Msd(3).Should().Equal(msd);
        first.Last.FrameIndex.Should().Be(5);
        first.PathLengthPx.Should().BeApproximately(5, 1e-12);
        var reborn = tracker.Tracks[^1];
        reborn.Ended.Should().BeFalse();
        reborn.PointCount.Should().Be(4);
        reborn.RecentPoints.Select(p => p.FrameIndex).Should().Equal(8, 9, 10, 11);
        reborn.Msd(3).Select(m => (m.LagFrames, m.MsdPx2, m.Pairs)).Should().Equal((1, 4.0, 3), (2, 16.0, 2), (3, 36.0, 1));
        reborn.PathLengthPx.Should().BeApproximately(6, 1e-12);
    }

    [Fact]
    public void Births_deaths_lifetime_and_msd_of_a_directed_track()
    {
        var tracker = new ClusterTracker(new TrackingOptions { MaxGapFrames = 0 });
        for (int f = 0; f < 6; f++)
        {
            var clusters = new List<Cluster> { At(10 + f, 10) };     // moves 1 px per frame
            if (f >= 2 && f <= 3) clusters.Add(At(80, 80));         // born at frame 2, dies after frame 3
            tracker.Add(f, f * 30.0, clusters.ToArray());
        }
        var summary = tracker.Summarise();
        summary.Births.Should().Be(1);
        summary.Deaths.Should().Be(1);
        summary.DurationS.Should().Be(150);
        summary.BirthsPerMinute.Should().BeApproximately(0.4, 1e-12);
        summary.Tracks.Should().Be(2);
        summary.MeanLifetimeS.Should().Be((150 + 30) / 2.0);
        var moving = tracker.Tracks[0];
        moving.LifetimeS.Should().Be(150);
        moving.NetDisplacementPx.Should().BeApproximately(5, 1e-9);
        var msd = moving.Msd(3);
        msd.Select(m => m.MsdPx2).Should().Equal(1, 4, 9);       // directed motion: MSD = (v·lag)²
        msd[1].LagS.Should().Be(60);
        msd[1].Pairs.Should().Be(4);
    }

    [Fact]
    public void A_long_track_keeps_bounded_memory_and_its_msd_and_path_length_match_the_whole_list_computation()
    {
        var rng = new Random(11);
        const int MaxLag = 4;
        var tracker = new ClusterTracker(new TrackingOptions { MaxGapFrames = 2, MaxMsdLagFrames = MaxLag, MaxLinkDistancePx = 3 });
        var all = new List<(int Frame, double T, double X, double Y)>();
        double x = 100, y = 100;
        for (int f = 0; f < 500; f++)
        {
            x += rng.NextDouble() - 0.5; y += rng.NextDouble() - 0.5;
            bool blinks = f % 7 == 3;                                   // gaps, so some lags have no pair
            tracker.Add(f, f * 0.5 + rng.NextDouble() * 0.01, blinks ? [] : [At(x, y)]);
            if (!blinks) all.Add((f, f * 0.5, (float)x, (float)y));
        }
        var track = tracker.Tracks.Should().ContainSingle().Subject;
        track.PointCount.Should().Be(all.Count);
        track.RecentPoints.Count.Should().BeLessThanOrEqualTo(MaxLag + 1);
        track.RecentPoints[^1].FrameIndex.Should().Be(all[^1].Frame);
        double path = 0;
        for (int i = 1; i < all.Count; i++) path += Math.Sqrt(Math.Pow(all[i].X - all[i - 1].X, 2) + Math.Pow(all[i].Y - all[i - 1].Y, 2));
        track.PathLengthPx.Should().BeApproximately(path, 1e-9);
        var msd = track.Msd(MaxLag + 5);
        msd.Select(m => m.LagFrames).Should().Equal(1, 2, 3, 4);
        foreach (var m in msd)
        {
            var pairs = all.SelectMany(a => all.Where(b => b.Frame == a.Frame + m.LagFrames).Select(b => Math.Pow(b.X - a.X, 2) + Math.Pow(b.Y - a.Y, 2))).ToList();
            m.Pairs.Should().Be(pairs.Count);
            m.MsdPx2.Should().BeApproximately(pairs.Average(), 1e-9);
        }
    }

    [Fact]
    public void A_jump_beyond_the_link_distance_starts_a_new_track()
    {
        var tracker = new ClusterTracker(new TrackingOptions { MaxLinkDistancePx = 2, MaxGapFrames = 0 });
        tracker.Add(0, 0, [At(10, 10)]);
        tracker.Add(1, 1, [At(13, 10)]);
        tracker.LastTrackIds.ToArray().Should().Equal(2);
    }

    [Fact]
    public void The_link_distance_grows_with_the_time_between_frames()
    {
        // D = 0.001 µm²/s at 0.1 µm/px: 2.5·√(4·D·Δt) is 1.6 px after 1 s (the 3 px floor decides) and 8.7 px after 30 s.
        var options = new TrackingOptions { MaxLinkDistancePx = 3, ExpectedDiffusionUm2PerS = 0.001, LinkSdFactor = 2.5 };
        options.LinkDistancePx(1, 0.1).Should().Be(3);
        options.LinkDistancePx(30, 0.1).Should().BeApproximately(2.5 * Math.Sqrt(4 * 0.001 * 30) / 0.1, 1e-12);

        var fast = new ClusterTracker(options);
        fast.Add(0, 0, [At(10, 10)], 0.1);
        fast.Add(1, 1, [At(15, 10)], 0.1);
        fast.LastTrackIds.ToArray().Should().Equal(2);

        var slow = new ClusterTracker(options);
        slow.Add(0, 0, [At(10, 10)], 0.1);
        slow.Add(1, 30, [At(15, 10)], 0.1);
        slow.LastTrackIds.ToArray().Should().Equal(1);
    }

    [Fact]
    public void The_gate_uses_the_pixel_size_given_or_the_default_one()
    {
        var options = new TrackingOptions { ExpectedDiffusionUm2PerS = 0.001, DefaultPixelSizeUm = 0.1 };
        var coarse = new ClusterTracker(options);
        coarse.Add(0, 0, [At(10, 10)], 0.4);        // 8.7 px at 0.1 µm/px is only 2.2 px at 0.4 µm/px: the 3 px floor
        coarse.Add(1, 30, [At(15, 10)], 0.4);
        coarse.LastTrackIds.ToArray().Should().Equal(2);
        var unknown = new ClusterTracker(options);
        unknown.Add(0, 0, [At(10, 10)]);
        unknown.Add(1, 30, [At(15, 10)]);
        unknown.LastTrackIds.ToArray().Should().Equal(1);
    }

    [Fact]
    public void Gap_closing_is_bounded_in_time_as_well_as_in_frames()
    {
        var options = new TrackingOptions { MaxGapFrames = 2, MaxGapS = 30, ExpectedDiffusionUm2PerS = 0 };
        var oneMissing = new ClusterTracker(options);
        oneMissing.Add(0, 0, [At(10, 10)]);
        oneMissing.Add(1, 30, []);
        oneMissing.Add(2, 60, [At(11, 10)]);          // missing for 30 s: continued
        oneMissing.LastTrackIds.ToArray().Should().Equal(1);

        var twoMissing = new ClusterTracker(options);
        twoMissing.Add(0, 0, [At(10, 10)]);
        twoMissing.Add(1, 30, []);
        twoMissing.Add(2, 60, []);
        twoMissing.Add(3, 90, [At(11, 10)]);          // missing for 60 s > 30 s: a new track, though only 2 frames
        twoMissing.LastTrackIds.ToArray().Should().Equal(2);

        var fastSeries = new ClusterTracker(options);
        fastSeries.Add(0, 0, [At(10, 10)]);
        fastSeries.Add(1, 1, []);
        fastSeries.Add(2, 2, []);
        fastSeries.Add(3, 3, [At(11, 10)]);           // the same 2 frames at 1 s: continued
        fastSeries.LastTrackIds.ToArray().Should().Equal(1);
    }
}
