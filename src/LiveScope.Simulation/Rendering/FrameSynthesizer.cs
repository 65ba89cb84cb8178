using LiveScope.Simulation.Options;
using LiveScope.Simulation.Sample;
using LiveScope.Simulation.Truth;

namespace LiveScope.Simulation.Rendering;

/// <summary>
/// Renders what the camera sees of a <see cref="VirtualSample"/>: the blurred cell background (cached per field of
/// view and defocus), every cluster as a Gaussian blob whose width grows with defocus, extra spots (laser reflections),
/// and camera noise. Fills ground truth for the clusters in view when asked. One per camera; not thread-safe.
/// </summary>
public sealed class FrameSynthesizer : IDisposable
{
    private readonly SimulationOptions _options;
    private readonly FrameRenderer _renderer;
    private readonly int _bandRows;
    private SpotKernel[] _kernels = new SpotKernel[512];
    private readonly List<int> _cells = [];

    public FrameSynthesizer(SimulationOptions options, int renderThreads, int bandRows)
    {
        _options = options;
        _bandRows = bandRows;
        _renderer = new FrameRenderer(renderThreads);
    }

    public BackgroundLayout Layout { get; } = new();
    /// <summary>Use the AVX2 render loops when available (the default); they give the same frames as the scalar ones.</summary>
    public bool UseVectorPath { get => _renderer.UseVectorPath; set => _renderer.UseVectorPath = value; }
    /// <summary>Clusters drawn into the last frame.</summary>
    public int LastClusterCount { get; private set; }

    /// <summary>PSF σ at a defocus, µm.</summary>
    public double BlurUm(double defocusUm)
    {
        var o = _options.Optics;
        return Math.Sqrt(o.PsfSigmaUm * o.PsfSigmaUm + o.DefocusBlurPerUm * o.DefocusBlurPerUm * defocusUm * defocusUm);
    }

    /// <summary>
    /// Renders one frame of the sample as it is now (the caller has advanced it to the exposure time).
    /// <paramref name="extraSpots"/> are added as they are (camera pixels, photons).
    /// </summary>
    public void Render(ushort[] output, VirtualSample sample, in ExposureRequest request, ReadOnlySpan<SpotKernel> extraSpots,
        FrameTruth? truth)
    {
        var fov = request.FieldOfView;
        // The layout is kept per quantised defocus so that slow focus drift does not rebuild it every frame.
        double quantum = _options.Optics.BackgroundFocusQuantumUm;
        double layoutBlur = BlurUm(Math.Round(request.DefocusUm / quantum) * quantum);
        if (!Layout.Matches(fov, layoutBlur, _bandRows)) Layout.Build(sample, fov, layoutBlur, _bandRows);
        // The cells near the field of view (all the layout's owners among them) catch up with the sample's time here.

        double light = request.PowerFraction * request.ExposureS;
        double moleculePhotons = _options.Photophysics.PhotonsPerMoleculePerS * light * request.ExcitationEfficiency;
        double backgroundPhotons = _options.Photophysics.BackgroundPhotonsPerUm2PerS * light * fov.PixelUm * fov.PixelUm;
        double blur = BlurUm(request.DefocusUm);

        int count = 0;
        double margin = 4 * Math.Max(blur, layoutBlur) + 2 * fov.PixelUm;
        sample.Prepare(fov.LeftUm, fov.TopUm, fov.RightUm, fov.BottomUm, margin, _cells);
        foreach (int id in _cells)
        foreach (var c in sample.Cells[id].Clusters)
        {
            if (c.XUm < fov.LeftUm - margin || c.XUm > fov.RightUm + margin || c.YUm < fov.TopUm - margin || c.YUm > fov.BottomUm + margin)
                continue;
            double sc = sample.ClusterRadiusUm(c.Molecules) / 2;
            if (count == _kernels.Length) Array.Resize(ref _kernels, count * 2);
            _kernels[count++] = new SpotKernel
            {
                XPx = (float)fov.ToPixelX(c.XUm),
                YPx = (float)fov.ToPixelY(c.YUm),
                SigmaPx = (float)(Math.Sqrt(blur * blur + sc * sc) / fov.PixelUm),
                Photons = (float)(c.Fluorescent * moleculePhotons),
            };
        }
        LastClusterCount = count;
        if (count + extraSpots.Length > _kernels.Length) Array.Resize(ref _kernels, count + extraSpots.Length);
        extraSpots.CopyTo(_kernels.AsSpan(count));
        count += extraSpots.Length;

        if (truth is not null) FillTruth(truth, sample, fov);
        _renderer.Render(output, Layout, sample, moleculePhotons, backgroundPhotons, _kernels, count, request.Noise,
            request.Seed, (ulong)request.SequenceNumber);
    }

    private void FillTruth(FrameTruth truth, VirtualSample sample, FieldOfView fov)
    {
        truth.ClearClusters();
        truth.Width = fov.Width;
        truth.Height = fov.Height;
        truth.PixelSizeUm = fov.PixelUm;
        // _cells holds the prepared cells near the field of view (a superset of those whose clusters are in it).
        foreach (int id in _cells)
        foreach (var c in sample.Cells[id].Clusters)
        {
            double x = fov.ToPixelX(c.XUm), y = fov.ToPixelY(c.YUm);
            if (x < -0.5 || y < -0.5 || x >= fov.Width - 0.5 || y >= fov.Height - 0.5) continue;
            truth.AddCluster(new ClusterTruth(c.Id, c.CellIndex, c.Compartment, x, y, c.XUm, c.YUm, sample.ClusterRadiusUm(c.Molecules),
                c.Molecules, c.Fluorescent, c.BleachedFraction, c.Anchored, c.Dissolving));
        }
        int cells = 0;
        double molecules = 0, clustered = 0;
        foreach (int id in _cells)
        {
            var cell = sample.Cells[id];
            if (cell.XUm < fov.LeftUm || cell.XUm >= fov.RightUm || cell.YUm < fov.TopUm || cell.YUm >= fov.BottomUm) continue;
            cells++;
            molecules += cell.TotalMolecules;
            clustered += cell.ClusteredMolecules;
        }
        truth.CellsInView = cells;
        truth.MoleculesInView = molecules;
        truth.ClusteredMoleculesInView = clustered;
    }

    public void Dispose() => _renderer.Dispose();
}
