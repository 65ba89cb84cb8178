namespace LiveScope.Simulation.Sample;

/// <summary>Where in a cell an IR molecule or cluster sits.</summary>
public enum Compartment
{
    Membrane = 0,
    Cytoplasm = 1,
    Nucleus = 2,
}
