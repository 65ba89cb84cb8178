using System.ComponentModel;
using LiveScope.Core.Config;

namespace LiveScope.Simulation.Options;

/// <summary>Basal (unstimulated) life of IR clusters; conditions and insulin scale these.</summary>
public sealed record ClusterOptions
{
    [Description("New clusters per cell per minute at the plasma membrane, before insulin. ASSUMPTION default 5.")]
    [ConfigRange(0, 10_000)]
    public double MembraneBirthsPerMin { get; init; } = 5;

    [Description("New clusters per cell per minute in the cytoplasm, before insulin. ASSUMPTION default 3.")]
    [ConfigRange(0, 10_000)]
    public double CytoplasmBirthsPerMin { get; init; } = 3;

    [Description("New clusters per cell per minute in the nucleus, before insulin. ASSUMPTION default 1.")]
    [ConfigRange(0, 10_000)]
    public double NucleusBirthsPerMin { get; init; } = 1;

    [Description("Mean molecules a cluster grows to (exponentially distributed sizes, at least 20). ASSUMPTION default 300.")]
    [ConfigRange(1, 1e7)]
    public double MeanMolecules { get; init; } = 300;

    [Description("Mean time a cluster lives before it starts to dissolve, s (exponentially distributed). ASSUMPTION default 180 s.")]
    [ConfigRange(1, 1e7)]
    public double MeanLifetimeS { get; init; } = 180;

    [Description("Cluster radius per cube root of its molecule count, µm (300 molecules → 0.13 µm). ASSUMPTION default 0.02.")]
    [ConfigRange(0, 1)]
    public double RadiusUmPerCubeRootMolecule { get; init; } = 0.02;

    [Description("Diffusion coefficient of a cluster's drift, µm²/s. ASSUMPTION default 0.0005 (≈1 µm in 8 min).")]
    [ConfigRange(0, 10)]
    public double DriftUm2PerS { get; init; } = 0.0005;

    [Description("Fraction of clusters that never drift (anchored). ASSUMPTION default 0.3.")]
    [ConfigRange(0, 1)]
    public double AnchoredFraction { get; init; } = 0.3;
}
