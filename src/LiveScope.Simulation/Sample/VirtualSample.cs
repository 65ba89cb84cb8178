using LiveScope.Simulation.Options;
using LiveScope.Simulation.Random;

namespace LiveScope.Simulation.Sample;

/// <summary>
/// The virtual sample: a dish of cells larger than the field of view, each with a diffuse IR-GFP pool and clusters
/// that are born, grow, drift, exchange molecules and dissolve. Everything runs in simulated time: callers advance it
/// to the clock's time (<see cref="AdvanceTo"/>) before looking at it. Not thread-safe; the session serialises access.
/// </summary>
public sealed partial class VirtualSample
{
    private readonly SimulationOptions _options;
    private readonly Cell[] _cells;
    private readonly int _gridColumns, _gridRows;
    private readonly double _gridLeftUm, _gridTopUm;
    private readonly List<Cluster> _clusters = [];
    private Xoshiro _physicsRandom;
    private long _nextClusterId = 1;

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
        _physicsRandom = new Xoshiro((ulong)options.Seed, 2);
        _cells = new Cell[_gridColumns * _gridRows];
        for (int row = 0; row < _gridRows; row++)
            for (int col = 0; col < _gridColumns; col++)
                _cells[row * _gridColumns + col] = MakeCell(row * _gridColumns + col, col, row, ref layout);
        // Burn-in: run the physics before time zero so clusters start in their steady state.
        TimeS = -s.BurnInS;
        AdvanceTo(0);
    }

    /// <summary>Simulated time the sample has been advanced to, s (negative during burn-in).</summary>
    public double TimeS { get; private set; }
    public ConditionState Condition { get; }
    public IReadOnlyList<Cell> Cells => _cells;
    public IReadOnlyList<Cluster> Clusters => _clusters;
    public SimulationOptions Options => _options;

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

    /// <summary>Adds the indices of cells whose bounding circle comes within <paramref name="marginUm"/> of a rectangle.</summary>
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

    /// <summary>Sample-wide totals: all IR molecules, those in clusters, and fluorescent ones.</summary>
    public (double Total, double Clustered, double Fluorescent) Totals()
    {
        double total = 0, clustered = 0, fluorescent = 0;
        foreach (var cell in _cells)
        {
            for (int c = 0; c < 3; c++)
            {
                total += cell.PoolTotal(c);
                fluorescent += cell.PoolFluorescent[c];
            }
        }
        foreach (var cl in _clusters)
        {
            total += cl.Molecules;
            clustered += cl.Molecules;
            fluorescent += cl.Fluorescent;
        }
        return (total, clustered, fluorescent);
    }

    /// <summary>Fluorescent molecules of one cell, diffuse and clustered.</summary>
    public double FluorescentMolecules(Cell cell)
    {
        double f = cell.PoolFluorescent[0] + cell.PoolFluorescent[1] + cell.PoolFluorescent[2];
        foreach (var cl in _clusters)
            if (cl.CellIndex == cell.Id) f += cl.Fluorescent;
        return f;
    }

    public Cluster? FindCluster(long id)
    {
        foreach (var c in _clusters) if (c.Id == id) return c;
        return null;
    }

    /// <summary>Adds a reagent from simulated time <paramref name="timeS"/> on (the liquid handler calls this).</summary>
    public void AddReagent(double timeS, string reagent, double concentration) => Condition.Add(timeS, reagent, concentration);

    /// <summary>Radius of a cluster of <paramref name="molecules"/>, µm.</summary>
    public double ClusterRadiusUm(double molecules) =>
        _options.Clusters.RadiusUmPerCubeRootMolecule * Math.Cbrt(Math.Max(0, molecules));
}
