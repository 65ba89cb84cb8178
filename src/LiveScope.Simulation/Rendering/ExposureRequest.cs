namespace LiveScope.Simulation.Rendering;

/// <summary>Everything about one exposure that the sample does not know: where, how long, how bright, which noise.</summary>
public readonly record struct ExposureRequest(
    FieldOfView FieldOfView,
    double DefocusUm,
    double ExposureS,
    /// <summary>Light power fraction reaching the sample (0 with the shutter closed).</summary>
    double PowerFraction,
    /// <summary>How well the selected channel excites GFP (1 at the excitation peak).</summary>
    double ExcitationEfficiency,
    NoiseParameters Noise,
    ulong Seed,
    long SequenceNumber);
