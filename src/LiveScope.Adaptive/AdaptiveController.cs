using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Adaptive.Actions;
using LiveScope.Adaptive.Frap;
using LiveScope.Adaptive.Rules;
using LiveScope.Analysis.Cells;
using LiveScope.Analysis.Frap;
using LiveScope.Analysis.Pipeline;
using LiveScope.Core.Devices;
using LiveScope.Core.Imaging;
using LiveScope.Core.Timing;
using LiveScope.Storage.Run;
using Microsoft.Extensions.Logging;

namespace LiveScope.Adaptive;

/// <summary>Where the controller writes and what it needs to know of the rig (the photo-targeter, if any, decides what can be bleached).</summary>
public sealed record AdaptiveSetup(string RunFolder, IMicroscopeClock Clock, IRunEventLog Events, IPhotoTargeter? Targeter, int Seed = 1);

/// <summary>
/// Lets live analysis change the run. Every frame goes through <see cref="LiveAnalysis"/>; after each analysed
/// frame of a position's regular series the rules of the protocol's <c>adapt:</c> section are evaluated and their
/// actions queued (interval changes, bleach-and-follow, z-stacks, leaving a position, stopping), each logged with
/// the frame and metric values behind it and the time it took. It also chooses bleach targets for FRAP steps that
/// say <c>target: analysis</c>, and fits every FRAP step when its last frame is in. Without rules it is plain live
/// analysis plus FRAP fits. Frames arrive on the frame pipeline's consumer thread, which also takes the decisions;
/// bleach targets are asked for on the engine's thread.
/// </summary>
public sealed class AdaptiveController : IFrameSubscriber, IBleachTargetChooser, IDisposable
{
    private readonly AcquisitionPlan _plan;
    private readonly AdaptiveSetup _setup;
    private readonly ILogger _log;
    private readonly RuleEvaluator _rules;
    private readonly ActionContext _context;
    private readonly ActionRunner _actions;
    private readonly DecisionLog _decisions;
    private readonly Dictionary<int, PositionWatch> _watches = new();
    private readonly object _watchGate = new();
    private readonly Dictionary<(string Rule, int Action, int Position), string?> _lastRefusal = new();
    private bool _disposed;

    public AdaptiveController(AcquisitionPlan plan, EventQueue queue, AdaptiveSetup setup, ILogger log)
    {
        _plan = plan;
        _setup = setup;
        _log = log;
        var measurements = Path.Combine(setup.RunFolder, RunFolder.MeasurementsFolderName);
        // Series of their own are not time-lapses: FRAP steps are fitted by FrapSteps, z-stacks are kept as images.
        // (`livescope analyze` treats saved runs the same way, so live and saved measurements agree.)
        Analysis = new LiveAnalysis(plan, measurements, log) { Skip = f => f.Series is not null };
        Analysis.Analysed += OnAnalysed;
        _decisions = new DecisionLog(setup.Events, setup.Clock);
        var frap = new FrapSteps(plan, measurements, OnFrapCompleted);
        _context = new ActionContext(plan, queue, new Cadence(plan, queue), new LightDose(plan.Protocol.Adapt.Limits.LightDosePerPositionS),
            frap, setup.Targeter, setup.Seed);
        _actions = new ActionRunner(_context);
        _rules = new RuleEvaluator(plan.Protocol.Adapt.Rules);
        // The first decision must not pay for compiling its path or making room for a frame's clusters (issue #6).
        DecisionWarmUp.Run(plan, setup.Seed);
        CompileNow(typeof(AdaptiveController), typeof(Applied), typeof(DecisionLog));
        // What the decision reads of the analysis (the warm-up has no pipeline of its own): otherwise compiled during the
        // first decision. A profile of the replay's first decision found the compiler there for these, LINQ's Sum and
        // rule firing (which the warm-up now covers): about 1 ms of its 2.
        foreach (var name in new[] { nameof(AnalysisPipeline.LastClusters), nameof(AnalysisPipeline.LastSightings),
                     nameof(AnalysisPipeline.LastClusterCells), nameof(AnalysisPipeline.LastCellMetrics), nameof(AnalysisPipeline.CellMasks) })
            RuntimeHelpers.PrepareMethod(typeof(AnalysisPipeline).GetProperty(name)!.GetMethod!.MethodHandle);
        RuntimeHelpers.PrepareMethod(typeof(CellMasks).GetMethod(nameof(CellMasks.CellAt))!.MethodHandle);
        int expected = PositionWatch.ExpectedClusters(plan.ImageWidth, plan.ImageHeight);
        for (int p = 0; p < Math.Max(1, plan.Protocol.Positions.Count); p++) _watches[p] = new PositionWatch(expected);
    }

    public LiveAnalysis Analysis { get; }
    public IReadOnlyList<Decision> Decisions => _decisions.Decisions;
    public DecisionLog.LatencyStats DecisionLatency => _decisions.DecisionLatency;
    public DecisionLog.LatencyStats FrameToDecisionLatency => _decisions.FrameToDecisionLatency;
    public DecisionLog.LatencyStats RuleEvaluation => _decisions.RuleEvaluation;
    public IReadOnlyList<FrapStepResult> FrapResults => _context.Frap.Results;
    public int Bleaches => _context.Bleaches;
    /// <summary>Light the position has received so far (seconds at full power): every acquired frame and bleach.</summary>
    public double LightDoseS(int position) => _context.Dose.UsedS(position);

    /// <summary>Every acquired frame exposed the sample, whether or not analysis gets to see it (engine's thread).</summary>
    public void OnAcquired(FrameEvent planned) => _context.Dose.Add(planned.PositionIndex, LightDose.FrameDoseS(planned.Channel));

    public void OnFrame(Frame frame, FrameEvent planned) => OnFrame(frame, planned, Stopwatch.GetTimestamp());

    public void OnFrame(Frame frame, FrameEvent planned, long acquiredTimestamp)
    {
        if (_context.Frap.IsFrapSeries(planned.Series)) _context.Frap.OnFrame(frame, planned, ChooseFromLatest);
        Analysis.OnFrame(frame, planned, acquiredTimestamp);
    }

    /// <summary>An action a rule's firing applied this frame, kept to be logged once the frame's decisions are taken.</summary>
    private sealed record Applied(RuleFiring Firing, int ActionIndex, ActionOutcome? Outcome, Exception? Failure, TimeSpan At, long QueuedTimestamp);

    /// <summary>On the analysing thread, right after the frame's analysis: the watch, the rules, the actions.</summary>
    private void OnAnalysed(AnalysedFrame a)
    {
        long analysed = Stopwatch.GetTimestamp(); // the decision latency starts at the analysis result
        if (a.Planned.Series is not null) return;
        List<Applied>? applied;
        // From the analysis result until the actions are queued the thread runs ahead of bulk work (detection, storage,
        // segmentation keep every core busy at 2048²; an ordinary thread then waits milliseconds for one). What is
        // logged about the decisions is written after, at ordinary priority.
        using (UrgentSection.Enter()) applied = Decide(a, analysed);
        if (applied is null) return;
        foreach (var x in applied) Record(a, x, analysed);
    }

    /// <summary>Updates the position's watch, evaluates the rules and applies what fires; null when nothing did.</summary>
    private List<Applied>? Decide(AnalysedFrame a, long analysed)
    {
        int p = a.Planned.PositionIndex;
        PositionWatch watch;
        lock (_watchGate)
        {
            if (!_watches.TryGetValue(p, out watch!)) _watches[p] = watch = new PositionWatch();
            watch.Update(a.Frame.Metadata.Timestamp.TotalSeconds, a.Result.Metrics, a.Pipeline.LastCellMetrics,
                a.Pipeline.LastClusters, a.Pipeline.LastSightings, a.Pipeline.LastClusterCells);
        }
        if (_plan.Protocol.Adapt.IsEmpty || _context.Stopped) return null;
        var firings = _rules.Evaluate(p, watch, a.Planned.Phase);
        _decisions.RulesEvaluated(analysed);
        if (firings.Count == 0) return null;
        var cellAt = CellLookup(a.Pipeline.CellMasks);
        var applied = new List<Applied>();
        foreach (var firing in firings)
            for (int actionIndex = 0; actionIndex < firing.Rule.Then.Count; actionIndex++)
            {
                var site = new ActionSite(p, watch, firing, _setup.Clock.Now, cellAt);
                ActionOutcome? outcome = null;
                Exception? failure = null;
                try
                {
                    outcome = _actions.Apply(firing.Rule.Then[actionIndex], site);
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException)
                {
                    failure = e;
                    outcome = ActionOutcome.Refused("error", e.Message);
                }
                // The action is in the queue (or refused): the latencies end here.
                applied.Add(new Applied(firing, actionIndex, outcome, failure, _setup.Clock.Now, Stopwatch.GetTimestamp()));
            }
        return applied;
    }

    /// <summary>Logs one applied action as a decision (events.jsonl, latencies, the run's log).</summary>
    private void Record(AnalysedFrame a, Applied x, long analysed)
    {
        var (firing, p) = (x.Firing, a.Planned.PositionIndex);
        var action = firing.Rule.Then[x.ActionIndex];
        if (x.Failure is not null) _log.LogError(x.Failure, "Rule {Rule}: {Action} failed", firing.Rule.Name, action.Describe());
        if (x.Outcome is not { } outcome || RepeatsRefusal(firing.Rule, x.ActionIndex, p, outcome)) return;
        var metrics = outcome.Chosen.Count == 0 ? firing.Metrics : firing.Metrics.Concat(outcome.Chosen).ToDictionary();
        var decision = new Decision(x.At, firing.Rule.Name, action.Describe(), _context.PositionAt(p).Name, a.Planned.Series,
            a.Planned.TimeIndex, a.Frame.Metadata.Timestamp.TotalSeconds, metrics, outcome.Detail,
            Stopwatch.GetElapsedTime(analysed, x.QueuedTimestamp).TotalMilliseconds, outcome.RefusedBy);
        _decisions.Write(decision, Stopwatch.GetElapsedTime(a.AcquiredTimestamp, x.QueuedTimestamp).TotalMilliseconds);
        if (outcome.RefusedBy is null) _log.LogInformation("Rule {Rule} at {Position}: {Detail}", firing.Rule.Name, decision.Position, outcome.Detail);
        else _log.LogInformation("Rule {Rule} at {Position} refused by {Limit}: {Detail}", firing.Rule.Name, decision.Position, outcome.RefusedBy, outcome.Detail);
    }

    /// <summary>
    /// Compiles the types' methods now, so the run's first decision does not wait for the compiler (0.5–1 ms of its
    /// latency at 2048² in the replay). Generic types are left out: <c>List&lt;Applied&gt;</c> runs the code shared by
    /// every list of references, already compiled.
    /// </summary>
    private static void CompileNow(params Type[] types)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in types)
            foreach (var method in type.GetMethods(all).Where(m => !m.IsAbstract && !m.ContainsGenericParameters))
                RuntimeHelpers.PrepareMethod(method.MethodHandle);
    }

    private CellMasks? _lookupMasks;
    private Func<double, double, int> _cellAt = (_, _) => 0;

    /// <summary>The cell (0 = none) at a pixel in these masks; made once per set of masks, not per frame.</summary>
    private Func<double, double, int> CellLookup(CellMasks? masks)
    {
        if (!ReferenceEquals(masks, _lookupMasks))
        {
            _lookupMasks = masks;
            _cellAt = masks is null ? (_, _) => 0 : masks.CellAt;
        }
        return _cellAt;
    }

    /// <summary>
    /// A rule refused by the same limit as last time at this position is not logged again (a spent bleach budget
    /// would otherwise log every new cluster for the rest of the run); a different outcome is.
    /// </summary>
    private bool RepeatsRefusal(AdaptRule rule, int actionIndex, int position, ActionOutcome outcome)
    {
        var key = (rule.Name, actionIndex, position);
        var previous = _lastRefusal.GetValueOrDefault(key);
        _lastRefusal[key] = outcome.RefusedBy;
        return outcome.RefusedBy is not null && outcome.RefusedBy == previous;
    }

    /// <summary>For the engine, when a FRAP step's bleach is due: the step's fixed target, or one chosen now.</summary>
    public BleachRegion? Choose(BleachEvent step)
    {
        if (_context.Frap.RegionFor(step) is { } fixedRegion) return fixedRegion;
        if (step.Frap.Target is not FrapAnalysisTarget a) return null;
        if (ChooseFromLatest(a, step.PositionIndex) is not { } chosen) return null;
        var target = _context.Frap.SetTargetOnce(step.Frap.Name, chosen);
        return new BleachCircle(new Core.Geometry.PixelPoint(target.XPx, target.YPx), target.RadiusPx);
    }

    /// <summary>A target for a planned analysis step from the latest analysed frame of its position.</summary>
    private FrapTarget? ChooseFromLatest(FrapAnalysisTarget how, int position)
    {
        List<WatchedCluster> clusters;
        lock (_watchGate)
        {
            if (!_watches.TryGetValue(position, out var watch)) return null;
            clusters = _context.Bleachable(watch.Clusters, watch.Clusters, how.RadiusPx);
        }
        if (clusters.Count == 0) return null;
        var pick = _context.Choose(how.Choice, clusters);
        return new FrapTarget(pick.XPx, pick.YPx, how.RadiusPx, pick.TrackId, pick.CellId);
    }

    private void OnFrapCompleted(FrapStepResult r, int position)
    {
        _decisions.Event("frap.result", new()
        {
            ["step"] = r.Step, ["position"] = r.Position, ["track_id"] = r.TrackId, ["cell_id"] = r.CellId,
            ["t_half_s"] = r.Fit?.HalfTimeS, ["mobile_fraction"] = r.Fit?.MobileFraction, ["r_squared"] = r.Fit?.RSquared,
            ["roi_shift_px"] = double.IsFinite(r.RoiShiftPx) ? r.RoiShiftPx : null,
            ["warnings"] = r.Fit is null ? "" : string.Join("; ", r.Fit.Warnings), ["failure"] = r.Failure,
        });
        if (r.Succeeded)
            _log.LogInformation("FRAP {Step} ({Bleached}): t½ {HalfTime:0.0} s, mobile fraction {Mobile:0.00}, R² {R2:0.000}",
                r.Step, r.Bleached, r.Fit!.HalfTimeS, r.Fit.MobileFraction, r.Fit.RSquared);
        else _log.LogWarning("FRAP {Step}: no usable fit ({Failure})", r.Step, r.Failure);
    }

    /// <summary>Finishes open FRAP steps and every analysis series, and stores the decisions' summary (adaptive.json).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _context.Frap.FinishAll((step, e) => _log.LogError(e, "Finishing the FRAP analysis of {Step} failed", step));
        Analysis.Dispose();
        _decisions.Complete();
        if (!_plan.Protocol.Adapt.IsEmpty)
        {
            try
            {
                _decisions.WriteSummary(Path.Combine(_setup.RunFolder, "adaptive.json"), _plan.Protocol.Adapt.Rules.Select(r => r.Name).ToList(), _context.Bleaches);
            }
            catch (IOException e)
            {
                _log.LogError(e, "Could not write adaptive.json");
            }
        }
    }
}
