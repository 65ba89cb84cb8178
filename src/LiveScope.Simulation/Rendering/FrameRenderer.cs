using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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

    /// <summary>Use the AVX2 loops where the CPU has them (bit-identical to the scalar ones; off only to compare).</summary>
    public bool UseVectorPath { get; set; } = true;

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
        var normals = new Xoshiro(_seed, _frameNumber, (ulong)band);
        var poisson = new Xoshiro(_seed ^ 0x5DEECE66DUL, _frameNumber, (ulong)band);
        Digitise(photons, _output.AsSpan(y0 * width, count), ref normals, ref poisson);
    }

    /// <summary>
    /// Background plus each pixel's owner's membrane, cytoplasm and nucleus intensities times its layout weights.
    /// Owner slot 255 (no cell) is all zeros, so there is no branch; AVX2 gathers eight pixels at a time.
    /// </summary>
    private unsafe void ComposeBackground(Span<float> photons, ReadOnlySpan<uint> packed, ReadOnlySpan<float> owners)
    {
        float background = _backgroundPhotons;
        int i = 0;
        if (UseVectorPath && Avx2.IsSupported)
        {
            fixed (uint* pp = packed)
            fixed (float* po = owners)
            fixed (float* ph = photons)
            {
                var bg = Vector256.Create(background);
                var byteMask = Vector256.Create(0xFF);
                var three = Vector256.Create(3);
                for (; i + 8 <= photons.Length; i += 8)
                {
                    var p = Avx.LoadVector256((int*)pp + i);
                    var owner = Avx2.MultiplyLow(Avx2.ShiftRightLogical(p, 24), three);
                    var wm = Avx.ConvertToVector256Single(Avx2.And(Avx2.ShiftRightLogical(p, 16), byteMask));
                    var wc = Avx.ConvertToVector256Single(Avx2.And(Avx2.ShiftRightLogical(p, 8), byteMask));
                    var wn = Avx.ConvertToVector256Single(Avx2.And(p, byteMask));
                    var im = Avx2.GatherVector256(po, owner, 4);
                    var ic = Avx2.GatherVector256(po + 1, owner, 4);
                    var iN = Avx2.GatherVector256(po + 2, owner, 4);
                    var t = Avx.Add(Avx.Add(Avx.Multiply(im, wm), Avx.Multiply(ic, wc)), Avx.Multiply(iN, wn));
                    Avx.Store(ph + i, Avx.Add(bg, t));
                }
            }
        }
        for (; i < photons.Length; i++)
        {
            uint p = packed[i];
            int o = (int)(p >> 24) * 3;
            float t = owners[o] * ((p >> 16) & 0xFF) + owners[o + 1] * ((p >> 8) & 0xFF) + owners[o + 2] * (p & 0xFF);
            photons[i] = background + t;
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

    /// <summary>
    /// Photons → ADU with noise. Two streams per band keep the scalar and the AVX2 loop bit-identical: the normal
    /// deviate of pixel i is always 16-bit lane i%4 of the (i/4)-th draw of <paramref name="normals"/>, and pixels on
    /// the exact-Poisson path take their uniforms from <paramref name="poisson"/> in pixel order.
    /// </summary>
    private unsafe void Digitise(ReadOnlySpan<float> photons, Span<ushort> output, ref Xoshiro normals, ref Xoshiro poisson)
    {
        var n = _noise;
        if (n.Noiseless)
        {
            for (int j = 0; j < photons.Length; j++)
                output[j] = ToAdu(n.OffsetAdu + n.GainAduPerE * (n.QuantumEfficiency * photons[j]), n.MaxAdu);
            return;
        }
        var table = _normals.Values;
        float read2 = n.ReadNoiseE * n.ReadNoiseE;
        int i = 0;
        if (UseVectorPath && Avx2.IsSupported)
        {
            fixed (float* pt = table)
            fixed (float* ph = photons)
            fixed (ushort* po = output)
            {
                var qe = Vector256.Create(n.QuantumEfficiency);
                var threshold = Vector256.Create(n.GaussianAboveE);
                var r2 = Vector256.Create(read2);
                var gain = Vector256.Create(n.GainAduPerE);
                var offset = Vector256.Create(n.OffsetAdu);
                var half = Vector256.Create(0.5f);
                var max = Vector256.Create(n.MaxAdu);
                var zero = Vector256<float>.Zero;
                for (; i + 8 <= photons.Length; i += 8)
                {
                    var bits = Vector128.Create(normals.NextUInt64(), normals.NextUInt64()).AsUInt16();
                    var z = Avx2.GatherVector256(pt, Avx2.ConvertToVector256Int32(bits), 4);
                    var electrons = Avx.Multiply(qe, Avx.LoadVector256(ph + i));
                    var signal = Avx.Add(electrons, Avx.Multiply(Avx.Sqrt(Avx.Add(electrons, r2)), z));
                    var adu = Avx.Floor(Avx.Add(Avx.Add(offset, Avx.Multiply(gain, signal)), half));
                    adu = Avx.Min(Avx.Max(adu, zero), max);
                    var ints = Avx.ConvertToVector256Int32WithTruncation(adu).AsUInt32();
                    Sse2.Store(po + i, Vector128.Narrow(ints.GetLower(), ints.GetUpper()));
                    int low = Avx.MoveMask(Avx.CompareLessThanOrEqual(electrons, threshold));
                    if (low != 0)
                        for (int lane = 0; lane < 8; lane++)
                            if ((low & (1 << lane)) != 0)
                                po[i + lane] = ToAdu(n.OffsetAdu + n.GainAduPerE * (Poisson(electrons.GetElement(lane), ref poisson)
                                    + n.ReadNoiseE * z.GetElement(lane)), n.MaxAdu);
                }
            }
        }
        ulong draw = 0;
        for (; i < photons.Length; i++)
        {
            if ((i & 3) == 0) draw = normals.NextUInt64();
            float z = table[(int)(draw & 0xFFFF)];
            draw >>= 16;
            float electrons = n.QuantumEfficiency * photons[i];
            float signal = electrons > n.GaussianAboveE
                ? electrons + MathF.Sqrt(electrons + read2) * z
                : Poisson(electrons, ref poisson) + n.ReadNoiseE * z;
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
