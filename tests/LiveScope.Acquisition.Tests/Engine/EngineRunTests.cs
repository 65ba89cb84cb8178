using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Acquisition.Recording;
using LiveScope.Core.Timing;
using LiveScope.Storage.OmeTiff;

namespace LiveScope.Acquisition.Tests.Engine;

public class EngineRunTests
{
    [Theory]
    [InlineData("insulin-stimulation-timelapse.yaml")]
    [InlineData("frap-clusters.yaml")]
    [InlineData("insulin-resistance-comparison.yaml")]
    [InlineData("useq-example.yaml")]
    public async Task Each_shipped_protocol_runs_to_the_end_and_does_what_the_plan_says(string file)
    {
        await using var scope = await EngineRig.OpenAsync();
        var protocol = EngineRig.Load(scope, file);
        var plan = EngineRig.Plan(scope, protocol);
        var store = new RecordingStore();
        var log = new ListEventLog();
        var engine = EngineRig.Engine(scope, log);
        engine.TargetChooser = new CentreChooser();

        var result = await engine.RunAsync(plan, new EventQueue(plan.Events), store, [], null, CancellationToken.None);

        result.Status.Should().Be(RunStatus.Completed, result.Error?.ToString());
        var planned = plan.Totals();
        result.Done.Should().BeEquivalentTo(planned, "plan and run must agree");
        result.FramesAcquired.Should().Be(planned.Frames);
        result.FramesDropped.Should().Be(0);
        store.Frames.Should().HaveCount(planned.Frames);
        store.Frames.Select(f => f.Metadata.SequenceNumber).Should().BeInAscendingOrder();
        EngineRig.Safety(scope).IsSafe.Should().BeTrue();
        log.Lines.Select(l => l.Type).Should().StartWith("run.start").And.EndWith(["safety", "run.end"]);
        log.Lines.Count(l => l.Type == "stimulation").Should().Be(planned.Stimulations);
        log.Lines.Count(l => l.Type == "bleach").Should().Be(planned.BleachEvents);
    }

    [Fact]
    public async Task Frames_are_taken_at_their_planned_times_with_no_drift()
    {
        await using var scope = await EngineRig.OpenAsync();
        var protocol = EngineRig.Load(scope, "insulin-stimulation-timelapse.yaml");
        var plan = EngineRig.Plan(scope, protocol);
        var store = new RecordingStore();
        await EngineRig.Engine(scope).RunAsync(plan, new EventQueue(plan.Events), store, [], null, CancellationToken.None);

        // First frame of every timepoint without autofocus: its exposure starts after the planned time, and never
        // further behind at the end of the run than at the start (lateness does not accumulate).
        var focusing = plan.Events.OfType<AutofocusEvent>().Select(a => a.DueAt).ToHashSet();
        var firsts = store.Frames.Where(f => !focusing.Contains(f.Planned.DueAt))
            .GroupBy(f => f.Planned.DueAt).Select(g => g.First()).ToList();
        firsts.Should().HaveCountGreaterThan(50);
        var lateness = firsts.Select(f => f.Metadata.Timestamp - f.Planned.DueAt - StimulationShift(f.Planned)).ToList();
        lateness.Should().OnlyContain(l => l >= TimeSpan.Zero && l < TimeSpan.FromSeconds(5));
        lateness.TakeLast(10).Max().Should().BeLessThanOrEqualTo(lateness.Take(10).Max() + TimeSpan.FromMilliseconds(1));

        TimeSpan StimulationShift(FrameEvent f) => f.AfterTimeZero ? PumpTime : TimeSpan.Zero;
    }

    /// <summary>The simulated pump takes this long to deliver; time zero is when it has.</summary>
    private static readonly TimeSpan PumpTime = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Time_zero_is_when_the_operator_confirms()
    {
        await using var scope = await EngineRig.OpenAsync();
        var protocol = EngineRig.Load(scope, "insulin-stimulation-timelapse.yaml");
        protocol = protocol with
        {
            Phases = protocol.Phases.Select(p => p is StimulationPhaseSpec s ? s with { By = StimulationBy.Operator } : p).ToList(),
        };
        var plan = EngineRig.Plan(scope, protocol);
        var store = new RecordingStore();
        var slowOperator = new ClockOperator(scope.Clock, TimeSpan.FromSeconds(90));
        var result = await EngineRig.Engine(scope, op: slowOperator).RunAsync(plan, new EventQueue(plan.Events), store, [], null, CancellationToken.None);

        result.Status.Should().Be(RunStatus.Completed);
        slowOperator.Instructions.Should().ContainSingle().Which.Should().Be("Add insulin to 100 nM now, then confirm.");
        var firstAfter = store.Frames.First(f => f.Planned.AfterTimeZero);
        (firstAfter.Metadata.Timestamp - firstAfter.Planned.DueAt).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(90));
        EngineRig.Safety(scope).Pumping.Should().BeFalse();
    }

    [Fact]
    public async Task A_run_writes_OME_TIFF_per_position_and_per_FRAP_step()
    {
        await using var scope = await EngineRig.OpenAsync();
        var protocol = EngineRig.Load(scope, "frap-clusters.yaml");
        var plan = EngineRig.Plan(scope, protocol);
        var folder = Directory.CreateTempSubdirectory("livescope-engine-").FullName;
        try
        {
            var store = new OmeTiffFrameStore(folder, plan, scope.Camera.PixelSizeUm, scope.Clock.StartedAt);
            var engine = EngineRig.Engine(scope);
            engine.TargetChooser = new CentreChooser();
            RunResult result;
            try
            {
                result = await engine.RunAsync(plan, new EventQueue(plan.Events), store, [], null, CancellationToken.None);
            }
            finally
            {
                await store.DisposeAsync();
            }
            result.Status.Should().Be(RunStatus.Completed);
            var files = Directory.GetFiles(folder, "*.ome.tif");
            var planned = plan.Events.OfType<FrameEvent>().GroupBy(f => (f.PositionIndex, f.Series)).ToList();
            files.Should().HaveCount(planned.Count);
            long planes = 0;
            foreach (var f in files)
            {
                using var reader = OmeTiffReader.Open(f);
                planes += reader.Planes.Count;
                reader.Width.Should().Be(EngineRig.CameraPx);
            }
            planes.Should().Be(result.FramesAcquired);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>An operator who takes a while, in microscope time.</summary>
    private sealed class ClockOperator(IMicroscopeClock clock, TimeSpan delay) : IOperatorPrompt
    {
        public List<string> Instructions { get; } = [];

        public async Task ConfirmAsync(string instruction, CancellationToken ct)
        {
            Instructions.Add(instruction);
            await clock.WaitAsync(delay, ct);
        }
    }
}

/// <summary>Bleaches a small circle at the field centre when a step asks analysis for a target.</summary>
internal sealed class CentreChooser : IBleachTargetChooser
{
    public Core.Devices.BleachRegion? Choose(BleachEvent step) =>
        new Core.Devices.BleachCircle(new Core.Geometry.PixelPoint(EngineRig.CameraPx / 2, EngineRig.CameraPx / 2), 2);
}

public class UseqPlanTests
{
    [Fact]
    public async Task The_YAML_and_JSON_forms_of_a_useq_sequence_give_the_same_plan()
    {
        await using var scope = await EngineRig.OpenAsync();
        var yaml = EngineRig.Plan(scope, EngineRig.Load(scope, "useq-example.yaml"));
        var json = EngineRig.Plan(scope, EngineRig.Load(scope, "useq-example.json"));
        yaml.Events.Should().NotBeEmpty();
        json.Events.Should().HaveSameCount(yaml.Events);
        json.Events.Select(Describe).Should().Equal(yaml.Events.Select(Describe));
        json.Totals().Should().BeEquivalentTo(yaml.Totals());
        json.TimeZero.Should().Be(yaml.TimeZero);
    }

    /// <summary>Everything an event does, as text (the protocols differ only in their source file).</summary>
    private static string Describe(PlannedEvent e) => e switch
    {
        FrameEvent f => $"{f.DueAt} {f.Phase} T{f.TimeIndex} P{f.PositionIndex}={f.Position} C{f.ChannelIndex}={f.Channel} Z{f.ZIndex}@{f.ZOffsetUm}",
        _ => $"{e.DueAt} {e.Phase} {e.GetType().Name}",
    };
}
