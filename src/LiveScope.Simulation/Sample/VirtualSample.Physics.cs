namespace LiveScope.Simulation.Sample;

public sealed partial class VirtualSample
{
    /// <summary>Clusters below this many molecules while dissolving are gone; their molecules return to the pool.</summary>
    private const double DissolvedBelow = 1;
    private const double MinimumTargetMolecules = 20;
    private static readonly double Sqrt3 = Math.Sqrt(3);

    /// <summary>
    /// Runs one cell's physics up to <paramref name="timeS"/> in steps on a fixed grid (origin at −burn-in), the last
    /// one possibly shorter. Exchange within a step is the exact solution of dM/dt = k_in − k_off·M, so FRAP kinetics do
    /// not depend on the step length.
    /// </summary>
    private void Run(Cell cell, double timeS)
    {
        double step = _options.PhysicsStepS;
        double origin = -_options.Sample.BurnInS;
        while (cell.TimeS < timeS - 1e-9)
        {
            double nextGrid = origin + (Math.Floor((cell.TimeS - origin) / step + 1e-9) + 1) * step;
            double dt = Math.Min(nextGrid, timeS) - cell.TimeS;
            Step(cell, dt);
            cell.TimeS += dt;
        }
    }

    private void Step(Cell cell, double dt)
    {
        var p = Condition.At(cell.TimeS);
        double decay = Math.Exp(-p.KOffPerS * dt);
        double driftHalfWidth = Sqrt3 * Math.Sqrt(2 * _options.Clusters.DriftUm2PerS * dt);
        var clusters = cell.Clusters;
        double clustered = 0;
        for (int i = clusters.Count - 1; i >= 0; i--)
        {
            var cl = clusters[i];
            cl.AgeS += dt;
            if (!cl.Dissolving && cl.AgeS >= cl.LifetimeS) cl.Dissolving = true;
            double target = cl.Dissolving ? 0 : cl.BaseTargetMolecules * p.SizeFactor;
            Exchange(cl, cell, target * (1 - p.ImmobileFraction), target * p.ImmobileFraction, decay);
            if (cl.Dissolving && cl.Molecules < DissolvedBelow)
            {
                ReturnToPool(cl, cell);
                clusters[i] = clusters[^1];
                clusters.RemoveAt(clusters.Count - 1);
                continue;
            }
            if (!cl.Anchored && driftHalfWidth > 0) Drift(cl, cell, driftHalfWidth);
            clustered += cl.Molecules;
        }
        cell.ClusteredMolecules = clustered;
        var o = _options.Clusters;
        double perStep = p.BirthFactor * dt / 60;
        Born(cell, Compartment.Membrane, o.MembraneBirthsPerMin * perStep, grown: false);
        Born(cell, Compartment.Cytoplasm, o.CytoplasmBirthsPerMin * perStep, grown: false);
        Born(cell, Compartment.Nucleus, o.NucleusBirthsPerMin * perStep, grown: false);
    }

    /// <summary>
    /// Starts a cell with the clustered molecules of its steady state as full-grown clusters (lifetimes are memoryless,
    /// so each gets a fresh one); the burn-in then adds the small dissolving ones.
    /// </summary>
    private void SeedSteadyState(Cell cell)
    {
        var o = _options.Clusters;
        var p = Condition.At(cell.TimeS);
        // Growing a cluster lags its target by target/k_off molecule-seconds and dissolving it adds the same back, so
        // in steady state the clustered molecules are births × lifetime × size: that many full-grown clusters.
        double perLifetime = p.BirthFactor * o.MeanLifetimeS / 60;
        Born(cell, Compartment.Membrane, o.MembraneBirthsPerMin * perLifetime, grown: true);
        Born(cell, Compartment.Cytoplasm, o.CytoplasmBirthsPerMin * perLifetime, grown: true);
        Born(cell, Compartment.Nucleus, o.NucleusBirthsPerMin * perLifetime, grown: true);
        double clustered = 0;
        foreach (var cl in cell.Clusters) clustered += cl.Molecules;
        cell.ClusteredMolecules = clustered;
    }

    /// <summary>Exact exchange over one step for mobile molecules; immobile ones relax to their target at the same rate.</summary>
    private static void Exchange(Cluster cl, Cell cell, double mobileTarget, double immobileTarget, double decay)
    {
        int k = (int)cl.Compartment;
        double poolF = cell.PoolFluorescent[k], poolB = cell.PoolBleached[k], pool = poolF + poolB;
        double fluorescentShare = pool > 0 ? poolF / pool : 1;
        // Mobile: M(t+dt) = M·e + M_target·(1 − e); what enters is drawn from the pool with its fluorescent share.
        double inflow = mobileTarget * (1 - decay);
        double mf = cl.MobileFluorescent * decay + inflow * fluorescentShare;
        double mb = cl.MobileBleached * decay + inflow * (1 - fluorescentShare);
        // Immobile: grows towards its target from the pool, or sheds in proportion while dissolving.
        double immobile = cl.ImmobileFluorescent + cl.ImmobileBleached;
        double ifl = cl.ImmobileFluorescent, ibl = cl.ImmobileBleached;
        if (immobileTarget > immobile)
        {
            double gain = (immobileTarget - immobile) * (1 - decay);
            ifl += gain * fluorescentShare;
            ibl += gain * (1 - fluorescentShare);
        }
        else if (immobile > 0)
        {
            double keep = (immobileTarget + (immobile - immobileTarget) * decay) / immobile;
            ifl *= keep;
            ibl *= keep;
        }
        double dF = mf + ifl - cl.Fluorescent, dB = mb + ibl - cl.MobileBleached - cl.ImmobileBleached;
        // The pool cannot go below zero: if it would, the cluster takes only what is there.
        if (dF > poolF || dB > poolB)
        {
            double scale = Math.Clamp(Math.Min(dF > 0 ? poolF / dF : 1, dB > 0 ? poolB / dB : 1), 0, 1);
            mf = cl.MobileFluorescent + (mf - cl.MobileFluorescent) * scale;
            mb = cl.MobileBleached + (mb - cl.MobileBleached) * scale;
            ifl = cl.ImmobileFluorescent + (ifl - cl.ImmobileFluorescent) * scale;
            ibl = cl.ImmobileBleached + (ibl - cl.ImmobileBleached) * scale;
            dF = mf + ifl - cl.Fluorescent;
            dB = mb + ibl - cl.MobileBleached - cl.ImmobileBleached;
        }
        cell.PoolFluorescent[k] = Math.Max(0, poolF - dF);
        cell.PoolBleached[k] = Math.Max(0, poolB - dB);
        cl.MobileFluorescent = mf;
        cl.MobileBleached = mb;
        cl.ImmobileFluorescent = ifl;
        cl.ImmobileBleached = ibl;
    }

    private static void ReturnToPool(Cluster cl, Cell cell)
    {
        int k = (int)cl.Compartment;
        cell.PoolFluorescent[k] += cl.Fluorescent;
        cell.PoolBleached[k] += cl.MobileBleached + cl.ImmobileBleached;
    }

    /// <summary>
    /// Brownian drift with uniform steps of the right variance (their sum over many steps is Gaussian); a step that
    /// would leave the cluster's compartment is not taken.
    /// </summary>
    private static void Drift(Cluster cl, Cell cell, double halfWidthUm)
    {
        double x = cl.XUm + halfWidthUm * (2 * cell.Random.NextDouble() - 1);
        double y = cl.YUm + halfWidthUm * (2 * cell.Random.NextDouble() - 1);
        if (cell.CompartmentAt(x, y) == cl.Compartment)
        {
            cl.XUm = x;
            cl.YUm = y;
        }
    }

    private void Born(Cell cell, Compartment compartment, double expected, bool grown)
    {
        int n = cell.Random.NextPoisson(expected);
        var o = _options.Clusters;
        var p = Condition.At(cell.TimeS);
        int k = (int)compartment;
        for (int i = 0; i < n; i++)
        {
            if (!RandomPointIn(cell, compartment, out var x, out var y)) return;
            var cluster = new Cluster
            {
                Id = ((long)cell.Id << 32) | ++cell.ClustersBorn,
                CellIndex = cell.Id,
                Compartment = compartment,
                XUm = x,
                YUm = y,
                Anchored = cell.Random.NextDouble() < o.AnchoredFraction,
                BaseTargetMolecules = Math.Max(MinimumTargetMolecules, cell.Random.NextExponential(o.MeanMolecules)),
                LifetimeS = cell.Random.NextExponential(o.MeanLifetimeS),
            };
            if (grown)
            {
                double target = Math.Min(cluster.BaseTargetMolecules * p.SizeFactor, cell.PoolFluorescent[k] * 0.5);
                cluster.MobileFluorescent = target * (1 - p.ImmobileFraction);
                cluster.ImmobileFluorescent = target * p.ImmobileFraction;
                cell.PoolFluorescent[k] -= target;
            }
            cell.Clusters.Add(cluster);
        }
    }

    /// <summary>Rejection sampling in the cell's bounding box; gives up (false) for a compartment too thin to hit.</summary>
    private static bool RandomPointIn(Cell cell, Compartment compartment, out double x, out double y)
    {
        double r = cell.BoundingRadiusUm;
        for (int tries = 0; tries < 200; tries++)
        {
            x = cell.XUm + cell.Random.Uniform(-r, r);
            y = cell.YUm + cell.Random.Uniform(-r, r);
            if (cell.CompartmentAt(x, y) == compartment) return true;
        }
        x = y = 0;
        return false;
    }
}
