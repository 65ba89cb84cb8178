using BenchmarkDotNet.Attributes;
using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Adaptive.Actions;

namespace LiveScope.Benchmarks;

/// <summary>
/// The costliest action a rule can take: an interval change (issue #6's decision latency). The plan is the replay
/// benchmark's — 30 s at 100 fps, one position, 3 000 frames — and each invocation switches between a 5 ms and a 10 ms
/// interval from the start, as a change at the run's first frame would. The cadence keeps only the next
/// <see cref="Cadence.Lookahead"/> timepoints queued, so a change rewrites those, however long the plan (it used to
/// rewrite all 3 000 frames: 0.65 ms idle).
/// Run: dotnet run -c Release --project bench/LiveScope.Benchmarks -- --filter '*IntervalChangeBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class IntervalChangeBenchmarks
{
    private Cadence _cadence = null!;
    private bool _fast;

    [GlobalSetup]
    public void Setup()
    {
        var protocol = new Protocol
        {
            Name = "interval-change-benchmark", SourceFile = "(bench)", Channels = [new ChannelSpec("GFP", 8, null)],
            Phases = [new ImagingPhaseSpec("replay", 0.01, 30)],
        };
        var plan = Planner.Plan(protocol, 2048, 2048);
        _cadence = new Cadence(plan, new EventQueue(plan.Events));
    }

    [Benchmark(Description = "interval change in a 3 000-frame plan")]
    public int Rewrite()
    {
        _fast = !_fast;
        return _cadence.GoFast(0, _fast ? 0.005 : 0.01, minFrames: 1, maxS: 1e6, TimeSpan.Zero);
    }
}
