namespace LiveScope.Acquisition.Protocols;

/// <summary>
/// The protocol's <c>adapt:</c> section: rules that let live analysis change the run (image faster while clusters
/// form, bleach a new cluster and follow its recovery, take a z-stack, move on, stop), and limits no rule may break.
/// Interpreted by LiveScope.Adaptive's controller; an empty spec means the run follows its plan.
/// </summary>
public sealed record AdaptSpec
{
    public static readonly AdaptSpec None = new();

    public IReadOnlyList<AdaptRule> Rules { get; init; } = [];
    public AdaptLimits Limits { get; init; } = new();
    public bool IsEmpty => Rules.Count == 0;
}

/// <summary>Limits that hold whatever the rules say. An action that would break one is refused and logged.</summary>
public sealed record AdaptLimits
{
    /// <summary>Bleaches the rules may start in one run (planned FRAP steps are not counted).</summary>
    public int MaxBleaches { get; init; } = 10;
    /// <summary>Bleaches the rules may aim at clusters of one cell (a cell bleached twice is no longer a control).</summary>
    public int MaxBleachesPerCell { get; init; } = 1;
    /// <summary>Total time one position may spend at a fast interval, seconds.</summary>
    public double MaxFastImagingS { get; init; } = 600;
    /// <summary>
    /// Light budget per position in seconds of full-power illumination (Σ exposure × power fraction, bleaches
    /// included as dwell × spots × power); null = no budget. Rules that would add light beyond it are refused.
    /// </summary>
    public double? LightDosePerPositionS { get; init; }
}

/// <summary>One rule: when its condition holds (for N consecutive analysed frames), do its actions; then rest for the cooldown.</summary>
public sealed record AdaptRule(string Name, AdaptCondition When, IReadOnlyList<AdaptAction> Then, double CooldownS)
{
    /// <summary>Where the rule sits in its file's model (adapt.rules[i]); validation errors point there.</summary>
    public string SourcePath { get; init; } = "adapt.rules";

    /// <summary>
    /// The phases whose frames the rule watches (null: all). A new-cluster rule then counts only clusters that appear
    /// once one of them has begun — "bleach clusters that form after insulin" is <c>phases: [response]</c>.
    /// </summary>
    public IReadOnlyList<string>? Phases { get; init; }

    /// <summary>Whether the rule watches frames of <paramref name="phase"/>.</summary>
    public bool Watches(string? phase) => Phases is null || (phase is not null && Phases.Contains(phase));
}

public enum AdaptMetric { ClusterCount, Density, PartitionRatio, CondensedFraction, BirthsPerMin }

/// <summary>Whether a metric is taken over the whole field or must hold in at least one cell.</summary>
public enum MetricScope { Field, Cell }

public abstract record AdaptCondition;

/// <summary>A metric above (or below) a threshold for <see cref="ForFrames"/> consecutive analysed frames of a position.</summary>
public sealed record MetricCondition(AdaptMetric Metric, MetricScope Per, bool Above, double Threshold, int ForFrames) : AdaptCondition;

/// <summary>A cluster track born after the run started (or after the last stimulation) that has persisted N frames.</summary>
public sealed record NewClusterCondition(int PersistsFrames) : AdaptCondition;

public abstract record AdaptAction
{
    /// <summary>How the action reads in logs and reports.</summary>
    public abstract string Describe();
}

/// <summary>
/// Image this position every <see cref="IntervalS"/> (null: back to the protocol's interval). A fast interval
/// lasts at least <see cref="MinFrames"/> frames, and at most <see cref="AdaptLimits.MaxFastImagingS"/> in total.
/// </summary>
public sealed record IntervalAction(double? IntervalS, int MinFrames) : AdaptAction
{
    public override string Describe() => IntervalS is { } s ? $"interval {s:0.###} s (at least {MinFrames} frames)" : "interval back to the protocol's";
}

/// <summary>Bleach a cluster chosen by analysis and image its recovery (a FRAP step made up on the spot).</summary>
public sealed record BleachAction(
    FrapTargetChoice Choose,
    double RadiusPx,
    int PreBleachFrames,
    double RecoveryIntervalS,
    double RecoveryDurationS,
    double DwellMs,
    double PowerFraction,
    string? Channel) : AdaptAction
{
    public int RecoveryFrames => (int)Math.Floor(RecoveryDurationS / RecoveryIntervalS + 1e-9);
    /// <summary>Fit each recovery coupled to the measured local pool (<see cref="FrapSpec.LocalPool"/>).</summary>
    public bool LocalPool { get; init; }
    public override string Describe() => $"bleach {Choose.ToString().ToLowerInvariant()} cluster, follow recovery {RecoveryDurationS:0.#} s";
}

/// <summary>Take one z-stack at this position now, as a series of its own.</summary>
public sealed record ZStackAction(double RangeUm, double StepUm) : AdaptAction
{
    public int Slices => (int)Math.Floor(RangeUm / StepUm + 1e-9) + 1;
    public override string Describe() => $"z-stack {RangeUm:0.###} µm in {StepUm:0.###} µm steps";
}

/// <summary>Stop imaging this position (its remaining frames are dropped) and go on with the others.</summary>
public sealed record NextPositionAction : AdaptAction
{
    public override string Describe() => "move on to the next position";
}

/// <summary>End the run now (completed, with the reason in the log).</summary>
public sealed record StopAction(string Reason) : AdaptAction
{
    public override string Describe() => $"stop the run ({Reason})";
}
