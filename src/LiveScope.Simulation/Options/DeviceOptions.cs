using System.ComponentModel;
using LiveScope.Core.Config;

namespace LiveScope.Simulation.Options;

/// <summary>Settings of the simulated camera (<c>devices[].settings</c> of a camera).</summary>
public sealed record SimCameraOptions : IValidatedOptions
{
    [Description("Sensor width, px. ASSUMPTION default 512 so a 35-minute dry run renders fast; 2048 (a full sCMOS) works too.")]
    [ConfigRange(8, 16384)]
    public int SensorWidth { get; init; } = 512;

    [Description("Sensor height, px. ASSUMPTION default 512.")]
    [ConfigRange(8, 16384)]
    public int SensorHeight { get; init; } = 512;

    [Description("Unbinned pixel size at the sample, µm. ASSUMPTION default 0.1625 (6.5 µm pixels behind a 40× objective).")]
    [ConfigRange(0.01, 100)]
    public double PixelSizeUm { get; init; } = 0.1625;

    [Description("Bits digitised per pixel; values saturate at 2^bit_depth − 1. Default 16.")]
    [ConfigRange(8, 16)]
    public int BitDepth { get; init; } = 16;

    [Description("Exposure until changed, ms. Default 50.")]
    [ConfigRange(0.01, 100_000)]
    public double ExposureMs { get; init; } = 50;

    [Description("Longest exposure the camera accepts, ms. Default 10000.")]
    [ConfigRange(0.01, 1_000_000)]
    public double MaxExposureMs { get; init; } = 10_000;

    [Description("Readout time added after each exposure on the simulated clock, ms. ASSUMPTION default 10.")]
    [ConfigRange(0, 10_000)]
    public double ReadoutMs { get; init; } = 10;

    [Description("Open the shutter for the exposure when it is closed (like Micro-Manager's auto-shutter). Default true.")]
    public bool AutoShutter { get; init; } = true;

    [Description("Timeout of each camera call, ms. Default 10000.")]
    [ConfigRange(1, 3_600_000)]
    public double TimeoutMs { get; init; } = 10_000;

    [Description("Rows per noise band: bands are rendered in parallel, each with its own seeded generator. Default 32.")]
    [ConfigRange(1, 4096)]
    public int BandRows { get; init; } = 32;

    [Description("Worker threads that render bands (besides the caller); 0 = processor count − 1. Results do not depend on it. Default 0.")]
    [ConfigRange(0, 256)]
    public int RenderThreads { get; init; }

    public string? Validate() => ExposureMs > MaxExposureMs ? "exposure_ms exceeds max_exposure_ms" : null;
}

public sealed record SimXYStageOptions : IValidatedOptions
{
    [Description("Lowest x, µm. Default −5000.")] public double MinXUm { get; init; } = -5000;
    [Description("Highest x, µm. Default 5000.")] public double MaxXUm { get; init; } = 5000;
    [Description("Lowest y, µm. Default −5000.")] public double MinYUm { get; init; } = -5000;
    [Description("Highest y, µm. Default 5000.")] public double MaxYUm { get; init; } = 5000;
    [Description("Start x, µm. Default 0.")] public double StartXUm { get; init; }
    [Description("Start y, µm. Default 0.")] public double StartYUm { get; init; }

    [Description("Travel speed, µm/s (a move takes distance/speed + settle time of simulated time). ASSUMPTION default 5000.")]
    [ConfigRange(0.001, 1e9)]
    public double SpeedUmPerS { get; init; } = 5000;

    [Description("Settle time after a move, ms. ASSUMPTION default 50.")]
    [ConfigRange(0, 100_000)]
    public double SettleMs { get; init; } = 50;

    [Description("Timeout of each stage call, ms. Default 30000.")]
    [ConfigRange(1, 3_600_000)]
    public double TimeoutMs { get; init; } = 30_000;

    public string? Validate() =>
        MinXUm >= MaxXUm || MinYUm >= MaxYUm ? "min must be below max on both axes"
        : StartXUm < MinXUm || StartXUm > MaxXUm || StartYUm < MinYUm || StartYUm > MaxYUm ? "the start position lies outside the limits"
        : null;
}

public sealed record SimFocusStageOptions : IValidatedOptions
{
    [Description("Lowest z, µm. Default 0.")] public double MinUm { get; init; }
    [Description("Highest z, µm. Default 100.")] public double MaxUm { get; init; } = 100;
    [Description("Start z, µm (the sample's focus plane defaults to 50). Default 50.")] public double StartUm { get; init; } = 50;

    [Description("Travel speed, µm/s. ASSUMPTION default 500.")]
    [ConfigRange(0.001, 1e9)]
    public double SpeedUmPerS { get; init; } = 500;

    [Description("Settle time after a move, ms. ASSUMPTION default 20.")]
    [ConfigRange(0, 100_000)]
    public double SettleMs { get; init; } = 20;

    [Description("Timeout of each focus call, ms. Default 30000.")]
    [ConfigRange(1, 3_600_000)]
    public double TimeoutMs { get; init; } = 30_000;

    public string? Validate() => MinUm >= MaxUm ? "min_um must be below max_um"
        : StartUm < MinUm || StartUm > MaxUm ? "start_um lies outside the limits" : null;
}

/// <summary>The true camera→target affine of the simulated galvo; calibration has to find it.</summary>
public sealed record AffineOptions
{
    [Description("x' = a·x + b·y + c. ASSUMPTION default 1.02.")] public double A { get; init; } = 1.02;
    [Description("ASSUMPTION default 0.015.")] public double B { get; init; } = 0.015;
    [Description("Target units. ASSUMPTION default 6.5.")] public double C { get; init; } = 6.5;
    [Description("y' = d·x + e·y + f. ASSUMPTION default −0.012.")] public double D { get; init; } = -0.012;
    [Description("ASSUMPTION default 0.985.")] public double E { get; init; } = 0.985;
    [Description("Target units. ASSUMPTION default −4.2.")] public double F { get; init; } = -4.2;
}

public sealed record SimPhotoTargeterOptions : IValidatedOptions
{
    public string? Validate() =>
        Math.Abs(Misalignment.A * Misalignment.E - Misalignment.B * Misalignment.D) < 1e-9 ? "misalignment is singular (a·e − b·d = 0)"
        : TargetMinX >= TargetMaxX || TargetMinY >= TargetMaxY ? "the target range is empty (min must be below max)"
        : null;

    [Description("Laser spot diameter (FWHM) in camera pixels; regions are rastered at this pitch. ASSUMPTION default 3.")]
    [ConfigRange(0.1, 1000)]
    public double SpotDiameterPx { get; init; } = 3;

    [Description("True camera→target mapping (the misalignment calibration must recover).")]
    public AffineOptions Misalignment { get; init; } = new();

    [Description("Reachable target range, lowest x. Default 0.")] public double TargetMinX { get; init; }
    [Description("Reachable target range, lowest y. Default 0.")] public double TargetMinY { get; init; }
    [Description("Reachable target range, highest x. Default 512.")] public double TargetMaxX { get; init; } = 512;
    [Description("Reachable target range, highest y. Default 512.")] public double TargetMaxY { get; init; } = 512;

    [Description("Photons of the laser-spot reflection painted into the next camera frame per ms of dwell at full power. ASSUMPTION default 20000.")]
    [ConfigRange(0, 1e12)]
    public double ReflectionPhotonsPerMs { get; init; } = 20_000;

    [Description("Timeout of each targeter call, ms. Default 30000.")]
    [ConfigRange(1, 3_600_000)]
    public double TimeoutMs { get; init; } = 30_000;
}

public sealed record SimChannelOptions
{
    [Description("Channel name.")] public string Name { get; init; } = "GFP";
    [Description("Excitation wavelength, nm.")] public double ExcitationNm { get; init; } = 488;
    [Description("Emission filter.")] public string EmissionFilter { get; init; } = "525/50";
    [Description("Power fraction when selected.")][ConfigRange(0, 1)] public double PowerFraction { get; init; } = 0.5;
    [Description("Suggested exposure, ms.")][ConfigRange(0.01, 100_000)] public double ExposureMs { get; init; } = 50;
    public override string ToString() => $"{Name} {ExcitationNm} nm {EmissionFilter} @{PowerFraction}";
}

public sealed record SimLightSourceOptions : IValidatedOptions
{
    [Description("Channel presets. Default: GFP (488 nm, 525/50, 0.5, 50 ms) and mCherry (561 nm, 600/50, 0.5, 100 ms; excites no GFP).")]
    public List<SimChannelOptions> Channels { get; init; } =
    [
        new(),
        new() { Name = "mCherry", ExcitationNm = 561, EmissionFilter = "600/50", ExposureMs = 100 },
    ];

    [Description("Channel selected at start. Default GFP.")]
    public string DefaultChannel { get; init; } = "GFP";

    [Description("Timeout of each call, ms. Default 5000.")]
    [ConfigRange(1, 3_600_000)]
    public double TimeoutMs { get; init; } = 5000;

    public string? Validate() =>
        Channels.Count == 0 ? "needs at least one channel"
        : !Channels.Exists(c => c.Name == DefaultChannel) ? $"default_channel '{DefaultChannel}' is not among the channels"
        : null;
}

public sealed record SimShutterOptions
{
    [Description("Timeout of each call, ms. Default 5000.")]
    [ConfigRange(1, 3_600_000)]
    public double TimeoutMs { get; init; } = 5000;

    [Description("Time the shutter takes to open or close, ms. ASSUMPTION default 5.")]
    [ConfigRange(0, 10_000)]
    public double ActuationMs { get; init; } = 5;
}

public sealed record SimLiquidHandlerOptions
{
    [Description("Reagents the pump holds; insulin (nM), metformin (mM) and h2o2 (µM) act on the cells. Default [insulin, metformin, h2o2].")]
    public List<string> Reagents { get; init; } = ["insulin", "metformin", "h2o2"];

    [Description("Pumping time of one addition, s of simulated time; the reagent acts once it is in. ASSUMPTION default 5.")]
    [ConfigRange(0, 3600)]
    public double PumpDurationS { get; init; } = 5;

    [Description("Timeout of each call, ms. Default 120000.")]
    [ConfigRange(1, 3_600_000)]
    public double TimeoutMs { get; init; } = 120_000;
}

public sealed record SimAutofocusOptions
{
    [Description("Half range of the z sweep around the current position, µm. ASSUMPTION default 3.")]
    [ConfigRange(0.01, 1000)]
    public double RangeUm { get; init; } = 3;

    [Description("Coarse step of the sweep, µm; a fine sweep at a fifth of it follows. ASSUMPTION default 0.5.")]
    [ConfigRange(0.001, 100)]
    public double StepUm { get; init; } = 0.5;

    [Description("Exposure of autofocus frames, ms. Default 20.")]
    [ConfigRange(0.01, 10_000)]
    public double ExposureMs { get; init; } = 20;

    [Description("Timeout of a whole autofocus, ms. Default 120000.")]
    [ConfigRange(1, 3_600_000)]
    public double TimeoutMs { get; init; } = 120_000;
}
