namespace LiveScope.Simulation.Sample;

/// <summary>
/// An IR cluster. Its molecules are mobile (exchange with the diffuse pool at k_off) or immobile (stay until the
/// cluster dissolves); each kind is split into fluorescent and bleached, which is what FRAP sees.
/// </summary>
public sealed class Cluster
{
    public long Id { get; init; }
    public int CellIndex { get; init; }
    public Compartment Compartment { get; init; }
    public double XUm { get; set; }
    public double YUm { get; set; }
    /// <summary>Anchored clusters do not drift.</summary>
    public bool Anchored { get; init; }
    /// <summary>Size the cluster grows towards before the insulin size gain, molecules.</summary>
    public double BaseTargetMolecules { get; init; }
    public double AgeS { get; set; }
    public double LifetimeS { get; init; }
    public bool Dissolving { get; set; }

    public double MobileFluorescent { get; set; }
    public double MobileBleached { get; set; }
    public double ImmobileFluorescent { get; set; }
    public double ImmobileBleached { get; set; }

    public double Molecules => MobileFluorescent + MobileBleached + ImmobileFluorescent + ImmobileBleached;
    public double Fluorescent => MobileFluorescent + ImmobileFluorescent;
    public double BleachedFraction => Molecules > 0 ? 1 - Fluorescent / Molecules : 0;

    /// <summary>Multiplies the fluorescent molecules by <paramref name="survive"/>; the rest become bleached.</summary>
    public void Bleach(double survive)
    {
        double lostMobile = MobileFluorescent * (1 - survive), lostImmobile = ImmobileFluorescent * (1 - survive);
        MobileFluorescent -= lostMobile;
        MobileBleached += lostMobile;
        ImmobileFluorescent -= lostImmobile;
        ImmobileBleached += lostImmobile;
    }
}
