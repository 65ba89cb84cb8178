namespace LiveScope.Simulation.Sample;

public sealed partial class VirtualSample
{
    /// <summary>
    /// Widefield illumination of a rectangle for one exposure: everything inside keeps exp(−dose) of its fluorescence.
    /// A cell's diffuse pools lose in proportion to the share of the cell's bounding box that is lit (they are well mixed).
    /// </summary>
    public void BleachField(double leftUm, double topUm, double rightUm, double bottomUm, double dose)
    {
        if (dose <= 0) return;
        double survive = Math.Exp(-dose);
        Prepare(leftUm, topUm, rightUm, bottomUm, 0, _scratch);
        foreach (int id in _scratch)
        {
            var cell = _cells[id];
            double r = cell.BoundingRadiusUm;
            double ox = Math.Max(0, Math.Min(rightUm, cell.XUm + r) - Math.Max(leftUm, cell.XUm - r));
            double oy = Math.Max(0, Math.Min(bottomUm, cell.YUm + r) - Math.Max(topUm, cell.YUm - r));
            double lit = ox * oy / (4 * r * r);
            if (lit <= 0) continue;
            for (int c = 0; c < 3; c++)
            {
                double lost = cell.PoolFluorescent[c] * lit * (1 - survive);
                cell.PoolFluorescent[c] -= lost;
                cell.PoolBleached[c] += lost;
            }
            foreach (var cl in cell.Clusters)
                if (cl.XUm >= leftUm && cl.XUm <= rightUm && cl.YUm >= topUm && cl.YUm <= bottomUm)
                    cl.Bleach(survive);
        }
    }

    /// <summary>
    /// One FRAP laser spot: a Gaussian beam of σ <paramref name="sigmaUm"/> with peak <paramref name="peakDose"/>.
    /// A cluster sees the beam averaged over its own extent; the compartment under the spot loses the share of its
    /// pool the beam covers.
    /// </summary>
    public void BleachSpot(double xUm, double yUm, double sigmaUm, double peakDose)
    {
        if (peakDose <= 0) return;
        double reach = 5 * sigmaUm + 1;
        Prepare(xUm - reach, yUm - reach, xUm + reach, yUm + reach, 0, _scratch);
        foreach (int id in _scratch)
            foreach (var cl in _cells[id].Clusters)
            {
                double dx = cl.XUm - xUm, dy = cl.YUm - yUm;
                double sc = ClusterRadiusUm(cl.Molecules) / 2;
                double s2 = sigmaUm * sigmaUm + sc * sc;
                double d2 = dx * dx + dy * dy;
                if (d2 > 25 * s2) continue;
                double dose = peakDose * sigmaUm * sigmaUm / s2 * Math.Exp(-d2 / (2 * s2));
                cl.Bleach(Math.Exp(-dose));
            }
        var cell = CellAt(xUm, yUm);
        if (cell?.CompartmentAt(xUm, yUm) is not { } compartment) return;
        int k = (int)compartment;
        double share = Math.Min(1, 2 * Math.PI * sigmaUm * sigmaUm / cell.AreaUm2[k]);
        double lostF = cell.PoolFluorescent[k] * share * (1 - Math.Exp(-peakDose));
        cell.PoolFluorescent[k] -= lostF;
        cell.PoolBleached[k] += lostF;
    }
}
