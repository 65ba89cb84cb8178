using LiveScope.Simulation.Sample;

namespace LiveScope.Simulation.Truth;

/// <summary>One cluster in the field of view of one frame, as it really was (positions are the cluster centre).</summary>
public readonly record struct ClusterTruth(
    long ClusterId,
    int CellId,
    Compartment Compartment,
    double XPx,
    double YPx,
    double XUm,
    double YUm,
    double RadiusUm,
    double Molecules,
    double FluorescentMolecules,
    double BleachedFraction,
    bool Anchored,
    bool Dissolving);
