using System.ComponentModel;
using LiveScope.Core.Config;

namespace LiveScope.Simulation.Options;

/// <summary>The starting state of the simulated cells: which parameter set of <see cref="ConditionSetOptions"/> applies.</summary>
public enum SampleCondition
{
    InsulinSensitive,
    InsulinResistant,
    ResistantMetformin,
    H2o2,
}

/// <summary>
/// Settings of the simulated backend (<c>backends.simulated</c> in a device config). Every default is an ASSUMPTION:
/// the seed paper's methods numbers are not to hand, so each value is a plausible, named, configurable guess.
/// </summary>
public sealed record SimulationOptions : IValidatedOptions
{
    [Description("Seed of every random generator of the simulation (sample, physics, noise, faults). Same seed and same calls give the same frames. Default 42.")]
    public long Seed { get; init; } = 42;

    [Description("Simulated seconds per wall-clock second; 0 runs as fast as possible (waits return at once and the clock jumps). Default 0.")]
    [ConfigRange(0, 1_000_000)]
    public double TimeScale { get; init; }

    [Description("Condition the cells start in: insulin_sensitive, insulin_resistant, resistant_metformin or h2o2. Default insulin_sensitive.")]
    public SampleCondition Condition { get; init; } = SampleCondition.InsulinSensitive;

    [Description("Physics time step of the sample, s. Exchange is integrated exactly within a step; births, drift and dissolution happen per step. Default 1 s.")]
    [ConfigRange(0.01, 60)]
    public double PhysicsStepS { get; init; } = 1.0;

    [Description("Write per-frame ground truth (clusters in view) to subscribers; turn off for benchmarks. Default true.")]
    public bool GroundTruth { get; init; } = true;

    public SampleOptions Sample { get; init; } = new();
    public ClusterOptions Clusters { get; init; } = new();
    public ConditionSetOptions Conditions { get; init; } = new();
    public ReagentOptions Reagents { get; init; } = new();
    public PhotophysicsOptions Photophysics { get; init; } = new();
    public OpticsOptions Optics { get; init; } = new();
    public CameraNoiseOptions CameraNoise { get; init; } = new();
    public FaultOptions Faults { get; init; } = new();

    public string? Validate() => Sample.Validate() ?? Optics.Validate();
}
