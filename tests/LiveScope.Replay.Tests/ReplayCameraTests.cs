using LiveScope.Core.Devices;
using LiveScope.Core.Imaging;
using LiveScope.Simulation.Timing;

namespace LiveScope.Replay.Tests;

/// <summary>
/// The camera on its own, on a simulated clock with time scale 0: waits jump the clock to the due time at once, so
/// pacing is checked exactly and no test depends on wall time.
/// </summary>
public sealed class ReplayCameraTests : IDisposable
{
    private readonly Recordings _files = new();
    private readonly FramePool _pool = new();
    private readonly SimulatedClock _clock = new(0);

    private ReplayCamera Camera(string path, ReplayRate rate, bool loop = false, ReplaySelection? selection = null) =>
        new("Camera", ReplayRecording.Open(path, selection), rate, loop, _pool, _clock);

    [Fact]
    public async Task Serves_every_plane_in_order_with_identical_pixels()
    {
        var (path, planes) = _files.TimeSeries("cells", [0, 100, 200, 300, 400]);
        await using var camera = Camera(path, ReplayRate.Original);

        camera.SensorWidth.Should().Be(Recordings.Width);
        camera.SensorHeight.Should().Be(Recordings.Height);
        camera.PixelSizeUm.Should().Be(0.1625);
        for (int i = 0; i < planes.Count; i++)
        {
            using var frame = await camera.SnapAsync(CancellationToken.None);
            frame.Pixels.ToArray().Should().Equal(planes[i].Pixels, $"plane {i} must come back bit for bit");
            frame.Metadata.SequenceNumber.Should().Be(i);
            frame.Metadata.ExposureMs.Should().Be(20);
            frame.Metadata.StageXUm.Should().Be(12.5);
            frame.Metadata.Channel.Should().Be("GFP");
        }
        _pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task Original_rate_serves_each_plane_at_its_recorded_offset_on_the_microscope_clock()
    {
        double[] times = [1000, 1100, 1250, 1600];
        var (path, _) = _files.TimeSeries("paced", times);
        await using var camera = Camera(path, ReplayRate.Original);
        await _clock.AdvanceAsync(TimeSpan.FromSeconds(7), CancellationToken.None); // the replay starts whenever the first snap comes

        var served = new List<double>();
        for (int i = 0; i < times.Length; i++)
        {
            using var frame = await camera.SnapAsync(CancellationToken.None);
            served.Add(frame.Metadata.Timestamp.TotalMilliseconds);
        }

        served.Should().Equal(7000, 7100, 7250, 7600);
        _clock.Now.Should().Be(TimeSpan.FromMilliseconds(7600));
    }

    [Fact]
    public async Task A_consumer_slower_than_the_recording_gets_every_plane_late_never_a_skipped_one()
    {
        var (path, planes) = _files.TimeSeries("slow", [0, 10, 20, 30]);
        await using var camera = Camera(path, ReplayRate.Original);
        using (await camera.SnapAsync(CancellationToken.None)) { }
        await _clock.AdvanceAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None); // consumer busy well past planes 1–3

        using var second = await camera.SnapAsync(CancellationToken.None);
        second.Pixels.ToArray().Should().Equal(planes[1].Pixels);
        second.Metadata.Timestamp.Should().Be(TimeSpan.FromMilliseconds(100), "a late plane is served at once, stamped when served");
    }

    [Fact]
    public async Task Forced_rate_replaces_the_recorded_pace()
    {
        var (path, _) = _files.TimeSeries("forced", [0, 500, 5000]);
        await using var camera = Camera(path, ReplayRate.Fps(40));

        var served = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            using var frame = await camera.SnapAsync(CancellationToken.None);
            served.Add(frame.Metadata.Timestamp.TotalMilliseconds);
        }
        served.Should().Equal(0, 25, 50);
    }

    [Fact]
    public async Task A_replay_anchored_at_the_run_start_lets_a_late_first_snap_catch_up()
    {
        var (path, _) = _files.TimeSeries("anchored", [0, 10, 20, 30]);
        await using var camera = Camera(path, ReplayRate.Fps(100));
        camera.StartAt(_clock.Now);
        await _clock.AdvanceAsync(TimeSpan.FromMilliseconds(25), CancellationToken.None); // the first snap comes 25 ms late

        var served = new List<double>();
        for (int i = 0; i < 4; i++)
        {
            using var frame = await camera.SnapAsync(CancellationToken.None);
            served.Add(frame.Metadata.Timestamp.TotalMilliseconds);
        }

        served.Should().Equal(25, 25, 25, 30);
    }

    [Fact]
    public async Task Loop_starts_again_and_keeps_the_recorded_rhythm_across_the_seam()
    {
        var (path, planes) = _files.TimeSeries("loop", [0, 100, 200]);
        await using var camera = Camera(path, ReplayRate.Original, loop: true);

        var order = new List<int>();
        var times = new List<double>();
        for (int i = 0; i < 7; i++)
        {
            using var frame = await camera.SnapAsync(CancellationToken.None);
            order.Add(planes.ToList().FindIndex(p => frame.Pixels.SequenceEqual(p.Pixels)));
            times.Add(frame.Metadata.Timestamp.TotalMilliseconds);
            frame.Metadata.SequenceNumber.Should().Be(i, "sequence numbers keep counting across loops");
        }
        order.Should().Equal(0, 1, 2, 0, 1, 2, 0);
        // Span 200 ms plus the median interval 100 ms: the second pass starts 300 ms after the first.
        times.Should().Equal(0, 100, 200, 300, 400, 500, 600);
        _pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task Without_loop_an_exhausted_recording_is_a_clear_error_naming_the_file()
    {
        var (path, _) = _files.TimeSeries("short", [0, 100]);
        await using var camera = Camera(path, ReplayRate.Original);
        using (await camera.SnapAsync(CancellationToken.None)) { }
        using (await camera.SnapAsync(CancellationToken.None)) { }

        var act = () => camera.SnapAsync(CancellationToken.None);

        (await act.Should().ThrowAsync<ReplayExhaustedException>())
            .Which.Message.Should().Contain(path).And.Contain("loop");
    }

    [Fact]
    public async Task A_stream_until_cancelled_ends_when_the_recording_does()
    {
        var (path, _) = _files.TimeSeries("stream", [0, 100, 200]);
        await using var camera = Camera(path, ReplayRate.Original);

        var stamps = new List<double>();
        await foreach (var frame in camera.StreamAsync(0, CancellationToken.None))
            using (frame) stamps.Add(frame.Metadata.Timestamp.TotalMilliseconds);

        stamps.Should().Equal(0, 100, 200);
    }

    [Fact]
    public async Task A_stream_asking_for_more_planes_than_remain_fails()
    {
        var (path, _) = _files.TimeSeries("stream-short", [0, 100]);
        await using var camera = Camera(path, ReplayRate.Original);

        var act = async () =>
        {
            await foreach (var frame in camera.StreamAsync(3, CancellationToken.None)) frame.Dispose();
        };

        await act.Should().ThrowAsync<ReplayExhaustedException>();
        _pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task Channel_and_slice_selection_serve_only_those_planes()
    {
        var planes = new List<RecordedPlane>();
        for (int t = 0; t < 3; t++)
        for (int c = 0; c < 2; c++)
        for (int z = 0; z < 2; z++)
            planes.Add(new RecordedPlane(t, c, z, t * 1000 + c * 100 + z * 10, Recordings.RandomPixels(t * 100 + c * 10 + z)));
        var (path, _) = _files.Write("multi", planes, ["GFP", "mCherry"]);
        await using var camera = Camera(path, ReplayRate.Original, selection: new ReplaySelection { Channel = "mcherry", ZIndex = 1 });

        var expected = planes.Where(p => p.C == 1 && p.Z == 1).ToList();
        camera.Recording.Count.Should().Be(expected.Count);
        foreach (var plane in expected)
        {
            using var frame = await camera.SnapAsync(CancellationToken.None);
            frame.Pixels.ToArray().Should().Equal(plane.Pixels);
            frame.Metadata.Channel.Should().Be("mCherry");
            frame.Metadata.Timestamp.TotalMilliseconds.Should().Be(plane.TimeMs - expected[0].TimeMs);
        }
    }

    [Fact]
    public async Task Settings_accept_exposure_but_refuse_roi_and_binning_a_recording_cannot_have()
    {
        var (path, _) = _files.TimeSeries("settings", [0, 100]);
        await using var camera = Camera(path, ReplayRate.Original);

        await camera.ApplyAsync(camera.Settings with { ExposureMs = 75 }, CancellationToken.None);
        camera.Settings.ExposureMs.Should().Be(75);
        await camera.Invoking(c => c.ApplyAsync(c.Settings with { Binning = 2 }, CancellationToken.None))
            .Should().ThrowAsync<DeviceLimitException>();
        await camera.Invoking(c => c.ApplyAsync(c.Settings with { Roi = new SensorRoi(0, 0, 32, 32) }, CancellationToken.None))
            .Should().ThrowAsync<DeviceLimitException>();
    }

    [Fact]
    public async Task A_plane_that_became_unreadable_mid_run_fails_naming_plane_and_file()
    {
        // Planes larger than the reader's 64 KiB stream buffer, so every read goes to the file.
        const int side = 256;
        var (path, _) = _files.TimeSeries("damaged", [0, 100, 200], width: side, height: side);
        await using var camera = Camera(path, ReplayRate.Original);
        using (await camera.SnapAsync(CancellationToken.None)) { }
        // Plane 1's pixels follow plane 0's; cut the file inside plane 1 (the probe at open read only planes 0 and 2).
        long plane1 = 16 + (long)side * side * 2;
        using (var cut = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite)) cut.SetLength(plane1 + 100);

        var act = () => camera.SnapAsync(CancellationToken.None);

        (await act.Should().ThrowAsync<DeviceException>()).Which.Message.Should().Contain("plane 1").And.Contain(path);
        _pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task Steady_state_snaps_allocate_no_pixel_buffers()
    {
        var (path, _) = _files.TimeSeries("alloc", Enumerable.Range(0, 10).Select(i => i * 10.0).ToArray());
        await using var camera = Camera(path, ReplayRate.Fps(100), loop: true);
        for (int i = 0; i < 20; i++) (await camera.SnapAsync(CancellationToken.None)).Dispose(); // warm up: JIT, pool

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) (await camera.SnapAsync(CancellationToken.None)).Dispose();
        long perFrame = (GC.GetAllocatedBytesForCurrentThread() - before) / 200;

        // A plane is 6 KB here; what is left per frame is the async call's own bookkeeping.
        perFrame.Should().BeLessThan(1024);
        _pool.Outstanding.Should().Be(0);
    }

    public void Dispose() => _files.Dispose();
}
