using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Adaptive.Actions;
using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Core.Timing;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.Adaptive.Tests;

/// <summary>The limits' bookkeeping on its own: bleaches per cell, the galvo's reach, the light dose.</summary>
public class ActionLimitTests
{
    [Fact]
    public void A_cells_bleaches_follow_the_cell_when_segmentation_renumbers_it()
    {
        var history = new BleachHistory();
        history.Add(0, 10, 10);
        // Frame 1: the bleached cell is label 3 (left half). Frame 2: re-segmented, it is label 5 and label 3 is the right half.
        Func<double, double, int> before = (x, _) => x < 50 ? 3 : 4;
        Func<double, double, int> after = (x, _) => x < 50 ? 5 : 3;

        history.InCell(0, 3, before).Should().Be(1);
        history.InCell(0, 5, after).Should().Be(1, "the bleach point lies in the cell now labelled 5");
        history.InCell(0, 3, after).Should().Be(0, "label 3 now names a cell that was never bleached");
        history.InCell(1, 5, after).Should().Be(0, "another position's bleaches are its own");
        history.InCell(0, 0, (_, _) => 0).Should().Be(0, "background is no cell");
    }

    [Fact]
    public void The_whole_disc_must_be_within_reach_not_only_its_four_axis_points()
    {
        // A calibration rotated 45°: the four axis points of the disc land on the diagonals, well inside the reach.
        double c = Math.Cos(Math.PI / 4), s = Math.Sin(Math.PI / 4);
        var rotated = new AffineTransform2D(c, -s, 90, s, c, 50); // camera (0, 0) → target (90, 50)
        var reach = new TargetBounds(0, 0, 100, 100);
        const double radius = 12; // the disc reaches x = 102 in target space; the axis points only 90 + 12·cos 45° ≈ 98.5

        foreach (var (dx, dy) in new[] { (-radius, 0.0), (radius, 0.0), (0.0, -radius), (0.0, radius) })
            rotated.Apply(new PixelPoint(dx, dy)).X.Should().BeLessThan(100, "the old four-point check would have passed");
        ActionContext.DiscWithin(rotated, reach, 0, 0, radius).Should().BeFalse();
        ActionContext.DiscWithin(rotated, reach, 0, 0, 9).Should().BeTrue("a disc of 9 px ends at x = 99");
        var doubled = new AffineTransform2D(2, 0, 0, 0, 2, 0);
        ActionContext.DiscWithin(doubled, reach, 25, 25, 25).Should().BeTrue("scaled ×2: 50 ± 50 just fits");
        ActionContext.DiscWithin(doubled, reach, 25, 25, 26).Should().BeFalse("scaled ×2: 50 ± 52 does not");
    }

    [Fact]
    public void Warming_up_the_decision_path_leaves_the_run_as_planned()
    {
        var protocol = new Protocol
        {
            Name = "warm", SourceFile = "warm.yaml", Positions = [new("a", 0, 0, 50), new("b", 60, 0, 50)],
            Channels = [new ChannelSpec("GFP", 50, 0.3)], Phases = [new ImagingPhaseSpec("watch", 30, 300)],
            Adapt = new AdaptSpec
            {
                Rules =
                [
                    new AdaptRule("fast", new MetricCondition(AdaptMetric.ClusterCount, MetricScope.Field, true, 0, 1), [new IntervalAction(10, 2)], 0),
                    new AdaptRule("frap", new NewClusterCondition(1), [new BleachAction(FrapTargetChoice.Newest, 3, 1, 1, 5, 0.5, 0.8, null)], 0),
                    new AdaptRule("stack", new MetricCondition(AdaptMetric.CondensedFraction, MetricScope.Cell, true, 0, 1), [new ZStackAction(2, 1)], 0),
                    new AdaptRule("stop", new MetricCondition(AdaptMetric.BirthsPerMin, MetricScope.Field, true, 0, 1), [new StopAction("why"), new NextPositionAction()], 0),
                ],
            },
        };
        var plan = Planner.Plan(protocol, 64, 64);
        var queue = new Acquisition.Engine.EventQueue(plan.Events);
        var folder = Path.Combine(Path.GetTempPath(), "livescope-warm-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var controller = new AdaptiveController(plan, queue, new AdaptiveSetup(folder, new SystemClock(), new Acquisition.Engine.NullEventLog(), null),
                NullLogger.Instance);

            EngineLike.TakeAll(queue).Should().Equal(plan.Events, "the warm-up works on a scratch queue");
            controller.Decisions.Should().BeEmpty();
            controller.Bleaches.Should().Be(0);
            controller.LightDoseS(0).Should().Be(0);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Every_acquired_frame_counts_towards_the_light_dose_whether_or_not_it_was_analysed()
    {
        var plan = Planner.Plan(new Protocol
        {
            Name = "dose", SourceFile = "dose.yaml", Positions = [new("a", 0, 0, 50), new("b", 60, 0, 50)],
            Channels = [new ChannelSpec("GFP", 50, 0.3)], Phases = [new ImagingPhaseSpec("watch", 30, 300)],
        }, 64, 64);
        var folder = Path.Combine(Path.GetTempPath(), "livescope-dose-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var controller = new AdaptiveController(plan, new Acquisition.Engine.EventQueue(plan.Events),
                new AdaptiveSetup(folder, new SystemClock(), new Acquisition.Engine.NullEventLog(), null), NullLogger.Instance);
            var frames = plan.Events.OfType<FrameEvent>().Where(f => f.PositionIndex == 0).Take(3).ToList();
            // The engine announces each acquired frame; analysis (OnFrame) may never see them when it is behind.
            foreach (var f in frames) controller.OnAcquired(f);

            controller.LightDoseS(0).Should().BeApproximately(3 * 0.05 * 0.3, 1e-12);
            controller.LightDoseS(1).Should().Be(0);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
