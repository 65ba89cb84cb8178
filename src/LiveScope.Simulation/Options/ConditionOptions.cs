using System.ComponentModel;
using LiveScope.Core.Config;

namespace LiveScope.Simulation.Options;

/// <summary>
/// One cell condition as a parameter set. Exchange: each mobile molecule leaves its cluster at k_off and is replaced
/// from the diffuse pool, so FRAP recovers with t½ = ln2/k_off to the mobile fraction 1 − immobile_fraction.
/// </summary>
public sealed record ConditionParameters
{
    [Description("Exchange rate of mobile molecules between cluster and diffuse pool, 1/s (t½ = ln2/k_off).")]
    [ConfigRange(1e-6, 100)]
    public double KOffPerS { get; init; } = 0.05;

    [Description("Fraction of a cluster's molecules that never exchange (FRAP mobile fraction = 1 − this).")]
    [ConfigRange(0, 0.99)]
    public double ImmobileFraction { get; init; } = 0.2;

    [Description("Multiplier on the basal cluster birth rates.")]
    [ConfigRange(0, 100)]
    public double BasalBirthFactor { get; init; } = 1;

    [Description("Multiplier on cluster birth rate at full insulin response.")]
    [ConfigRange(0, 100)]
    public double InsulinBirthGain { get; init; } = 2.0;

    [Description("Multiplier on cluster target size at full insulin response.")]
    [ConfigRange(0, 100)]
    public double InsulinSizeGain { get; init; } = 1.3;

    internal static ConditionParameters Lerp(ConditionParameters a, ConditionParameters b, double t) => new()
    {
        KOffPerS = a.KOffPerS + (b.KOffPerS - a.KOffPerS) * t,
        ImmobileFraction = a.ImmobileFraction + (b.ImmobileFraction - a.ImmobileFraction) * t,
        BasalBirthFactor = a.BasalBirthFactor + (b.BasalBirthFactor - a.BasalBirthFactor) * t,
        InsulinBirthGain = a.InsulinBirthGain + (b.InsulinBirthGain - a.InsulinBirthGain) * t,
        InsulinSizeGain = a.InsulinSizeGain + (b.InsulinSizeGain - a.InsulinSizeGain) * t,
    };
}

/// <summary>The four conditions of the seed paper, each a full parameter set (all values ASSUMPTIONS).</summary>
public sealed record ConditionSetOptions
{
    [Description("Insulin-sensitive cells. ASSUMPTION defaults: k_off 0.05/s (t½ 13.9 s), immobile 0.2, insulin births ×2.0, sizes ×1.3.")]
    public ConditionParameters InsulinSensitive { get; init; } = new();

    [Description("Insulin-resistant cells: blunted insulin response, slower exchange. ASSUMPTION defaults: k_off 0.02/s (t½ 34.7 s), immobile 0.35, births ×1.05, sizes ×1.02.")]
    public ConditionParameters InsulinResistant { get; init; } = new()
    {
        KOffPerS = 0.02, ImmobileFraction = 0.35, InsulinBirthGain = 1.05, InsulinSizeGain = 1.02,
    };

    [Description("Resistant cells treated with metformin: partial rescue. ASSUMPTION defaults: k_off 0.035/s, immobile 0.25, births ×1.5, sizes ×1.15.")]
    public ConditionParameters ResistantMetformin { get; init; } = new()
    {
        KOffPerS = 0.035, ImmobileFraction = 0.25, InsulinBirthGain = 1.5, InsulinSizeGain = 1.15,
    };

    [Description("Sensitive cells under H2O2 (ROS): exchange slowed. ASSUMPTION defaults: k_off 0.025/s, immobile 0.3, births ×1.8, sizes ×1.25.")]
    public ConditionParameters H2o2 { get; init; } = new()
    {
        KOffPerS = 0.025, ImmobileFraction = 0.3, InsulinBirthGain = 1.8, InsulinSizeGain = 1.25,
    };

    public ConditionParameters For(SampleCondition c) => c switch
    {
        SampleCondition.InsulinSensitive => InsulinSensitive,
        SampleCondition.InsulinResistant => InsulinResistant,
        SampleCondition.ResistantMetformin => ResistantMetformin,
        SampleCondition.H2o2 => H2o2,
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };
}

/// <summary>How reagents added through the liquid handler act on the cells.</summary>
public sealed record ReagentOptions
{
    [Description("Insulin concentration giving half the maximal response, nM. ASSUMPTION default 1 nM.")]
    [ConfigRange(1e-6, 1e6)]
    public double InsulinEc50Nm { get; init; } = 1;

    [Description("Time constant with which the insulin response rises after an addition, s. ASSUMPTION default 180 s.")]
    [ConfigRange(0.1, 1e6)]
    public double InsulinResponseTauS { get; init; } = 180;

    [Description("Metformin concentration giving half the rescue, mM; metformin moves resistant cells toward resistant_metformin. ASSUMPTION default 0.5 mM.")]
    [ConfigRange(1e-6, 1e6)]
    public double MetforminEc50Mm { get; init; } = 0.5;

    [Description("H2O2 concentration giving half the ROS effect, µM. ASSUMPTION default 100 µM.")]
    [ConfigRange(1e-6, 1e6)]
    public double H2o2Ec50Um { get; init; } = 100;

    [Description("Factor on k_off at a saturating H2O2 addition (ROS slow exchange). ASSUMPTION default 0.5.")]
    [ConfigRange(0.01, 1)]
    public double H2o2KOffFactor { get; init; } = 0.5;
}
