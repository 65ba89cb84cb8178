namespace LiveScope.Acquisition.Protocols;

/// <summary>
/// When each phase and timepoint of a protocol falls, in seconds from time zero. Imaging phases before the
/// stimulation run back to back and end at time zero (baseline times are negative); phases after it start at time
/// zero and follow each other. Without a stimulation, time zero is the start of the first phase. Timepoint j of a
/// phase is at its start + j × interval. This is the rule FRAP <c>at_timepoint</c> is converted with; the planner
/// uses the same type so both agree.
/// </summary>
public sealed class ProtocolTimeline
{
    private readonly List<(ImagingPhaseSpec Phase, double StartS)> _imaging = [];

    public ProtocolTimeline(IReadOnlyList<PhaseSpec> phases)
    {
        int stim = -1;
        for (int i = 0; i < phases.Count; i++)
            if (phases[i] is StimulationPhaseSpec) { stim = i; break; }
        double before = 0;
        for (int i = 0; i < Math.Max(stim, 0); i++)
            if (phases[i] is ImagingPhaseSpec p) before += Safe(p.DurationS);
        double t = stim >= 0 ? -before : 0;
        StartS = t;
        foreach (var phase in phases)
        {
            if (phase is not ImagingPhaseSpec p) continue;
            _imaging.Add((p, t));
            t += Safe(p.DurationS);
        }
        EndS = t;
    }

    /// <summary>Time of the first planned timepoint (negative with a baseline).</summary>
    public double StartS { get; }
    /// <summary>End of the last imaging phase.</summary>
    public double EndS { get; }

    public int TotalTimepoints => _imaging.Sum(p => Timepoints(p.Phase));

    public double PhaseStartS(ImagingPhaseSpec phase) => _imaging.First(p => ReferenceEquals(p.Phase, phase)).StartS;

    /// <summary>Time of the n-th imaging timepoint of the whole run (0-based, counting every imaging phase in order).</summary>
    public double? TimepointS(int n)
    {
        if (n < 0) return null;
        foreach (var (phase, start) in _imaging)
        {
            int count = Timepoints(phase);
            if (n < count) return start + n * phase.IntervalS;
            n -= count;
        }
        return null;
    }

    private static int Timepoints(ImagingPhaseSpec p) => p.IntervalS > 0 && p.DurationS > 0 ? p.Timepoints : 0;
    private static double Safe(double d) => double.IsFinite(d) && d > 0 ? d : 0;
}
