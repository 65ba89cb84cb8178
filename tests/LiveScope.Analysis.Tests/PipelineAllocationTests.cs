using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Pipeline;
using LiveScope.Core.Imaging;

namespace LiveScope.Analysis.Tests;

public class PipelineAllocationTests
{
    /// <summary>
    /// Detection, tracking, cell and frame metrics and CSV rows allocate nothing once warm. What may still allocate is
    /// growth, kept out of the measured window: new tracks (none here: nine clusters drift steadily), each track's
    /// point list doubling (at 33 points → 64 capacity until point 64), a re-segmentation (its masks are a new result:
    /// only at frame 0 here) and preview PNGs (the first frame only).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Steady_state_analysis_allocates_nothing(bool writeCsv)
    {
        var pool = new FramePool();
        var frames = PipelineTests.Movie(pool, 60);
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
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int f = 40; f < 60; f++) pipeline.Analyse(frames[f]);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            allocated.Should().Be(0);
            pipeline.LastTrackIds.ToArray().Should().BeEquivalentTo(Enumerable.Range(1, 9), "nine clusters, nine unbroken tracks");
            pipeline.LastCellMetrics.Should().HaveCount(2);
            pipeline.Complete().Tracks.Should().Be(9);
            if (writeCsv) File.ReadAllLines(Path.Combine(folder, "clusters.csv")).Should().HaveCount(1 + 60 * 9);
        }
        finally
        {
            foreach (var frame in frames) frame.Dispose();
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
