using LiveScope.Simulation.Options;

namespace LiveScope.Simulation.Rendering;

/// <summary>The camera model in the units the render loop uses.</summary>
public readonly record struct NoiseParameters(float QuantumEfficiency, float ReadNoiseE, float OffsetAdu, float GainAduPerE,
    float GaussianAboveE, float MaxAdu, bool Noiseless)
{
    public static NoiseParameters From(CameraNoiseOptions o, int bitDepth) => new((float)o.QuantumEfficiency, (float)o.ReadNoiseE,
        (float)o.OffsetAdu, (float)o.GainAduPerE, (float)o.GaussianAboveE, (1 << bitDepth) - 1, o.Noiseless);
}
