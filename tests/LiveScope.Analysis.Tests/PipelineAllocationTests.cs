using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Pipeline;
using LiveScope.Core.Imaging;
using LiveScope.Testing;

namespace LiveScope.Analysis.Tests;

public class PipelineAllocationTests
{
    /// <summary>
    /// Detection, tracking, cell and frame metrics and CSV rows allocate nothing once warm. What may still allocate is
    /// growth, kept out of the measured window: new tracks before any has ended to be reused (none here: nine clusters
    /// drift steadily; TrackHandoverTests covers churn), the first masks (frame 0 here) and preview
    /// PNGs (the first frame only). Re-segmentation has its own test below.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Steady_state_analysis_allocates_nothing(bool writeCsv)
    {
        var pool = new FramePool();
        var frames = PipelineTests.Movie(pool, 100);
        var options = new AnalysisOptions
        {
            // These tests are about the pipeline's plumbing (live = saved, no allocation), so detection is pinned to the
        // frame-statistics threshold, which finds exactly the movie's 9 spots; the default noise model also takes a
        // 5.4 σ noise maximum on a cell edge in one frame.
        Detector = new ClusterDetectorOptions { ExpectedDiameterUm = 0.45, ThresholdMethod = DetectionThresholdMethod.ResponseSd },
            SegmentCellsEveryFrames = 1000, PreviewEveryFrames = 0,
        };
        string folder = Path.Combine(Path.GetTempPath(), $"livescope-alloc-{Guid.NewGuid():N}");
        try
        {
            using var pipeline = new AnalysisPipeline(options, writeCsv ? folder : null);
            for (int f = 0; f < 40; f++) pipeline.Analyse(frames[f]);
            long allocated = SteadyStateAllocation.LeastOf(3, window =>
            {
                for (int f = 40 + 20 * window; f < 60 + 20 * window; f++) pipeline.Analyse(frames[f]);
            });

            allocated.Should().Be(0);
            pipeline.LastTrackIds.ToArray().Should().BeEquivalentTo(Enumerable.Range(1, 9), "nine clusters, nine unbroken tracks");
            pipeline.LastCellMetrics.Should().HaveCount(2);
            pipeline.Complete().Tracks.Should().Be(9);
            if (writeCsv) File.ReadAllLines(Path.Combine(folder, "clusters.csv")).Should().HaveCount(1 + 100 * 9);
        }
        finally
        {
            foreach (var frame in frames) frame.Dispose();
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Re-segmentation allocates nothing once warm either: binning (here with the metrics' pass), handing the frame to
    /// the segmentation thread and adopting its masks; with no lag, the whole segmentation on this thread. Every 6
    /// frames from frame 0: each measured window of 18 frames (40–57, 58–75, 76–93) holds three re-segmentations (at
    /// 42, 48 and 54 in the first) and, with a lag, their adoptions. (The segmentation thread's own allocations are
    /// not this thread's: a warm segmentation's are checked on its own in CellSegmentationTests.)
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Re_segmentation_allocates_nothing_once_warm(int lag)
    {
        var pool = new FramePool();
        var frames = PipelineTests.Movie(pool, 94);
        var options = new AnalysisOptions
        {
            Detector = new ClusterDetectorOptions { ExpectedDiameterUm = 0.45, ThresholdMethod = DetectionThresholdMethod.ResponseSd },
            SegmentCellsEveryFrames = 6, CellMasksLagFrames = lag, PreviewEveryFrames = 0,
        };
        try
        {
            using var pipeline = new AnalysisPipeline(options);
            var masks = new HashSet<object>(ReferenceEqualityComparer.Instance);
            for (int f = 0; f < 40; f++) { pipeline.Analyse(frames[f]); masks.Add(pipeline.CellMasks!); }
            long allocated = SteadyStateAllocation.LeastOf(3, window =>
            {
                for (int f = 40 + 18 * window; f < 58 + 18 * window; f++) pipeline.Analyse(frames[f]);
            });

            allocated.Should().Be(0);
            masks.Should().HaveCount(2, "the masks in use and a spare, taking turns");
            masks.Should().Contain(pipeline.CellMasks!);
            pipeline.CellMasks!.CellCount.Should().Be(2);
        }
        finally { foreach (var frame in frames) frame.Dispose(); }
    }
}
