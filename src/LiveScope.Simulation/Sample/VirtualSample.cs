using LiveScope.Simulation.Options;
using LiveScope.Simulation.Random;

namespace LiveScope.Simulation.Sample;

/// <summary>
/// The virtual sample: a dish of cells larger than the field of view, each with a diffuse IR-GFP pool and clusters
/// that are born, grow, drift, exchange molecules and dissolve. Everything runs in simulated time. The sample's clock
/// is moved with <see cref="AdvanceTo"/>; each cell catches up lazily (on its own seeded stream, in fixed steps from
/// the same origin) only when something looks at it or acts on it, so the physics costs what is in view, and a cell's
/// history is the same whenever it is computed. Not thread-safe; the session serialises access.
/// </summary>
public sealed partial class VirtualSample
{
    private readonly SimulationOptions _options;
    private readonly Cell[] _cells;
    private readonly int _gridColumns, _gridRows;
    private readonly double _gridLeftUm, _gridTopUm;
    private readonly List<int> _scratch = [];

    public VirtualSample(SimulationOptions options)
    {
        _options = options;
        Condition = new ConditionState(options.Condition, options.Conditions, options.Reagents);
        var s = options.Sample;
        _gridColumns = Math.Max(1, (int)Math.Floor(s.WidthUm / s.CellSpacingUm));
        _gridRows = Math.Max(1, (int)Math.Floor(s.HeightUm / s.CellSpacingUm));
        _gridLeftUm = -_gridColumns * s.CellSpacingUm / 2;
        _gridTopUm = -_gridRows * s.CellSpacingUm / 2;
        var layout = new Xoshiro((ulong)options.Seed, 1);
        _cells = new Cell[_gridColumns * _gridRows];
        for (int row = 0; row < _gridRows; row++)
            for (int col = 0; col < _gridColumns; col++)
            {
                int id = row * _gridColumns + col;
                var cell = _cells[id] = MakeCell(id, col, row, ref layout);
                cell.Random = new Xoshiro((ulong)options.Seed, 2, (ulong)id);
                cell.TimeS = -s.BurnInS;
                SeedSteadyState(cell);
            }
        TimeS = 0;
    }

    /// <summary>Simulated time of the sample, s: what every cell is brought to before it is looked at.</summary>
    public double TimeS { get; private set; }
    public ConditionState Condition { get; }
    /// <summary>The cells; their state is current only after <see cref="Prepare"/> or <see cref="PrepareAll"/>.</summary>
    public IReadOnlyList<Cell> Cells => _cells;
    public SimulationOptions Options => _options;

    /// <summary>Moves the sample's clock; cells catch up when looked at. Time never goes backwards.</summary>
    public void AdvanceTo(double timeS)
    {
        if (timeS > TimeS) TimeS = timeS;
    }

    /// <summary>Brings one cell to the sample's time.</summary>
    public Cell Prepare(Cell cell)
    {
        if (cell.TimeS < TimeS - 1e-9) Run(cell, TimeS);
        return cell;
    }

    /// <summary>Brings every cell near a rectangle to the sample's time; returns their indices in <paramref name="into"/>.</summary>
    public void Prepare(double leftUm, double topUm, double rightUm, double bottomUm, double marginUm, List<int> into)
    {
        CellsNear(leftUm, topUm, rightUm, bottomUm, marginUm, into);
        foreach (int id in into) Prepare(_cells[id]);
    }

    /// <summary>Brings every cell of the dish to the sample's time (costly on big dishes; for whole-sample statistics).</summary>
    public void PrepareAll()
    {
        foreach (var cell in _cells) Prepare(cell);
    }

    private Cell MakeCell(int id, int col, int row, ref Xoshiro r)
    {
        var s = _options.Sample;
        double x = _gridLeftUm + (col + 0.5) * s.CellSpacingUm + r.Uniform(-s.CellJitterUm, s.CellJitterUm);
        double y = _gridTopUm + (row + 0.5) * s.CellSpacingUm + r.Uniform(-s.CellJitterUm, s.CellJitterUm);
        double a = s.CellRadiusUm * (1 + r.Uniform(-s.CellRadiusSpread, s.CellRadiusSpread));
        double b = a * r.Uniform(0.8, 1.0);
        double angle = r.Uniform(0, Math.PI);
        double nucleusRoom = (1 - s.NucleusRadiusFraction) * 0.35;
        var cell = new Cell(id, x, y, a, b, angle, r.Uniform(-nucleusRoom, nucleusRoom) * a,
            r.Uniform(-nucleusRoom, nucleusRoom) * b, s.NucleusRadiusFraction, Math.Min(s.MembraneWidthUm, 0.5 * b));
        double n = s.MoleculesPerCell;
        cell.PoolFluorescent[(int)Compartment.Membrane] = n * s.MembranePoolFraction;
        cell.PoolFluorescent[(int)Compartment.Nucleus] = n * s.NucleusPoolFraction;
        cell.PoolFluorescent[(int)Compartment.Cytoplasm] = n * (1 - s.MembranePoolFraction - s.NucleusPoolFraction);
        return cell;
    }

    /// <summary>The cell containing a sample point, or null (glass between cells, or outside the dish).</summary>
    public Cell? CellAt(double xUm, double yUm)
    {
        var c = NearestCell(xUm, yUm, out var rho);
        return c is not null && rho <= 1 ? c : null;
    }

    /// <summary>The cell whose outline is nearest in normalised radius (≤ 1 inside); null far outside the dish.</summary>
    public Cell? NearestCell(double xUm, double yUm, out double rho)
    {
        var s = _options.Sample;
        int col = (int)Math.Floor((xUm - _gridLeftUm) / s.CellSpacingUm);
        int row = (int)Math.Floor((yUm - _gridTopUm) / s.CellSpacingUm);
        Cell? best = null;
        rho = double.MaxValue;
        for (int dr = -1; dr <= 1; dr++)
            for (int dc = -1; dc <= 1; dc++)
            {
                int c = col + dc, r = row + dr;
                if (c < 0 || r < 0 || c >= _gridColumns || r >= _gridRows) continue;
                var cell = _cells[r * _gridColumns + c];
                cell.ToLocal(xUm, yUm, out var u, out var v);
                double p = cell.Rho(u, v);
                if (p < rho) { rho = p; best = cell; }
            }
        return best;
    }

    /// <summary>Indices of cells whose bounding circle comes within <paramref name="marginUm"/> of a rectangle (state not advanced).</summary>
    public void CellsNear(double leftUm, double topUm, double rightUm, double bottomUm, double marginUm, List<int> into)
    {
        into.Clear();
        var s = _options.Sample;
        double reach = s.CellSpacingUm + marginUm;
        int c0 = Math.Max(0, (int)Math.Floor((leftUm - reach - _gridLeftUm) / s.CellSpacingUm));
        int c1 = Math.Min(_gridColumns - 1, (int)Math.Floor((rightUm + reach - _gridLeftUm) / s.CellSpacingUm));
        int r0 = Math.Max(0, (int)Math.Floor((topUm - reach - _gridTopUm) / s.CellSpacingUm));
        int r1 = Math.Min(_gridRows - 1, (int)Math.Floor((bottomUm + reach - _gridTopUm) / s.CellSpacingUm));
        for (int r = r0; r <= r1; r++)
            for (int c = c0; c <= c1; c++)
            {
                var cell = _cells[r * _gridColumns + c];
                double m = cell.BoundingRadiusUm + marginUm;
                if (cell.XUm + m >= leftUm && cell.XUm - m <= rightUm && cell.YUm + m >= topUm && cell.YUm - m <= bottomUm)
                    into.Add(cell.Id);
            }
    }

    /// <summary>Dish-wide totals at the sample's time: all IR molecules, those in clusters, and fluorescent ones.</summary>
    public (double Total, double Clustered, double Fluorescent) Totals()
    {
        PrepareAll();
        double total = 0, clustered = 0, fluorescent = 0;
        foreach (var cell in _cells)
        {
            total += cell.TotalMolecules;
            clustered += cell.ClusteredMolecules;
            fluorescent += FluorescentMolecules(cell);
        }
        return (total, clustered, fluorescent);
    }

    /// <summary>Fluorescent molecules of one cell at the sample's time, diffuse and clustered.</summary>
    public double FluorescentMolecules(Cell cell)
    {
        Prepare(cell);
        double f = cell.PoolFluorescent[0] + cell.PoolFluorescent[1] + cell.PoolFluorescent[2];
        foreach (var cl in cell.Clusters) f += cl.Fluorescent;
        return f;
    }

    /// <summary>A cluster by id at the sample's time, or null once it has dissolved.</summary>
    public Cluster? FindCluster(int cellId, long clusterId)
    {
        foreach (var c in Prepare(_cells[cellId]).Clusters) if (c.Id == clusterId) return c;
        return null;
    }

    /// <summary>Adds a reagent at the sample's current time (the liquid handler calls this once it has pumped).</summary>
    public void AddReagent(string reagent, double concentration)
    {
        // Cells that lag behind will see the addition at its time when they catch up, because the condition is a
        // function of time and the addition is recorded with its time.
        Condition.Add(TimeS, reagent, concentration);
    }

    /// <summary>Radius of a cluster of <paramref name="molecules"/>, µm.</summary>
    public double ClusterRadiusUm(double molecules) =>
        _options.Clusters.RadiusUmPerCubeRootMolecule * Math.Cbrt(Math.Max(0, molecules));
}
