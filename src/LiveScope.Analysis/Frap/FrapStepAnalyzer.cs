using LiveScope.Analysis.Cells;
using LiveScope.Core.Imaging;

namespace LiveScope.Analysis.Frap;

/// <summary>
/// One FRAP step's outcome. Times in seconds of the frames' clock; <see cref="BleachTimeS"/> is the time of the first
/// post-bleach frame (t = 0 of the recovery). <see cref="Failure"/> says why there is no usable fit (then
/// <see cref="Fit"/> may be null, or hold a fit that made no sense); <see cref="Curve"/> is kept whenever it was built.
/// </summary>
public sealed record FrapStepResult(
    string Step, string Position, int? TrackId, int? CellId, double XPx, double YPx, double RadiusPx, double BleachTimeS,
    FrapCurve? Curve, FrapResult? Fit, string? Failure)
{
    public bool Succeeded => Failure is null && Fit is not null;

    /// <summary>What was bleached, for people: "track N" for a target live analysis followed, else "fixed ROI".</summary>
    public string Bleached => TrackId is { } track ? FormattableString.Invariant($"track {track}") : "fixed ROI";

    /// <summary>How far the ROI went from the bleach point while following its cluster, px (0 for a fixed ROI; NaN without a curve).</summary>
    public double RoiShiftPx => Curve?.RoiXPx is { } xs && Curve.RoiYPx is { } ys
        ? xs.Select((x, i) => Math.Sqrt((x - XPx) * (x - XPx) + (ys[i] - YPx) * (ys[i] - YPx))).DefaultIfEmpty(0).Max()
        : double.NaN;
}

/// <summary>
/// Analyses one FRAP series as its frames arrive — live on the analysis thread, or from a saved
/// <c>&lt;position&gt;_&lt;step&gt;.ome.tif</c>. Frames come in order: the first <c>preBleachFrames</c> are before the
/// bleach, the rest are the recovery. The first frame is segmented into cells and the cell holding the ROI centre
/// (or the nearest within <see cref="NearestCellWithinPx"/>) becomes the whole-cell reference; every frame then adds
/// one point of ROI / reference / background means (<see cref="FrapCurveBuilder"/>). No frame is kept and no
/// frame-sized buffer is allocated after the first frame. Bad data never throws: it ends in
/// <see cref="FrapStepResult.Failure"/>.
/// </summary>
public sealed class FrapStepAnalyzer
{
    private readonly double _x, _y, _radius;
    private readonly int _preBleachFrames;
    private readonly FrapOptions _options;
    private readonly CellSegmentationOptions? _cellOptions;
    private FrapCurveBuilder? _builder;
    private FrapRoiFollower? _follower;
    private double _discDx, _discDy;
    private const double DiscHysteresisPx = 0.75;
    // The pool ring starts 2 px beyond the ROI (clear of the cluster's blurred edge) and is 6 px wide.
    private const double PoolRingGapPx = 2, PoolRingWidthPx = 6;
    private int _preSeen;
    private string? _failure;

    public FrapStepAnalyzer(string step, double roiXPx, double roiYPx, double roiRadiusPx, int preBleachFrames,
        FrapOptions? options = null, CellSegmentationOptions? cells = null)
    {
        Step = step;
        (_x, _y, _radius, _preBleachFrames) = (roiXPx, roiYPx, roiRadiusPx, preBleachFrames);
        _options = options ?? new FrapOptions();
        _cellOptions = cells;
        if (!double.IsFinite(roiXPx) || !double.IsFinite(roiYPx)) _failure = "the bleach has no ROI centre";
        else if (!(roiRadiusPx > 0)) _failure = $"the bleach ROI radius {roiRadiusPx} px is not positive";
        else if (preBleachFrames < 1) _failure = "a FRAP step needs at least one pre-bleach frame";
    }

    public string Step { get; }
    /// <summary>The stage position's name, carried into the result (and frap.csv).</summary>
    public string Position { get; init; } = "";
    /// <summary>An ROI centre this close (px) to a cell but outside every cell is assigned to that cell.</summary>
    public double NearestCellWithinPx { get; init; } = 6;
    /// <summary>
    /// Reference = only the ROI's compartment of its cell (membrane, cytoplasm or nucleus, as segmented) instead of the
    /// whole cell: corrects for the bleach depleting the local exchange pool more than the whole cell (see docs/frap.md).
    /// </summary>
    public bool CompartmentReference { get; init; }
    /// <summary>
    /// Measure the diffuse pool next to the cluster (a ring from 2 to 8 px beyond the ROI radius, within the cell) and
    /// fit the recovery as exchange with it (<see cref="FrapPoolCoupled"/>), so a pool the bleach depleted does not
    /// lower the mobile fraction and shorten t½. For isolated, settled clusters (docs/frap.md); off by default, because
    /// a neighbour that shrinks or dissolves in the ring reads as depletion.
    /// </summary>
    public bool MeasureLocalPool { get; init; }
    /// <summary>
    /// The ROI follows its cluster from frame to frame (<see cref="FrapRoiFollower"/>, to the nearest whole pixel)
    /// instead of staying at the bleach point: clusters drift a few px during a recovery. Each frame's ROI centre is
    /// kept in the curve (frap_curves.csv).
    /// </summary>
    public bool FollowCluster { get; init; } = true;

    public int FramesAdded { get; private set; }
    /// <summary>The reference cell's label in the first frame's segmentation, once known.</summary>
    public int? CellId { get; private set; }
    /// <summary>Set as soon as the data cannot give a FRAP result; later frames are counted but not measured.</summary>
    public string? Failure => _failure;

    public bool IsComplete(int expectedFrames) => FramesAdded >= expectedFrames;

    public void Add(Frame frame) => Add(frame.Pixels, frame.Width, frame.Height, frame.Metadata.Timestamp.TotalSeconds);

    /// <summary>
    /// A frame with its index in the step's plan (its T): frames before <c>preBleachFrames</c> are pre-bleach whatever
    /// arrived before, so a frame live analysis had to skip does not shift the bleach.
    /// </summary>
    public void Add(Frame frame, int stepIndex) => Add(frame.Pixels, frame.Width, frame.Height, frame.Metadata.Timestamp.TotalSeconds, stepIndex);

    public void Add(ReadOnlySpan<ushort> pixels, int width, int height, double timeS) => Add(pixels, width, height, timeS, FramesAdded);

    public void Add(ReadOnlySpan<ushort> pixels, int width, int height, double timeS, int stepIndex)
    {
        int index = FramesAdded++;
        if (stepIndex < _preBleachFrames)
        {
            if (_preSeen < index) _failure ??= $"frame {index}: a pre-bleach frame (step index {stepIndex}) came after a post-bleach one";
            _preSeen++;
        }
        if (_failure is not null) return;
        try
        {
            if (index == 0) Start(pixels, width, height);
            if (_builder is null) return;
            if (_follower is not null)
            {
                // The disc moves by whole pixels: the same pixel pattern, shifted, so the ROI mean always averages as
                // many pixels (a sub-pixel shift changes the count inside the disc, and with it the cluster's share).
                // It moves once the cluster is 0.75 px off it, not 0.5: a still cluster's centroid jitters, and a disc
                // that hops a pixel back and forth adds that jitter to the curve.
                var (fx, fy) = _follower.Update(pixels, width, height);
                if (Math.Abs(fx - _x - _discDx) > DiscHysteresisPx) _discDx = Math.Round(fx - _x);
                if (Math.Abs(fy - _y - _discDy) > DiscHysteresisPx) _discDy = Math.Round(fy - _y);
            }
            _builder.Add(pixels, width, height, timeS, _x + _discDx, _y + _discDy);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            _failure = $"frame {index}: {e.Message}";
        }
    }

    /// <summary>Segments the first (pre-bleach) frame and picks the reference cell.</summary>
    private void Start(ReadOnlySpan<ushort> pixels, int width, int height)
    {
        if (pixels.Length < width * height || width <= 0 || height <= 0) throw new ArgumentException($"a {width}×{height} frame needs {width * height} pixels");
        var masks = new CellSegmenter(_cellOptions).Segment(pixels[..(width * height)], width, height);
        int cell = CellNear(masks);
        if (cell == 0)
        {
            _failure = FormattableString.Invariant(
                $"no cell at or within {NearestCellWithinPx:0.#} px of the ROI centre ({_x:0.#}, {_y:0.#}); {masks.CellCount} cells in the first frame");
            return;
        }
        CellId = cell;
        // The split into pre- and post-bleach is by frame count (Build(preBleachFrames)), so the bleach time is not needed here.
        var compartment = CompartmentReference && masks.CellAt(_x, _y) == cell ? masks.CompartmentAt(_x, _y) : Compartment.None;
        _builder = new FrapCurveBuilder(_x, _y, _radius, masks, cell, double.PositiveInfinity)
        {
            ReferenceCompartment = compartment,
            PoolRingInnerPx = MeasureLocalPool ? _radius + PoolRingGapPx : 0,
            PoolRingOuterPx = MeasureLocalPool ? _radius + PoolRingGapPx + PoolRingWidthPx : 0,
        };
        if (FollowCluster) _follower = new FrapRoiFollower(_x, _y, _radius);
    }

    /// <summary>The cell at the ROI centre, else the nearest cell pixel within reach; 0 when none.</summary>
    private int CellNear(CellMasks masks)
    {
        if (_x < 0 || _y < 0 || _x > masks.Width - 1 || _y > masks.Height - 1) return 0;
        int atCentre = masks.CellAt(_x, _y);
        if (atCentre != 0) return atCentre;
        int reach = (int)Math.Ceiling(NearestCellWithinPx), best = 0;
        double bestD2 = NearestCellWithinPx * NearestCellWithinPx;
        int cx = (int)Math.Round(_x), cy = (int)Math.Round(_y);
        for (int y = Math.Max(0, cy - reach); y <= Math.Min(masks.Height - 1, cy + reach); y++)
            for (int x = Math.Max(0, cx - reach); x <= Math.Min(masks.Width - 1, cx + reach); x++)
            {
                double d2 = (x - _x) * (x - _x) + (y - _y) * (y - _y);
                if (d2 > bestD2) continue;
                int label = masks.CellAt(x, y);
                if (label != 0) (best, bestD2) = (label, d2);
            }
        return best;
    }

    /// <summary>Builds the curve and fits it. Never throws for bad data; may be called again (e.g. with a track id).</summary>
    public FrapStepResult Complete(int? trackId = null)
    {
        FrapCurve? curve = null;
        FrapResult? fit = null;
        string? failure = _failure;
        double bleachTimeS = double.NaN;
        if (failure is null && _builder is null) failure = "no frames were added";
        if (failure is null && _preSeen == 0) failure = "no pre-bleach frame was analysed";
        if (failure is null && FramesAdded <= _preSeen)
            failure = $"{FramesAdded} frames: none after the {_preSeen} pre-bleach frames";
        if (failure is null)
        {
            try
            {
                curve = _builder!.Build(_preSeen);
                bleachTimeS = curve.TimesS[_preSeen];
                fit = WithQualityWarnings(FrapAnalysis.Analyse(curve, _options), curve);
                failure = Implausible(fit);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException)
            {
                failure = e.Message;
            }
        }
        return new FrapStepResult(Step, Position, trackId, CellId, _x, _y, _radius, bleachTimeS, curve, fit, failure);
    }

    /// <summary>R² below this is warned as a poor fit (a cluster moving, dissolving or a neighbour entering the ROI).</summary>
    public double MinRSquared { get; init; } = 0.9;

    /// <summary>
    /// A mobile fraction above this is warned: a young cluster still growing recovers a little above its pre-bleach
    /// level, but far more means something else entered the ROI (the fit then runs off to t½ → ∞).
    /// </summary>
    public double MaxMobileFraction { get; init; } = 1.5;

    /// <summary>
    /// Warnings about the recording rather than the bleach: a plateau the data never reached (recovery shorter than
    /// 3·t½, so F∞ and the mobile fraction are extrapolated), an ROI that could not follow its cluster any farther,
    /// more recovery than bleach, and a poor fit.
    /// </summary>
    private FrapResult WithQualityWarnings(FrapResult fit, FrapCurve curve)
    {
        var warnings = new List<string>(fit.Warnings);
        double recordedS = curve.TimesS[^1] - curve.TimesS[curve.FirstPostBleachIndex];
        if (double.IsFinite(fit.HalfTimeS) && fit.HalfTimeS > 0 && recordedS < 3 * fit.HalfTimeS)
            warnings.Add(FormattableString.Invariant($"recovery recorded for {recordedS:0.#} s, under 3·t½ ({3 * fit.HalfTimeS:0.#} s): plateau extrapolated"));
        if (_follower is { HitBound: true })
            warnings.Add(FormattableString.Invariant($"the cluster moved over {_follower.MaxOffsetPx:0.#} px from the bleach point; the ROI stopped following there"));
        if (fit.MobileFraction > MaxMobileFraction)
            warnings.Add(FormattableString.Invariant(
                $"mobile fraction {fit.MobileFraction:0.##} is above {MaxMobileFraction:0.##}: more came back than was bleached (a neighbour in the ROI, or the cluster grew)"));
        if (fit.RSquared < MinRSquared)
            warnings.Add(FormattableString.Invariant($"R² {fit.RSquared:0.00} is below {MinRSquared:0.00}: poor fit"));
        return warnings.Count == fit.Warnings.Count ? fit : fit with { Warnings = warnings };
    }

    /// <summary>A fit that converged on numbers that are not a recovery is a failure, not a result.</summary>
    private static string? Implausible(FrapResult fit)
    {
        if (!double.IsFinite(fit.HalfTimeS) || fit.HalfTimeS <= 0)
            return FormattableString.Invariant($"the fit found no recovery (t½ = {fit.HalfTimeS:G4} s)");
        if (!double.IsFinite(fit.MobileFraction))
            return "the fit gave no mobile fraction";
        // A first post-bleach ROI as bright as before (or brighter: a laser reflection caught in that frame) leaves
        // nothing to recover from; a fit through it is noise.
        if (!(fit.BleachDepth > 0))
            return FormattableString.Invariant($"no bleach seen: the first post-bleach ROI is not darker than before the bleach (bleach depth {fit.BleachDepth:0.00})");
        return null;
    }
}
