using BenchmarkDotNet.Attributes;
using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Tracking;
using LiveScope.Analysis.Validation;

namespace LiveScope.Benchmarks;

/// <summary>
/// The in-line cluster detector on seeded synthetic frames (Gaussian spots σ 1.5 px, one per 20 000 px, SNR 8,
/// Poisson + read noise), 0.45 µm expected diameter at 0.1 µm/px (d = 4.5 px, so the sweep runs on the 2×2-binned
/// frame; "full-resolution sweep" is the same detector with binning off, for comparison). The frames are also written to
/// $TMPDIR/livescope-bench/spots_{size}.u16 (raw little-endian uint16) so bench/peers/time_peers.py times OpenCV
/// and scikit-image on exactly the same pixels. Run:
///   dotnet run -c Release --project bench/LiveScope.Benchmarks -- --filter '*AnalysisBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class AnalysisBenchmarks
{
    private ushort[] _pixels = [];
    private ClusterDetector _detector = null!;
    private ClusterDetector _detectorNoRegions = null!;
    private ClusterDetector _detectorFullResolution = null!;
    private ClusterTracker _tracker = null!;
    private int _frame;

    [Params(512, 2048)]
    public int Size { get; set; }

    public static string RawPath(int size) => Path.Combine(Path.GetTempPath(), "livescope-bench", $"spots_{size}.u16");

    [GlobalSetup]
    public void Setup()
    {
        _pixels = new ushort[Size * Size];
        SyntheticSpotFrame.Render(new SyntheticSpotFrameSpec { Width = Size, Height = Size, SpotCount = Size * Size / 20_000, Snr = 8, Seed = 3 }, _pixels);
        Directory.CreateDirectory(Path.GetDirectoryName(RawPath(Size))!);
        File.WriteAllBytes(RawPath(Size), System.Runtime.InteropServices.MemoryMarshal.AsBytes(_pixels.AsSpan()).ToArray());
        _detector = new ClusterDetector(new ClusterDetectorOptions { ExpectedDiameterUm = 0.45 });
        _detectorNoRegions = new ClusterDetector(new ClusterDetectorOptions { ExpectedDiameterUm = 0.45, MeasureRegions = false });
        _detectorFullResolution = new ClusterDetector(new ClusterDetectorOptions { ExpectedDiameterUm = 0.45, HalfResolutionFromDiameterPx = double.PositiveInfinity });
        _detector.Detect(_pixels, Size, Size, 0.1);
        _detectorNoRegions.Detect(_pixels, Size, Size, 0.1);
        _detectorFullResolution.Detect(_pixels, Size, Size, 0.1);
        _tracker = new ClusterTracker();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _detector.Dispose();
        _detectorNoRegions.Dispose();
        _detectorFullResolution.Dispose();
    }

    [Benchmark(Description = "detect (DoG + threshold + maxima + merge + sub-pixel + regions)")]
    public int Detect() => _detector.Detect(_pixels, Size, Size, 0.1).ClusterCount;

    [Benchmark(Description = "detect without regions")]
    public int DetectWithoutRegions() => _detectorNoRegions.Detect(_pixels, Size, Size, 0.1).ClusterCount;

    [Benchmark(Description = "detect, full-resolution sweep (no binning)")]
    public int DetectFullResolution() => _detectorFullResolution.Detect(_pixels, Size, Size, 0.1).ClusterCount;

    [Benchmark(Description = "link the last detections into tracks")]
    public int Track()
    {
        _tracker.Add(_frame++, _frame * 0.1, _detector.Clusters);
        return _tracker.LastTrackIds.Length;
    }
}
