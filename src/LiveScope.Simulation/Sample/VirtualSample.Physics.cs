namespace LiveScope.Simulation.Sample;

public sealed partial class VirtualSample
{
    /// <summary>Clusters below this many molecules while dissolving are gone; their molecules return to the pool.</summary>
    private const double DissolvedBelow = 1;
    private const double MinimumTargetMolecules = 20;

    /// <summary>
    /// Runs the physics from <see cref="TimeS"/> to <paramref name="timeS"/> in fixed steps (plus one shorter final step).
    /// Exchange within a step is the exact solution of dM/dt = k_in − k_off·M, so FRAP kinetics do not depend on the step.
    /// </summary>
    public void AdvanceTo(double timeS)
    {
        double step = _options.PhysicsStepS;
        while (TimeS < timeS - 1e-9)
        {
            double dt = Math.Min(step, timeS - TimeS);
            Step(dt);
            TimeS += dt;
        }
    }

    private void Step(double dt)
    {
        var p = Condition.At(TimeS);
        double decay = Math.Exp(-p.KOffPerS * dt);
        double driftSigma = Math.Sqrt(2 * _options.Clusters.DriftUm2PerS * dt);
        foreach (var cell in _cells) cell.ClusteredMolecules = 0;

        for (int i = _clusters.Count - 1; i >= 0; i--)
        {
            var cl = _clusters[i];
            var cell = _cells[cl.CellIndex];
            cl.AgeS += dt;
            if (!cl.Dissolving && cl.AgeS >= cl.LifetimeS) cl.Dissolving = true;
            double target = cl.Dissolving ? 0 : cl.BaseTargetMolecules * p.SizeFactor;
            Exchange(cl, cell, target * (1 - p.ImmobileFraction), target * p.ImmobileFraction, decay);
            if (cl.Dissolving && cl.Molecules < DissolvedBelow)
            {
                ReturnToPool(cl, cell);
                _clusters[i] = _clusters[^1];
                _clusters.RemoveAt(_clusters.Count - 1);
                continue;
            }
            if (!cl.Anchored && driftSigma > 0) Drift(cl, cell, driftSigma);
            cell.ClusteredMolecules += cl.Molecules;
        }
        Births(p, dt);
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
            double scale = Math.Min(dF > 0 ? poolF / dF : 1, dB > 0 ? poolB / dB : 1);
            scale = Math.Clamp(scale, 0, 1);
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

    /// <summary>Brownian drift; a step that would leave the cluster's compartment is not taken.</summary>
    private void Drift(Cluster cl, Cell cell, double sigmaUm)
    {
        double x = cl.XUm + sigmaUm * _physicsRandom.NextGaussian();
        double y = cl.YUm + sigmaUm * _physicsRandom.NextGaussian();
        if (cell.CompartmentAt(x, y) == cl.Compartment)
        {
            cl.XUm = x;
            cl.YUm = y;
        }
    }

    private void Births(EffectiveParameters p, double dt)
    {
        var o = _options.Clusters;
        double perS = p.BirthFactor * dt / 60;
        foreach (var cell in _cells)
        {
            Born(cell, Compartment.Membrane, o.MembraneBirthsPerMin * perS);
            Born(cell, Compartment.Cytoplasm, o.CytoplasmBirthsPerMin * perS);
            Born(cell, Compartment.Nucleus, o.NucleusBirthsPerMin * perS);
        }
    }

    private void Born(Cell cell, Compartment compartment, double expected)
    {
        int n = _physicsRandom.NextPoisson(expected);
        var o = _options.Clusters;
        for (int i = 0; i < n; i++)
        {
            if (!RandomPointIn(cell, compartment, out var x, out var y)) return;
            _clusters.Add(new Cluster
            {
                Id = _nextClusterId++,
                CellIndex = cell.Id,
                Compartment = compartment,
                XUm = x,
                YUm = y,
                Anchored = _physicsRandom.NextDouble() < o.AnchoredFraction,
                BaseTargetMolecules = Math.Max(MinimumTargetMolecules, _physicsRandom.NextExponential(o.MeanMolecules)),
                LifetimeS = _physicsRandom.NextExponential(o.MeanLifetimeS),
            });
        }
    }

    /// <summary>Rejection sampling in the cell's bounding box; gives up (false) for a compartment too thin to hit.</summary>
    private bool RandomPointIn(Cell cell, Compartment compartment, out double x, out double y)
    {
        double r = cell.BoundingRadiusUm;
        for (int tries = 0; tries < 200; tries++)
        {
            x = cell.XUm + _physicsRandom.Uniform(-r, r);
            y = cell.YUm + _physicsRandom.Uniform(-r, r);
            if (cell.CompartmentAt(x, y) == compartment) return true;
        }
        x = y = 0;
        return false;
    }
}
