using LiveScope.Analysis.Tests.Simulator;
using LiveScope.Analysis.Tracking;
using Xunit.Abstractions;

namespace LiveScope.Analysis.Tests;

/// <summary>
/// The tracker against the simulator's cluster identities (docs/analysis.md, "Tracking"). The simulator's clusters
/// drift with its default D = 0.0005 µm²/s; live 180 s on average; are born and dissolve all along.
/// Reproduce with <c>dotnet test tests/LiveScope.Analysis.Tests --filter "FullyQualifiedName~SimulatorTrackingTests" --logger "console;verbosity=detailed"</c>.
/// </summary>
public class SimulatorTrackingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task At_30_s_intervals_tracks_are_recovered_whole()
    {
        var fromTruth = await SimulatorTracking.MeasureAsync(new SimulatorTracking.Run(30, 40, 0.0005, FromDetector: false), new TrackingOptions());
        var fromDetector = await SimulatorTracking.MeasureAsync(new SimulatorTracking.Run(30, 40, 0.0005, FromDetector: true), new TrackingOptions());
        output.WriteLine($"truth positions: {fromTruth}");
        output.WriteLine($"detector:        {fromDetector}");
        // With the old fixed 3 px gate: 0.842 whole, 59 splits, 43 merges (truth) and 0.815, 68, 26 (detector).
        fromTruth.TruthTracks.Should().BeGreaterThan(500);
        fromTruth.RecoveredFraction.Should().BeGreaterThanOrEqualTo(0.9);
        fromTruth.Splits.Should().BeLessThanOrEqualTo(fromTruth.TruthTracks * 3 / 100);
        fromTruth.Merges.Should().BeLessThanOrEqualTo(fromTruth.TruthTracks * 5 / 100);
        fromDetector.RecoveredFraction.Should().BeGreaterThanOrEqualTo(0.85);
    }

    [Fact]
    public async Task Tracking_at_1_10_and_30_s_intervals()
    {
        foreach (bool detector in new[] { false, true })
            foreach (var (interval, frames) in new[] { (1.0, 240), (10.0, 60), (30.0, 40) })
            {
                var score = await SimulatorTracking.MeasureAsync(new SimulatorTracking.Run(interval, frames, 0.0005, detector), new TrackingOptions());
                output.WriteLine(FormattableString.Invariant($"{(detector ? "detector" : "truth   ")}, every {interval,2} s × {frames}: {score}"));
                score.RecoveredFraction.Should().BeGreaterThan(0.75);
            }
    }
}
