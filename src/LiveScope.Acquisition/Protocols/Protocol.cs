namespace LiveScope.Acquisition.Protocols;

/// <summary>
/// An insulin-stimulation time-lapse as a biologist describes it, validated and ready to plan. Produced by
/// <c>ProtocolLoader</c> from YAML (or from a useq-schema MDA sequence); times are seconds on the microscope clock,
/// with time zero at stimulation (baseline times are negative).
/// </summary>
public sealed record Protocol
{
    public required string Name { get; init; }
    /// <summary>Free text for people: what the experiment is for.</summary>
    public string Description { get; init; } = "";
    /// <summary>File the protocol came from; errors and the run manifest name it.</summary>
    public required string SourceFile { get; init; }
    public SampleInfo Sample { get; init; } = new();
    /// <summary>Stage positions in the order they are visited each timepoint (grids already expanded).</summary>
    public IReadOnlyList<PositionSpec> Positions { get; init; } = [];
    public IReadOnlyList<ChannelSpec> Channels { get; init; } = [];
    public ZStackSpec? ZStack { get; init; }
    public AutofocusSpec? Autofocus { get; init; }
    /// <summary>Imaging and stimulation phases, in order. At most one stimulation marks time zero.</summary>
    public IReadOnlyList<PhaseSpec> Phases { get; init; } = [];
    public IReadOnlyList<FrapSpec> Frap { get; init; } = [];
    public OutputSpec Output { get; init; } = new();
    /// <summary>Order of the inner loops within one timepoint, outermost first (useq's axis_order without t).</summary>
    public AxisOrder AxisOrder { get; init; } = AxisOrder.PositionChannelZ;
    /// <summary>When a position keeps failing, skip it for that timepoint (and log it) instead of ending the run.</summary>
    public bool SkipFailingPositions { get; init; } = true;
    /// <summary>Conditions run one after another, each its own run (on the simulator: the sample's condition).</summary>
    public IReadOnlyList<ConditionSpec> Conditions { get; init; } = [];
    /// <summary>Rules by which live analysis changes the run, and the limits they keep (empty: follow the plan).</summary>
    public AdaptSpec Adapt { get; init; } = AdaptSpec.None;
}

public sealed record SampleInfo
{
    public string CellLine { get; init; } = "";
    /// <summary>Condition label carried into metadata, e.g. insulin_sensitive.</summary>
    public string Condition { get; init; } = "";
    public string TreatmentHistory { get; init; } = "";
    public string Notes { get; init; } = "";
}

public sealed record PositionSpec(string Name, double XUm, double YUm, double? ZUm);

/// <summary>An imaging channel: the light source's preset name, exposure and light power (fraction of maximum).</summary>
public sealed record ChannelSpec(string Name, double ExposureMs, double? PowerFraction);

/// <summary>A z-stack relative to the current focus: from −RangeUm/2 to +RangeUm/2 in StepUm.</summary>
public sealed record ZStackSpec(double RangeUm, double StepUm)
{
    public int Slices => (int)Math.Floor(RangeUm / StepUm + 1e-9) + 1;
    public double OffsetUm(int slice) => -RangeUm / 2 + slice * StepUm;
}

/// <summary>Autofocus before imaging every N timepoints, at every position or only the first.</summary>
public sealed record AutofocusSpec(int EveryTimepoints, bool PerPosition);

public abstract record PhaseSpec(string Name);

/// <summary>Image every IntervalS for DurationS.</summary>
public sealed record ImagingPhaseSpec(string Name, double IntervalS, double DurationS) : PhaseSpec(Name)
{
    public int Timepoints => (int)Math.Floor(DurationS / IntervalS + 1e-9);
}

public enum StimulationBy { LiquidHandler, Operator }

/// <summary>Add a reagent: by the pump, or by the operator (the run pauses; time zero is their confirmation).</summary>
public sealed record StimulationPhaseSpec(string Name, string Reagent, double Concentration, string Unit, StimulationBy By)
    : PhaseSpec(Name);

/// <summary>Which cluster analysis should choose to bleach.</summary>
public enum FrapTargetChoice { Newest, Brightest, Random }

public abstract record FrapTargetSpec;
/// <summary>A region given in camera pixels in the protocol.</summary>
public sealed record FrapRoiTarget(Core.Devices.BleachRegion Region) : FrapTargetSpec;
/// <summary>A cluster chosen by live analysis when the step runs.</summary>
public sealed record FrapAnalysisTarget(FrapTargetChoice Choice, double RadiusPx) : FrapTargetSpec;

/// <summary>
/// A FRAP step at AtS (seconds from time zero) at one position: PreBleachFrames frames, the bleach, then recovery
/// frames every RecoveryIntervalS for RecoveryDurationS. The regular plan resumes afterwards.
/// </summary>
public sealed record FrapSpec(
    string Name,
    double AtS,
    string Position,
    string Channel,
    FrapTargetSpec Target,
    int PreBleachFrames,
    double RecoveryIntervalS,
    double RecoveryDurationS,
    double DwellMs,
    double PowerFraction)
{
    public int RecoveryFrames => (int)Math.Floor(RecoveryDurationS / RecoveryIntervalS + 1e-9);

    /// <summary>
    /// Fit the recovery coupled to the diffuse pool measured around the ROI (<c>local_pool: true</c>; docs/frap.md):
    /// for a small bleach of an isolated, settled cluster it removes the pool-depletion bias; recorded with the bleach
    /// so `livescope analyze` fits the same way.
    /// </summary>
    public bool LocalPool { get; init; }
}

public sealed record OutputSpec
{
    /// <summary>Folder under which each run gets its own subfolder (relative to the working directory).</summary>
    public string Folder { get; init; } = "runs";
    /// <summary>Run folder name; {protocol}, {condition}, {date} and {time} are replaced.</summary>
    public string Name { get; init; } = "{date}_{time}_{protocol}";
}

public enum AxisOrder { PositionChannelZ, PositionZChannel, ChannelPositionZ, ZPositionChannel }

/// <summary>One condition of a side-by-side comparison: labels, and simulator settings to apply (key.path → value).</summary>
public sealed record ConditionSpec(string Name, SampleInfo Sample, IReadOnlyDictionary<string, string> ConfigOverrides);
