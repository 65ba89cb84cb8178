using System.ComponentModel;
using LiveScope.Core.Config;

namespace LiveScope.Simulation.Options;

/// <summary>Geometry of the virtual sample: a dish of cells on a jittered grid, centred on stage (0, 0).</summary>
public sealed record SampleOptions
{
    [Description("Width of the area covered with cells, µm, centred on stage x = 0; outside it the stage sees empty glass. ASSUMPTION default 600 µm.")]
    [ConfigRange(10, 100_000)]
    public double WidthUm { get; init; } = 600;

    [Description("Height of the area covered with cells, µm, centred on stage y = 0. ASSUMPTION default 600 µm.")]
    [ConfigRange(10, 100_000)]
    public double HeightUm { get; init; } = 600;

    [Description("Distance between neighbouring cell centres on the grid, µm. ASSUMPTION default 30 µm (hepatocytes are 20–30 µm across).")]
    [ConfigRange(5, 1000)]
    public double CellSpacingUm { get; init; } = 30;

    [Description("Random shift of each cell centre from its grid point, µm (kept small enough that cells never overlap). ASSUMPTION default 2.5 µm.")]
    [ConfigRange(0, 100)]
    public double CellJitterUm { get; init; } = 2.5;

    [Description("Mean semi-axis of a cell's elliptical outline, µm. ASSUMPTION default 11 µm.")]
    [ConfigRange(1, 500)]
    public double CellRadiusUm { get; init; } = 11;

    [Description("Relative spread of cell semi-axes (uniform ±). ASSUMPTION default 0.12.")]
    [ConfigRange(0, 0.5)]
    public double CellRadiusSpread { get; init; } = 0.12;

    [Description("Nucleus semi-axes as a fraction of the cell's. ASSUMPTION default 0.38.")]
    [ConfigRange(0.05, 0.8)]
    public double NucleusRadiusFraction { get; init; } = 0.38;

    [Description("Width of the plasma-membrane rim seen in the image, µm. ASSUMPTION default 0.4 µm.")]
    [ConfigRange(0.05, 5)]
    public double MembraneWidthUm { get; init; } = 0.4;

    [Description("IR-GFP molecules per cell (diffuse and clustered together). ASSUMPTION default 100000.")]
    [ConfigRange(100, 1e9)]
    public double MoleculesPerCell { get; init; } = 100_000;

    [Description("Share of the diffuse IR pool at the plasma membrane. ASSUMPTION default 0.45.")]
    [ConfigRange(0, 1)]
    public double MembranePoolFraction { get; init; } = 0.45;

    [Description("Share of the diffuse IR pool in the nucleus (the rest is cytoplasmic). ASSUMPTION default 0.1.")]
    [ConfigRange(0, 1)]
    public double NucleusPoolFraction { get; init; } = 0.1;

    [Description("Stage z at which the cells are in focus, µm. ASSUMPTION default 50 µm.")]
    [ConfigRange(-100_000, 100_000)]
    public double FocusPlaneUm { get; init; } = 50;

    [Description("Simulated time each cell runs before the clock starts, s, after clusters are seeded near their steady state. Default 120 s.")]
    [ConfigRange(0, 100_000)]
    public double BurnInS { get; init; } = 120;

    internal string? Validate() =>
        CellRadiusUm * (1 + CellRadiusSpread) + CellJitterUm > CellSpacingUm / 2
            ? $"cells would overlap: cell_radius_um·(1+cell_radius_spread) + cell_jitter_um must stay below cell_spacing_um/2 = {CellSpacingUm / 2}"
            : MembranePoolFraction + NucleusPoolFraction > 1
                ? "membrane_pool_fraction + nucleus_pool_fraction must not exceed 1"
                : null;
}
