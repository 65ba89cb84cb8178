namespace LiveScope.Simulation.Sample;

/// <summary>
/// One cell: an elliptical outline with a plasma-membrane rim, cytoplasm and an elliptical nucleus, plus the
/// diffuse IR-GFP pool of each compartment split into fluorescent and bleached molecules.
/// Geometry is fixed; pools change with exchange and bleaching.
/// </summary>
public sealed class Cell
{
    public Cell(int id, double xUm, double yUm, double semiAUm, double semiBUm, double angleRad,
        double nucleusDxUm, double nucleusDyUm, double nucleusFraction, double membraneWidthUm)
    {
        Id = id;
        XUm = xUm;
        YUm = yUm;
        SemiAUm = semiAUm;
        SemiBUm = semiBUm;
        Cos = Math.Cos(angleRad);
        Sin = Math.Sin(angleRad);
        NucleusUUm = nucleusDxUm;
        NucleusVUm = nucleusDyUm;
        NucleusAUm = semiAUm * nucleusFraction;
        NucleusBUm = semiBUm * nucleusFraction;
        MembraneWidthUm = membraneWidthUm;
        double cell = Math.PI * semiAUm * semiBUm;
        double inner = Math.PI * (semiAUm - membraneWidthUm) * (semiBUm - membraneWidthUm);
        AreaUm2[(int)Compartment.Membrane] = cell - inner;
        AreaUm2[(int)Compartment.Nucleus] = Math.PI * NucleusAUm * NucleusBUm;
        AreaUm2[(int)Compartment.Cytoplasm] = inner - AreaUm2[(int)Compartment.Nucleus];
    }

    public int Id { get; }
    public double XUm { get; }
    public double YUm { get; }
    public double SemiAUm { get; }
    public double SemiBUm { get; }
    public double Cos { get; }
    public double Sin { get; }
    /// <summary>Nucleus centre in the cell's own (u, v) frame, µm.</summary>
    public double NucleusUUm { get; }
    public double NucleusVUm { get; }
    public double NucleusAUm { get; }
    public double NucleusBUm { get; }
    public double MembraneWidthUm { get; }
    public double BoundingRadiusUm => Math.Max(SemiAUm, SemiBUm);

    /// <summary>Area of each compartment (index by <see cref="Compartment"/>), µm².</summary>
    public double[] AreaUm2 { get; } = new double[3];
    /// <summary>Diffuse fluorescent molecules per compartment.</summary>
    public double[] PoolFluorescent { get; } = new double[3];
    /// <summary>Diffuse bleached molecules per compartment.</summary>
    public double[] PoolBleached { get; } = new double[3];
    /// <summary>Molecules currently in this cell's clusters (kept by the physics for ground truth).</summary>
    public double ClusteredMolecules { get; internal set; }
    /// <summary>The cell's clusters. Valid at <see cref="TimeS"/>; the sample advances a cell before anyone looks.</summary>
    public List<Cluster> Clusters { get; } = [];
    /// <summary>Simulated time this cell's physics has reached, s. Cells are advanced lazily, each on its own stream.</summary>
    public double TimeS { get; internal set; }
    /// <summary>The cell's own random stream, so a cell's history does not depend on when others are advanced.</summary>
    internal Random.Xoshiro Random;
    internal long ClustersBorn;

    public double PoolTotal(int c) => PoolFluorescent[c] + PoolBleached[c];

    public void ToLocal(double xUm, double yUm, out double u, out double v)
    {
        double dx = xUm - XUm, dy = yUm - YUm;
        u = Cos * dx + Sin * dy;
        v = -Sin * dx + Cos * dy;
    }

    public void ToSample(double u, double v, out double xUm, out double yUm)
    {
        xUm = XUm + Cos * u - Sin * v;
        yUm = YUm + Sin * u + Cos * v;
    }

    /// <summary>Normalised elliptical radius: 1 on the outline.</summary>
    public double Rho(double u, double v) => Math.Sqrt(u * u / (SemiAUm * SemiAUm) + v * v / (SemiBUm * SemiBUm));
    public double InnerRho(double u, double v)
    {
        double a = SemiAUm - MembraneWidthUm, b = SemiBUm - MembraneWidthUm;
        return Math.Sqrt(u * u / (a * a) + v * v / (b * b));
    }
    public double NucleusRho(double u, double v)
    {
        double du = u - NucleusUUm, dv = v - NucleusVUm;
        return Math.Sqrt(du * du / (NucleusAUm * NucleusAUm) + dv * dv / (NucleusBUm * NucleusBUm));
    }

    /// <summary>The compartment at a sample point, or null outside the cell.</summary>
    public Compartment? CompartmentAt(double xUm, double yUm)
    {
        ToLocal(xUm, yUm, out var u, out var v);
        if (Rho(u, v) > 1) return null;
        if (InnerRho(u, v) > 1) return Compartment.Membrane;
        return NucleusRho(u, v) <= 1 ? Compartment.Nucleus : Compartment.Cytoplasm;
    }

    public double TotalMolecules
    {
        get
        {
            double s = ClusteredMolecules;
            for (int c = 0; c < 3; c++) s += PoolTotal(c);
            return s;
        }
    }
}
