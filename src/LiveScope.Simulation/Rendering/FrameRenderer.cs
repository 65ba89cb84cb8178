using System.Runtime.CompilerServices;
using LiveScope.Simulation.Random;
using LiveScope.Simulation.Sample;

namespace LiveScope.Simulation.Rendering;

/// <summary>
/// Turns expected photons into a 16-bit camera frame. Per band of rows: the cached cell layout times this frame's pool
/// intensities, plus the Gaussian blobs of clusters and laser spots, plus background; then shot noise (exact Poisson
/// below a few tens of electrons, Gaussian above), read noise, gain, offset, rounding and saturation. Each band draws
/// from its own generator seeded by (seed, frame, band), so frames are reproducible whatever the threads do.
/// Allocates nothing per frame once its buffers have grown to the frame size.
/// </summary>
public sealed class FrameRenderer : IBandWork, IDisposable
{
    private const int OwnerSlots = 256;
    private readonly BandWorkers _workers;
    private readonly NormalTable _normals = new();
    private float[][] _scratch;
    private float[] _ownerIntensity = [];

    // The frame being rendered; set by Render, read by the bands.
    private ushort[] _output = [];
    private BackgroundLayout? _layout;
    private SpotKernel[] _kernels = [];
    private int _kernelCount;
    private float _backgroundPhotons;
    private NoiseParameters _noise;
    private ulong _seed;
    private ulong _frameNumber;

    public FrameRenderer(int workerThreads)
    {
        _workers = new BandWorkers(workerThreads);
        _scratch = new float[_workers.Workers][];
        for (int i = 0; i < _scratch.Length; i++) _scratch[i] = [];
    }

    /// <summary>
    /// Renders into <paramref name="output"/> (row-major, layout's field-of-view size). <paramref name="moleculePhotons"/>
    /// is the expected photons one fluorescent molecule gives this exposure; pools are spread over their compartments.
    /// </summary>
    public void Render(ushort[] output, BackgroundLayout layout, VirtualSample sample, double moleculePhotons,
        double backgroundPhotonsPerPx, SpotKernel[] kernels, int kernelCount, NoiseParameters noise, ulong seed, ulong frameNumber)
    {
        var fov = layout.FieldOfView;
        if (output.Length < fov.Width * fov.Height) throw new ArgumentException("output buffer is smaller than the frame");
        FillOwnerIntensities(layout, sample, moleculePhotons * fov.PixelUm * fov.PixelUm);
        int bandPixels = layout.BandRows * fov.Width;
        for (int i = 0; i < _scratch.Length; i++)
            if (_scratch[i].Length < bandPixels) _scratch[i] = new float[bandPixels];
        for (int k = 0; k < kernelCount; k++)
        {
            int reach = KernelReach(kernels[k].SigmaPx);
            kernels[k].Top = (int)MathF.Floor(kernels[k].YPx) - reach;
            kernels[k].Bottom = (int)MathF.Ceiling(kernels[k].YPx) + reach;
        }
        _output = output;
        _layout = layout;
        _kernels = kernels;
        _kernelCount = kernelCount;
        _backgroundPhotons = (float)backgroundPhotonsPerPx;
        _noise = noise;
        _seed = seed;
        _frameNumber = frameNumber;
        try
        {
            _workers.Run(this, layout.Bands);
        }
        finally
        {
            _output = [];
            _layout = null;
            _kernels = [];
        }
    }

    private static int KernelReach(float sigmaPx) => Math.Min(127, (int)MathF.Ceiling(3.5f * sigmaPx));

    /// <summary>Photons per pixel per unit of layout weight (a byte) for each band's owners.</summary>
    private void FillOwnerIntensities(BackgroundLayout layout, VirtualSample sample, double photonsPerMoleculePerUm2)
    {
        int needed = layout.Bands * OwnerSlots * 3;
        if (_ownerIntensity.Length < needed) _ownerIntensity = new float[needed];
        var cells = sample.Cells;
        for (int band = 0; band < layout.Bands; band++)
        {
            int count = layout.OwnerCount(band);
            for (int local = 0; local < count; local++)
            {
                var cell = cells[layout.OwnerCell(band, local)];
                int o = (band * OwnerSlots + local) * 3;
                for (int c = 0; c < 3; c++)
                    _ownerIntensity[o + c] = (float)(cell.PoolFluorescent[c] / cell.AreaUm2[c] * photonsPerMoleculePerUm2 / 255);
            }
        }
    }

    public void RunBand(int band, int worker)
    {
        var layout = _layout!;
        var fov = layout.FieldOfView;
        int width = fov.Width;
        int y0 = band * layout.BandRows;
        int y1 = Math.Min(fov.Height, y0 + layout.BandRows);
        int count = (y1 - y0) * width;
        var photons = _scratch[worker].AsSpan(0, count);
        ComposeBackground(photons, layout.Packed.Slice(y0 * width, count), _ownerIntensity.AsSpan(band * OwnerSlots * 3, OwnerSlots * 3));
        for (int k = 0; k < _kernelCount; k++)
        {
            ref readonly var kernel = ref _kernels[k];
            if (kernel.Bottom >= y0 && kernel.Top < y1) Splat(photons, in kernel, y0, y1, width);
        }
        var rng = new Xoshiro(_seed, _frameNumber, (ulong)band);
        Digitise(photons, _output.AsSpan(y0 * width, count), ref rng);
    }

    private void ComposeBackground(Span<float> photons, ReadOnlySpan<uint> packed, ReadOnlySpan<float> owners)
    {
        float background = _backgroundPhotons;
        for (int i = 0; i < photons.Length; i++)
        {
            uint p = packed[i];
            uint owner = p >> 24;
            float v = background;
            if (owner != BackgroundLayout.NoOwner)
            {
                int o = (int)owner * 3;
                v += owners[o] * ((p >> 16) & 0xFF) + owners[o + 1] * ((p >> 8) & 0xFF) + owners[o + 2] * (p & 0xFF);
            }
            photons[i] = v;
        }
    }

    private static void Splat(Span<float> photons, in SpotKernel k, int y0, int y1, int width)
    {
        int reach = KernelReach(k.SigmaPx);
        int xa = Math.Max(0, (int)MathF.Floor(k.XPx) - reach), xb = Math.Min(width - 1, (int)MathF.Ceiling(k.XPx) + reach);
        int ya = Math.Max(y0, k.Top), yb = Math.Min(y1 - 1, k.Bottom);
        if (xa > xb || ya > yb) return;
        float inv = 1 / (2 * k.SigmaPx * k.SigmaPx);
        float peak = k.Photons * inv / MathF.PI;
        Span<float> gx = stackalloc float[256];
        for (int x = xa; x <= xb; x++)
        {
            float dx = x - k.XPx;
            gx[x - xa] = MathF.Exp(-dx * dx * inv);
        }
        for (int y = ya; y <= yb; y++)
        {
            float dy = y - k.YPx;
            float gy = peak * MathF.Exp(-dy * dy * inv);
            var row = photons.Slice((y - y0) * width + xa, xb - xa + 1);
            for (int x = 0; x < row.Length; x++) row[x] += gy * gx[x];
        }
    }

    private void Digitise(ReadOnlySpan<float> photons, Span<ushort> output, ref Xoshiro rng)
    {
        var n = _noise;
        if (n.Noiseless)
        {
            for (int i = 0; i < photons.Length; i++)
                output[i] = ToAdu(n.OffsetAdu + n.GainAduPerE * n.QuantumEfficiency * photons[i], n.MaxAdu);
            return;
        }
        var table = _normals.Values;
        float read2 = n.ReadNoiseE * n.ReadNoiseE;
        ulong bits = 0;
        int left = 0;
        for (int i = 0; i < photons.Length; i++)
        {
            if (left == 0)
            {
                bits = rng.NextUInt64();
                left = 4;
            }
            float z = table[(int)(bits & 0xFFFF)];
            bits >>= 16;
            left--;
            float electrons = n.QuantumEfficiency * photons[i];
            float signal = electrons > n.GaussianAboveE
                ? electrons + MathF.Sqrt(electrons + read2) * z
                : Poisson(electrons, ref rng) + n.ReadNoiseE * z;
            output[i] = ToAdu(n.OffsetAdu + n.GainAduPerE * signal, n.MaxAdu);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ushort ToAdu(float adu, float max) => (ushort)Math.Clamp(MathF.Floor(adu + 0.5f), 0f, max);

    /// <summary>Exact Poisson by inversion, for means up to a few tens.</summary>
    private static int Poisson(float mean, ref Xoshiro rng)
    {
        if (mean <= 0) return 0;
        double u = rng.NextDouble();
        double p = Math.Exp(-mean), cdf = p;
        int k = 0;
        while (u > cdf && k < 200)
        {
            k++;
            p *= mean / k;
            cdf += p;
        }
        return k;
    }

    public void Dispose() => _workers.Dispose();
}
