using LiveScope.Simulation.Sample;

namespace LiveScope.Simulation.Rendering;

/// <summary>
/// The blurred outline of the cells in one field of view, at one defocus: for every pixel, which cell it belongs to
/// and how much of its membrane rim, cytoplasm and nucleus it sees (each quantised to a byte). Geometry does not change,
/// so this is computed once per (field of view, blur) and reused; each frame only multiplies it by the current pool
/// intensities. A pixel's owner is a byte index into its band's owner table, so one 32-bit word holds all of it.
/// </summary>
public sealed class BackgroundLayout
{
    public const byte NoOwner = 255;
    private const int MaxOwnersPerBand = 255;
    private uint[] _packed = [];
    private int[] _bandOwners = [];
    private int[] _bandOwnerCount = [];
    private float[] _ownerRho = [];
    private readonly List<int> _cells = [];

    public FieldOfView FieldOfView { get; private set; }
    public double BlurUm { get; private set; } = double.NaN;
    public int BandRows { get; private set; }
    public int Bands { get; private set; }
    /// <summary>Pixels left dark because a band held more than 255 cells (only at extreme pixel sizes).</summary>
    public long DroppedPixels { get; private set; }
    public int Rebuilds { get; private set; }

    public ReadOnlySpan<uint> Packed => _packed;
    /// <summary>Cell index of owner <paramref name="local"/> of band <paramref name="band"/>.</summary>
    public int OwnerCell(int band, int local) => _bandOwners[band * MaxOwnersPerBand + local];
    public int OwnerCount(int band) => _bandOwnerCount[band];

    public bool Matches(FieldOfView fov, double blurUm, int bandRows) =>
        fov == FieldOfView && blurUm == BlurUm && bandRows == BandRows && _packed.Length >= fov.Width * fov.Height;

    public void Build(VirtualSample sample, FieldOfView fov, double blurUm, int bandRows)
    {
        int n = fov.Width * fov.Height;
        if (_packed.Length < n)
        {
            _packed = new uint[n];
            _ownerRho = new float[n];
        }
        Bands = (fov.Height + bandRows - 1) / bandRows;
        if (_bandOwnerCount.Length < Bands)
        {
            _bandOwnerCount = new int[Bands];
            _bandOwners = new int[Bands * MaxOwnersPerBand];
        }
        FieldOfView = fov;
        BlurUm = blurUm;
        BandRows = bandRows;
        DroppedPixels = 0;
        Rebuilds++;
        Array.Fill(_packed, (uint)NoOwner << 24, 0, n);
        Array.Fill(_ownerRho, float.MaxValue, 0, n);
        Array.Clear(_bandOwnerCount, 0, Bands);
        double margin = 4 * blurUm + fov.PixelUm;
        sample.CellsNear(fov.LeftUm, fov.TopUm, fov.RightUm, fov.BottomUm, margin, _cells);
        foreach (int id in _cells) Rasterise(sample.Cells[id], fov, blurUm, margin);
    }

    private void Rasterise(Cell cell, FieldOfView fov, double blurUm, double marginUm)
    {
        double reach = cell.BoundingRadiusUm + marginUm;
        int x0 = Math.Max(0, (int)Math.Floor(fov.ToPixelX(cell.XUm - reach)));
        int x1 = Math.Min(fov.Width - 1, (int)Math.Ceiling(fov.ToPixelX(cell.XUm + reach)));
        int y0 = Math.Max(0, (int)Math.Floor(fov.ToPixelY(cell.YUm - reach)));
        int y1 = Math.Min(fov.Height - 1, (int)Math.Ceiling(fov.ToPixelY(cell.YUm + reach)));
        double sigma = Math.Max(blurUm, 1e-6);
        double innerA = cell.SemiAUm - cell.MembraneWidthUm, innerB = cell.SemiBUm - cell.MembraneWidthUm;
        int currentBand = -1, local = -1;
        for (int y = y0; y <= y1; y++)
        {
            int band = y / BandRows;
            if (band != currentBand) { currentBand = band; local = -1; }
            double yUm = fov.ToUmY(y);
            for (int x = x0; x <= x1; x++)
            {
                cell.ToLocal(fov.ToUmX(x), yUm, out var u, out var v);
                double rho = cell.Rho(u, v);
                int i = y * fov.Width + x;
                if (rho >= _ownerRho[i]) continue;
                double outer = NormalCdf.Phi(-EdgeDistance(u, v, cell.SemiAUm, cell.SemiBUm) / sigma);
                if (outer < 1.0 / 512) continue;
                double inner = NormalCdf.Phi(-EdgeDistance(u, v, innerA, innerB) / sigma);
                double nucleus = NormalCdf.Phi(-EdgeDistance(u - cell.NucleusUUm, v - cell.NucleusVUm, cell.NucleusAUm, cell.NucleusBUm) / sigma);
                if (local < 0)
                {
                    if (_bandOwnerCount[band] >= MaxOwnersPerBand) { DroppedPixels++; continue; }
                    local = _bandOwnerCount[band]++;
                    _bandOwners[band * MaxOwnersPerBand + local] = cell.Id;
                }
                _ownerRho[i] = (float)rho;
                _packed[i] = (uint)local << 24 | Byte(outer - inner) << 16 | Byte(inner - nucleus) << 8 | Byte(nucleus);
            }
        }
    }

    private static uint Byte(double w) => (uint)Math.Clamp(Math.Round(w * 255), 0, 255);

    /// <summary>Signed distance to an ellipse's outline along the ray from its centre (negative inside), µm.</summary>
    private static double EdgeDistance(double u, double v, double a, double b)
    {
        double r = Math.Sqrt(u * u + v * v);
        if (r < 1e-12) return -Math.Min(a, b);
        double cu = u / r, cv = v / r;
        double edge = 1 / Math.Sqrt(cu * cu / (a * a) + cv * cv / (b * b));
        return r - edge;
    }
}
