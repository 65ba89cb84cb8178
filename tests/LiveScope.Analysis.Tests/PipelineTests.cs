using LiveScope.Testing;
using System.IO.Compression;
using LiveScope.Analysis.Cells;
using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Metrics;
using LiveScope.Analysis.Output;
using LiveScope.Analysis.Pipeline;
using LiveScope.Core.Imaging;

namespace LiveScope.Analysis.Tests;

public class PipelineTests
{
    /// <summary>
    /// A movie of the two touching cells with bright clusters (σ 1.5 px) drifting 0.5 px per frame: six in the left
    /// cell (one at its membrane), three in the right one.
    /// </summary>
    internal static Frame[] Movie(FramePool pool, int frames)
    {
        var cells = CellSegmentationTests.TwoTouchingCells(3, out int w, out int h);
        (double X, double Y)[] spots = [(150, 220), (200, 230), (130, 280), (210, 300), (176, 256 - 85), (180, 320), (330, 210), (370, 290), (300, 300)];
        var result = new Frame[frames];
        for (int f = 0; f < frames; f++)
        {
            var frame = pool.Rent(w, h);
            var px = frame.Pixels;
            cells.CopyTo(px);
            foreach (var (sx, sy) in spots)
            {
                double x0 = sx + 0.5 * f, y0 = sy;
                for (int y = (int)y0 - 6; y <= (int)y0 + 6; y++)
                    for (int x = (int)x0 - 6; x <= (int)x0 + 6; x++)
                        px[y * w + x] = (ushort)Math.Min(65535, px[y * w + x] + 600 * Math.Exp(-((x - x0) * (x - x0) + (y - y0) * (y - y0)) / (2 * 1.5 * 1.5)));
            }
            frame.Metadata = new FrameMetadata { SequenceNumber = f, TimeIndex = f, Timestamp = TimeSpan.FromSeconds(2 * f), PixelSizeUm = 0.1, Channel = "IR-GFP" };
            result[f] = frame;
        }
        return result;
    }

    /// <summary>
    /// Tracks are written as they end, not at the end of the run: a crash keeps them, and a long run's memory stays
    /// flat. The movie jumps from frame 3 to frame 40 (74 s later, 18 px on): the nine tracks end, nine new ones start.
    /// </summary>
    [Fact]
    public void Ended_tracks_are_in_tracks_csv_before_the_run_completes()
    {
        var pool = new FramePool();
        var movie = Movie(pool, 44);
        string folder = Temp();
        try
        {
            using (var pipeline = new AnalysisPipeline(Options, folder))
            {
                foreach (int f in new[] { 0, 1, 2, 3, 40, 41 }) pipeline.Analyse(movie[f]);
                var early = ReadShared(Path.Combine(folder, "tracks.csv"));
                early.Should().HaveCount(1 + 9, "the first nine tracks ended when frame 41 came");
                early.Skip(1).Should().OnlyContain(l => l.Split(',')[2] == "3" && l.EndsWith(",0,1"), "last seen in frame 3, born at the start, ended before the end");
                ReadShared(Path.Combine(folder, "msd.csv")).Should().HaveCount(1 + 9 * 3, "lags 1-3 of each four-frame track");

                pipeline.Analyse(movie[42]);
                pipeline.Complete().Tracks.Should().Be(18);
            }
            var all = File.ReadAllLines(Path.Combine(folder, "tracks.csv"));
            all.Should().HaveCount(1 + 18);
            all.Skip(10).Should().OnlyContain(l => l.Split(',')[1] == "4" && l.EndsWith(",1,0"), "born in the fifth analysed frame (the movie's 40), running at the end");
        }
        finally
        {
            foreach (var frame in movie) frame.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string[] ReadShared(string path)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static readonly AnalysisOptions Options = new()
    {
        // These tests are about the pipeline's plumbing (live = saved, no allocation), so detection is pinned to the
        // frame-statistics threshold, which finds exactly the movie's 9 spots; the default noise model also takes a
        // 5.4 σ noise maximum on a cell edge in one frame.
        Detector = new ClusterDetectorOptions { ExpectedDiameterUm = 0.45, ThresholdMethod = DetectionThresholdMethod.ResponseSd },
        Channel = "IR-GFP",
        SegmentCellsEveryFrames = 5,
        PreviewEveryFrames = 4,
        Condition = "sensitive",
    };

    [Fact]
    public void Live_frames_and_saved_data_give_identical_measurements()
    {
        var pool = new FramePool();
        string live = Temp(), saved = Temp();
        try
        {
            using (var pipeline = new AnalysisPipeline(Options, live))
            {
                foreach (var frame in Movie(pool, 6)) { pipeline.Analyse(frame); frame.Dispose(); }
                pipeline.Complete();
            }
            var summary = AnalysisPipeline.AnalyseAll(Movie(pool, 6), Options, saved);
            pool.Outstanding.Should().Be(0, "the pipeline never keeps a frame");

            foreach (var name in new[] { "clusters.csv", "cells.csv", "frames.csv", "tracks.csv", "msd.csv" })
                File.ReadAllText(Path.Combine(saved, name)).Should().Be(File.ReadAllText(Path.Combine(live, name)), name);

            summary.Frames.Should().Be(6);
            summary.MeanClustersPerFrame.Should().Be(9);
            summary.Tracks.Should().Be(9, "each drifting cluster is one track");
            summary.MeanCellsPerFrame.Should().Be(2);
            summary.MeanPartitionRatio.Should().BeGreaterThan(1.5);
            summary.MeanCondensedFraction.Should().BeInRange(0.001, 0.2);
            AnalysisSummary.FormatTable([summary]).Should().Contain("sensitive").And.Contain("partition ratio");

            var clusters = File.ReadAllLines(Path.Combine(saved, "clusters.csv"));
            clusters.Should().HaveCount(1 + 6 * 9);
            clusters.Skip(1).Should().OnlyContain(l => !l.EndsWith(",0,none"), "every cluster lies in a cell");
            clusters.Count(l => l.EndsWith(",membrane")).Should().Be(6);
            var cells = File.ReadAllLines(Path.Combine(saved, "cells.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
            cells.Should().HaveCount(12);
            cells.Select(c => int.Parse(c[5])).Order().Distinct().Should().Equal(3, 6);
            Directory.GetFiles(saved, "preview_*.png").Select(Path.GetFileName).Should().BeEquivalentTo(["preview_00000.png", "preview_00004.png"]);
        }
        finally { Directory.Delete(live, true); Directory.Delete(saved, true); }
    }

    /// <summary>
    /// Re-segmentation finishes off the frame path; its masks must take effect at a frame fixed by frame indices
    /// alone (due frame + lag), whatever the thread timing, so live and saved analyses agree run after run.
    /// </summary>
    [Theory]
    [InlineData(2, new[] { 0, 5, 8 })]
    [InlineData(0, new[] { 0, 3, 6, 9 })]
    [InlineData(7, new[] { 0, 5, 8 })]   // capped at SegmentCellsEveryFrames − 1 = 2
    public void Re_segmented_masks_take_effect_a_fixed_number_of_frames_later(int lag, int[] changesAt)
    {
        var pool = new FramePool();
        var frames = Movie(pool, 10);
        try
        {
            using var pipeline = new AnalysisPipeline(Options with { SegmentCellsEveryFrames = 3, CellMasksLagFrames = lag });
            var changes = new List<int>();
            CellMasks? previous = null;
            for (int f = 0; f < frames.Length; f++)
            {
                pipeline.Analyse(frames[f]);
                if (!ReferenceEquals(pipeline.CellMasks, previous)) changes.Add(f);
                previous = pipeline.CellMasks;
                pipeline.CellMasks!.CellCount.Should().Be(2);
            }
            changes.Should().Equal(changesAt);
        }
        finally { foreach (var frame in frames) frame.Dispose(); }
    }

    /// <summary>
    /// A re-segmentation may still be running off the frame path when the run ends: Complete and Dispose wait for
    /// it (it reads the pipeline's buffers), and neither returns while it is held up.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Complete_and_dispose_wait_for_a_running_re_segmentation(bool complete)
    {
        var pool = new FramePool();
        var frames = Movie(pool, 4);
        using var entered = new ManualResetEventSlim(false);
        using var release = new ManualResetEventSlim(false);
        var pipeline = new AnalysisPipeline(Options with { SegmentCellsEveryFrames = 3, CellMasksLagFrames = 2 });
        try
        {
            pipeline.BeforeBackgroundSegmentation = () => { entered.Set(); release.Wait(); };
            foreach (var frame in frames) pipeline.Analyse(frame);   // frame 3 starts one, to be used from frame 5
            entered.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue("frame 3 started a re-segmentation");
            pipeline.SegmentationPending.Should().BeTrue();

            Exception? failure = null;
            var ending = new Thread(() =>
            {
                try { if (complete) pipeline.Complete(); else pipeline.Dispose(); }
                catch (Exception e) { failure = e; }
            });
            ending.Start();
            ending.Join(TimeSpan.FromMilliseconds(300)).Should().BeFalse("the segmentation is held up, so the run cannot end yet");
            release.Set();
            ending.Join(TimeSpan.FromSeconds(10)).Should().BeTrue();
            failure.Should().BeNull();
            pipeline.SegmentationPending.Should().BeFalse();
        }
        finally
        {
            release.Set();
            pipeline.Dispose();
            foreach (var frame in frames) frame.Dispose();
        }
    }

    [Fact]
    public void A_failed_re_segmentation_throws_where_its_masks_were_due()
    {
        var pool = new FramePool();
        var frames = Movie(pool, 6);
        try
        {
            using var pipeline = new AnalysisPipeline(Options with { SegmentCellsEveryFrames = 3, CellMasksLagFrames = 2 });
            pipeline.BeforeBackgroundSegmentation = () => throw new InvalidOperationException("segmentation failed");
            for (int f = 0; f < 5; f++) pipeline.Analyse(frames[f]);
            var masks = pipeline.CellMasks;
            pipeline.Invoking(p => p.Analyse(frames[5])).Should().Throw<InvalidOperationException>().WithMessage("segmentation failed");
            pipeline.CellMasks.Should().BeSameAs(masks, "the masks in use stay");
            pipeline.SegmentationPending.Should().BeFalse();
        }
        finally { foreach (var frame in frames) frame.Dispose(); }
    }

    [Fact]
    public void Frames_of_other_channels_are_skipped()
    {
        var pool = new FramePool();
        using var pipeline = new AnalysisPipeline(Options);
        using var frame = Movie(pool, 1)[0];
        frame.Metadata = frame.Metadata with { Channel = "brightfield" };
        pipeline.Analyse(frame).Should().BeNull();
        pipeline.FramesAnalysed.Should().Be(0);
    }

    [Fact]
    public void Partition_ratio_and_condensed_fraction_follow_the_young_lab_definitions()
    {
        // One square cell of 200 counts on a 100 background, one flat 'cluster' disc of 600 counts inside it.
        int w = 256, h = 256;
        var px = new ushort[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                bool cell = x >= 64 && x < 192 && y >= 64 && y < 192;
                bool cluster = (x - 128) * (x - 128) + (y - 128) * (y - 128) <= 9;
                px[y * w + x] = (ushort)(cluster ? 600 : cell ? 200 : 100);
            }
        var masks = new CellSegmenter(new CellSegmentationOptions { MinCellAreaPx = 100, SmoothingSigmaBinnedPx = 0 }).Segment(px, w, h);
        masks.CellCount.Should().Be(1);
        var rows = new List<CellFrameMetrics>();
        Cluster[] clusters = [new Cluster(128, 128, 1, 600, 200, 0, 29, 1)];   // local background: the cell's diffuse level
        var frame = new CellMetricsCalculator().Compute(px, w, h, masks, clusters, 0.1, 3.0, 0, 0, 0, rows);

        int discPx = 29;   // pixels with dx² + dy² ≤ 9
        double cellPx = 128 * 128;
        rows.Single().PartitionRatio.Should().BeApproximately((600 - 100) / (200.0 - 100), 1e-9);
        // Condensed: the cluster's own light (above the diffuse level around it) over the cell's light above background.
        rows.Single().CondensedFraction.Should().BeApproximately(discPx * 400 / ((cellPx - discPx) * 100 + discPx * 500), 1e-9);
        rows.Single().AreaUm2.Should().BeApproximately(cellPx * 0.01, 1e-9);
        rows.Single().DensityPerUm2.Should().BeApproximately(1 / (cellPx * 0.01), 1e-12);
        frame.PartitionRatio.Should().BeApproximately(5, 1e-9);
    }

    [Fact]
    public void Png_writer_produces_a_decodable_image()
    {
        var rgb = new byte[7 * 5 * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 7);
        using var stream = new MemoryStream();
        PngWriter.WriteRgb(stream, rgb, 7, 5);
        var bytes = stream.ToArray();
        bytes.Take(8).Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        // IHDR: width 7, height 5; IDAT inflates to 5 rows of (filter byte + 21 bytes) equal to the input.
        System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)).Should().Be(7);
        int idat = bytes.AsSpan().IndexOf("IDAT"u8);
        int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(idat - 4));
        using var z = new ZLibStream(new MemoryStream(bytes, idat + 4, length), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var rows = raw.ToArray();
        rows.Should().HaveCount(5 * 22);
        for (int y = 0; y < 5; y++) rows.AsSpan(y * 22 + 1, 21).ToArray().Should().Equal(rgb.AsSpan(y * 21, 21).ToArray());
        // Python's own PNG reader (zlib + CRC checks) accepts it.
        string path = Path.Combine(Path.GetTempPath(), $"livescope-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, bytes);
        try
        {
            var opencv = ExternalProgram.RunPython("import sys,cv2; im=cv2.imread(sys.argv[1]); print(im.shape)", "python3-opencv", path);
            opencv.Stdout.Trim().Should().Be("(5, 7, 3)", opencv.Stderr);
        }
        finally { File.Delete(path); }
    }

    /// <summary>
    /// CSV numbers are formatted by a fast path; the text must be exactly the runtime's G9 (what the files always had):
    /// positions, intensities, ratios, values near rounding ties and notation boundaries, and random bit patterns.
    /// </summary>
    [Fact]
    public void Csv_numbers_are_formatted_exactly_as_the_runtime_formats_G9()
    {
        var rng = new Random(7);
        var buffer = new byte[64];
        var values = new List<double> { 0, -0.0, 1, 0.5, 1e-4, 9.99999999e-5, 0.000099999999999, 1e9, 999999999, 999999999.5, 999999999.6,
            123456789.5, 0.1, 0.3, 1e8, 99999999.95, 1234567885, 12345678.85, 2048, 1023.5, Math.PI, double.Epsilon, double.MaxValue };
        for (int i = 0; i < 200_000; i++)
        {
            values.Add(rng.NextDouble() * Math.Pow(10, rng.Next(-7, 11)));
            values.Add(Math.Round(rng.NextDouble() * 4096 * 256) / 256);
            values.Add(BitConverter.Int64BitsToDouble(rng.NextInt64()));
            double tie = (rng.Next(100_000_000, 999_999_999) + 0.5) * Math.Pow(10, rng.Next(-12, 1));
            values.AddRange([tie, Math.BitIncrement(tie), Math.BitDecrement(tie)]);
        }
        foreach (double v in values.Where(double.IsFinite).SelectMany(v => new[] { v, -v }))
        {
            G9Utf8.TryFormat(v, buffer, out int written).Should().BeTrue();
            string text = System.Text.Encoding.ASCII.GetString(buffer, 0, written);
            if (text != v.ToString("G9", System.Globalization.CultureInfo.InvariantCulture))
                text.Should().Be(v.ToString("G9", System.Globalization.CultureInfo.InvariantCulture), $"for {v:R}");
        }
        G9Utf8.TryFormat(1023.456789, new byte[4], out _).Should().BeFalse("a short buffer is refused, not overrun");
    }

    private static string Temp() => Path.Combine(Path.GetTempPath(), $"livescope-analysis-{Guid.NewGuid():N}");
}
