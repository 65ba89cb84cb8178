using System.ComponentModel;
using LiveScope.Core.Config;

namespace LiveScope.Simulation.Options;

/// <summary>Brightness and bleaching of IR-GFP, and the optics that blur it.</summary>
public sealed record PhotophysicsOptions
{
    [Description("Detected photons per GFP molecule per second at full imaging power and 488 nm. ASSUMPTION default 2000.")]
    [ConfigRange(0, 1e9)]
    public double PhotonsPerMoleculePerS { get; init; } = 2000;

    [Description("Autofluorescence and out-of-focus background, photons per µm² per second at full power (≈ 2000 per 0.1625 µm pixel). ASSUMPTION default 75000.")]
    [ConfigRange(0, 1e12)]
    public double BackgroundPhotonsPerUm2PerS { get; init; } = 75_000;

    [Description("Imaging photobleaching rate at full power, 1/s of exposure: each frame keeps exp(−rate·power·exposure) of the fluorescence in view. ASSUMPTION default 0.05.")]
    [ConfigRange(0, 1e6)]
    public double ImagingBleachRatePerS { get; init; } = 0.05;

    [Description("FRAP laser bleaching rate at full power at the spot centre, 1/s of dwell. ASSUMPTION default 1000 (5 ms at 50 % bleaches 92 %).")]
    [ConfigRange(0, 1e9)]
    public double LaserBleachRatePerS { get; init; } = 1000;

    [Description("Peak of GFP excitation, nm. Default 488.")]
    [ConfigRange(200, 1200)]
    public double ExcitationPeakNm { get; init; } = 488;

    [Description("Gaussian width (σ) of GFP excitation around its peak, nm; channels far from it excite only background. ASSUMPTION default 25 nm.")]
    [ConfigRange(1, 1000)]
    public double ExcitationWidthNm { get; init; } = 25;
}

public sealed record OpticsOptions
{
    [Description("Gaussian σ of the in-focus point-spread function, µm. ASSUMPTION default 0.1 µm (≈ 1.4 NA at 510 nm).")]
    [ConfigRange(0.001, 100)]
    public double PsfSigmaUm { get; init; } = 0.1;

    [Description("Growth of the PSF σ per µm of defocus: σ(Δz) = √(σ₀² + (k·Δz)²). ASSUMPTION default 0.35.")]
    [ConfigRange(0, 10)]
    public double DefocusBlurPerUm { get; init; } = 0.35;

    [Description("Let the focal plane drift (thermal drift). Default false.")]
    public bool FocusDrift { get; init; }

    [Description("Steady focus drift when enabled, µm per minute. ASSUMPTION default 0.05.")]
    [ConfigRange(-100, 100)]
    public double FocusDriftUmPerMin { get; init; } = 0.05;

    [Description("Random-walk part of focus drift when enabled, µm per √minute. ASSUMPTION default 0.02.")]
    [ConfigRange(0, 100)]
    public double FocusJitterUmPerSqrtMin { get; init; } = 0.02;

    [Description("Defocus steps the cached blurred background image is kept for, µm. Default 0.02.")]
    [ConfigRange(0.001, 10)]
    public double BackgroundFocusQuantumUm { get; init; } = 0.02;

    internal string? Validate() => null;
}

/// <summary>sCMOS-like camera noise. ASSUMPTION defaults of a typical back-thinned sCMOS.</summary>
public sealed record CameraNoiseOptions
{
    [Description("Quantum efficiency: photoelectrons per photon. ASSUMPTION default 0.8.")]
    [ConfigRange(0, 1)]
    public double QuantumEfficiency { get; init; } = 0.8;

    [Description("Read noise, e⁻ rms (Gaussian). ASSUMPTION default 1.6.")]
    [ConfigRange(0, 1000)]
    public double ReadNoiseE { get; init; } = 1.6;

    [Description("Offset (bias) added to every pixel, ADU. ASSUMPTION default 100.")]
    [ConfigRange(0, 65535)]
    public double OffsetAdu { get; init; } = 100;

    [Description("Conversion gain, ADU per e⁻. ASSUMPTION default 0.5.")]
    [ConfigRange(1e-4, 1000)]
    public double GainAduPerE { get; init; } = 0.5;

    [Description("Mean photoelectrons above which shot noise is drawn from the Gaussian approximation of Poisson; below it exactly. Default 25.")]
    [ConfigRange(0, 1000)]
    public double GaussianAboveE { get; init; } = 25;

    [Description("Render the expected value without any noise (ground-truth images). Default false.")]
    public bool Noiseless { get; init; }
}

/// <summary>Fault injection for reliability work; off by default, seeded from the simulation seed.</summary>
public sealed record FaultOptions
{
    [Description("Inject faults at all. Default false.")]
    public bool Enabled { get; init; }

    [Description("Probability that a camera snap or streamed frame fails with a DeviceTimeoutException. Default 0.01.")]
    [ConfigRange(0, 1)]
    public double CameraTimeoutProbability { get; init; } = 0.01;

    [Description("Probability that a stage move fails with a TransientDeviceException. Default 0.01.")]
    [ConfigRange(0, 1)]
    public double StageErrorProbability { get; init; } = 0.01;
}
