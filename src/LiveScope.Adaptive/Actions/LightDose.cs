using LiveScope.Acquisition.Protocols;

namespace LiveScope.Adaptive.Actions;

/// <summary>
/// Light each position has received, in seconds of full-power illumination: Σ exposure × power fraction of its
/// frames, plus dwell × spots × power of its bleaches. Rules may add light only while the budget allows. Every
/// acquired frame counts, analysed or not (the engine's thread adds them; the analysis thread reads and adds bleaches).
/// </summary>
public sealed class LightDose(double? budgetPerPositionS)
{
    private readonly Dictionary<int, double> _used = new();

    public double UsedS(int position)
    {
        lock (_used) return _used.GetValueOrDefault(position);
    }

    public static double FrameDoseS(ChannelSpec channel) => channel.ExposureMs / 1000 * (channel.PowerFraction ?? 1);

    /// <summary>Dose of one bleach: the disc is rastered at the spot pitch, each spot for the dwell time.</summary>
    public static double BleachDoseS(double radiusPx, double spotDiameterPx, double dwellMs, double power)
    {
        double spots = Math.Max(1, Math.PI * radiusPx * radiusPx / Math.Max(1e-6, spotDiameterPx * spotDiameterPx));
        return spots * dwellMs / 1000 * power;
    }

    public void Add(int position, double doseS)
    {
        lock (_used) _used[position] = _used.GetValueOrDefault(position) + doseS;
    }

    /// <summary>Whether <paramref name="moreS"/> still fits the position's budget.</summary>
    public bool Allows(int position, double moreS) => budgetPerPositionS is not { } budget || UsedS(position) + moreS <= budget;

    /// <summary>How much more light the position may get (∞ without a budget).</summary>
    public double LeftS(int position) => budgetPerPositionS is { } budget ? Math.Max(0, budget - UsedS(position)) : double.PositiveInfinity;
}
