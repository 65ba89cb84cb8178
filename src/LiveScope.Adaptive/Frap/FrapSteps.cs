using System.Collections.Concurrent;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Analysis.Frap;
using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Core.Imaging;

namespace LiveScope.Adaptive.Frap;

/// <summary>A bleach target fixed for one FRAP step: where to bleach, and which track and cell it belongs to.</summary>
public sealed record FrapTarget(double XPx, double YPx, double RadiusPx, int? TrackId, int? CellId);

/// <summary>
/// Follows every FRAP step of a run, planned or started by a rule: holds each step's bleach target (so the bleach
/// and the analysis use the same spot), feeds the step's frames to a <see cref="FrapStepAnalyzer"/>, and when the
/// last recovery frame is in, fits it, appends it to measurements/frap.csv and reports it (with its track id).
/// Targets are read by the engine's thread; everything else runs on the analysis thread.
/// </summary>
public sealed class FrapSteps(AcquisitionPlan plan, string measurementsFolder, Action<FrapStepResult, int> completed)
{
    private sealed class Step
    {
        public required FrapSpec Spec { get; init; }
        public required int PositionIndex { get; init; }
        public FrapStepAnalyzer? Analyzer;
        public bool Done;
        public int ExpectedFrames => Spec.PreBleachFrames + Spec.RecoveryFrames;
    }

    private readonly ConcurrentDictionary<string, FrapTarget> _targets = new();
    private readonly Dictionary<string, Step> _steps = plan.Events.OfType<BleachEvent>()
        .ToDictionary(b => b.Frap.Name, b => new Step { Spec = b.Frap, PositionIndex = b.PositionIndex });
    private readonly List<FrapStepResult> _results = [];

    public IReadOnlyList<FrapStepResult> Results => _results;
    public bool IsFrapSeries(string? series) => series is not null && _steps.ContainsKey(series);
    /// <summary>True while a step has been started but its last frame is not analysed yet.</summary>
    public bool AnyRunning => _steps.Values.Any(s => !s.Done && (s.Analyzer is not null || _targets.ContainsKey(s.Spec.Name)));

    /// <summary>A step made up by a rule, with its target chosen already.</summary>
    public void Expect(FrapSpec spec, int positionIndex, FrapTarget target)
    {
        _steps[spec.Name] = new Step { Spec = spec, PositionIndex = positionIndex };
        _targets[spec.Name] = target;
    }

    /// <summary>Fixes the target of a planned <c>target: analysis</c> step (first come wins: the bleach and the analysis must agree).</summary>
    public FrapTarget SetTargetOnce(string step, FrapTarget target) => _targets.GetOrAdd(step, target);

    public FrapTarget? TargetOf(string step) => _targets.TryGetValue(step, out var t) ? t : null;

    /// <summary>The region the engine bleaches for a step: its fixed target, or the protocol's ROI.</summary>
    public BleachRegion? RegionFor(BleachEvent step) =>
        TargetOf(step.Frap.Name) is { } t ? new BleachCircle(new PixelPoint(t.XPx, t.YPx), t.RadiusPx) : null;

    /// <summary>One frame of a FRAP series. <paramref name="chooseTarget"/> picks a target for a planned analysis step that has none yet.</summary>
    public void OnFrame(Frame frame, FrameEvent planned, Func<FrapAnalysisTarget, int, FrapTarget?> chooseTarget)
    {
        if (planned.Series is not { } name || !_steps.TryGetValue(name, out var step) || step.Done) return;
        if (step.Analyzer is null)
        {
            var target = TargetOf(name) ?? step.Spec.Target switch
            {
                FrapRoiTarget roi => SetTargetOnce(name, FromRegion(roi.Region)),
                FrapAnalysisTarget a when chooseTarget(a, step.PositionIndex) is { } chosen => SetTargetOnce(name, chosen),
                _ => null,
            };
            if (target is null) return; // nothing to bleach here: the engine skips the bleach too
            step.Analyzer = new FrapStepAnalyzer(name, target.XPx, target.YPx, target.RadiusPx, step.Spec.PreBleachFrames)
            {
                Position = step.Spec.Position,
                MeasureLocalPool = step.Spec.LocalPool,
            };
        }
        // By the frame's T, not by count: live analysis may have skipped frames when it was behind.
        step.Analyzer.Add(frame, planned.TimeIndex);
        if (planned.TimeIndex >= step.ExpectedFrames - 1) Finish(step);
    }

    /// <summary>Fits whatever steps are still open (a run that ended early): each gives a result or a failure.</summary>
    public void FinishAll(Action<string, Exception> failed)
    {
        foreach (var step in _steps.Values.Where(s => s.Analyzer is not null && !s.Done).ToList())
        {
            try
            {
                Finish(step);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException)
            {
                failed(step.Spec.Name, e); // one step's failure must not cost the others their results
            }
        }
    }

    private void Finish(Step step)
    {
        step.Done = true;
        var target = TargetOf(step.Spec.Name);
        var result = step.Analyzer!.Complete(target?.TrackId);
        _results.Add(result);
        var series = Acquisition.Recording.OmeTiffFrameStore.SeriesName(plan, step.PositionIndex, step.Spec.Name);
        FrapResultsCsv.Append(measurementsFolder, result, series);
        completed(result, step.PositionIndex);
    }

    private static FrapTarget FromRegion(BleachRegion region) => region switch
    {
        BleachCircle c => new FrapTarget(c.Centre.X, c.Centre.Y, c.RadiusPx, null, null),
        BleachPoint p => new FrapTarget(p.Centre.X, p.Centre.Y, 2, null, null),
        BleachPolygon poly => new FrapTarget(poly.Vertices.Average(v => v.X), poly.Vertices.Average(v => v.Y),
            Math.Sqrt(Area(poly) / Math.PI), null, null),
        _ => new FrapTarget(double.NaN, double.NaN, double.NaN, null, null),
    };

    private static double Area(BleachPolygon poly)
    {
        double a = 0;
        var v = poly.Vertices;
        for (int i = 0; i < v.Count; i++) a += v[i].X * v[(i + 1) % v.Count].Y - v[(i + 1) % v.Count].X * v[i].Y;
        return Math.Abs(a) / 2;
    }
}
