using LiveScope.Simulation.Options;

namespace LiveScope.Simulation.Sample;

/// <summary>The parameters in effect at one instant, after the base condition and every reagent added so far.</summary>
public readonly record struct EffectiveParameters(double KOffPerS, double ImmobileFraction, double BirthFactor, double SizeFactor,
    double InsulinResponse);

/// <summary>
/// The cells' condition over simulated time: a base parameter set, changed from the moment of each addition by the
/// reagents (insulin starts a response that rises over minutes; metformin moves resistant cells toward the rescued
/// set; H2O2 slows exchange).
/// </summary>
public sealed class ConditionState(SampleCondition condition, ConditionSetOptions sets, ReagentOptions reagents)
{
    private readonly List<(double TimeS, string Reagent, double Concentration)> _additions = [];

    public SampleCondition Condition { get; } = condition;
    public IReadOnlyList<(double TimeS, string Reagent, double Concentration)> Additions => _additions;

    public void Add(double timeS, string reagent, double concentration)
    {
        var name = reagent.ToLowerInvariant();
        if (name is not ("insulin" or "metformin" or "h2o2"))
            throw new ArgumentException($"the simulated cells do not respond to '{reagent}'; known: insulin, metformin, h2o2");
        if (concentration < 0) throw new ArgumentOutOfRangeException(nameof(concentration), "concentration must be ≥ 0");
        _additions.Add((timeS, name, concentration));
    }

    public EffectiveParameters At(double timeS)
    {
        double insulin = 0, metformin = 0, h2o2 = 0, insulinStart = double.NaN;
        foreach (var (t, reagent, c) in _additions)
        {
            if (t > timeS) continue;
            switch (reagent)
            {
                case "insulin":
                    if (double.IsNaN(insulinStart)) insulinStart = t;
                    insulin += c;
                    break;
                case "metformin": metformin += c; break;
                case "h2o2": h2o2 += c; break;
            }
        }
        var p = sets.For(Condition);
        if (metformin > 0 && Condition == SampleCondition.InsulinResistant)
            p = ConditionParameters.Lerp(p, sets.ResistantMetformin, metformin / (metformin + reagents.MetforminEc50Mm));
        double kOff = p.KOffPerS;
        if (h2o2 > 0)
            kOff *= 1 - (1 - reagents.H2o2KOffFactor) * (h2o2 / (h2o2 + reagents.H2o2Ec50Um));
        double response = 0;
        if (insulin > 0)
            response = insulin / (insulin + reagents.InsulinEc50Nm)
                       * (1 - Math.Exp(-(timeS - insulinStart) / reagents.InsulinResponseTauS));
        return new EffectiveParameters(kOff, p.ImmobileFraction,
            p.BasalBirthFactor * (1 + (p.InsulinBirthGain - 1) * response),
            1 + (p.InsulinSizeGain - 1) * response,
            response);
    }
}
