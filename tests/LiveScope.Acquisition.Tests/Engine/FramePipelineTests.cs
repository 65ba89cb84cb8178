using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Core.Imaging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.Acquisition.Tests.Engine;

public class FramePipelineTests
{
    private sealed class SlowSubscriber(SemaphoreSlim gate) : IFrameSubscriber
    {
        public List<int> Seen { get; } = [];
        public int Acquired;

        public void OnAcquired(FrameEvent planned) => Interlocked.Increment(ref Acquired);
        /// <summary>Frames whose pixels were not those offered (checked here, asserted by the test: a throw would be swallowed).</summary>
        public int Corrupt;

        public void OnFrame(Frame frame, FrameEvent planned)
        {
            gate.Wait();
            lock (Seen) Seen.Add(planned.TimeIndex);
            if (frame.Pixels[0] != (ushort)planned.TimeIndex) Interlocked.Increment(ref Corrupt);
        }
    }

    /// <summary>Waits for a condition, failing (not hanging) after 10 s.</summary>
    private static async Task Until(Func<bool> condition)
    {
        var limit = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(limit, "the pipeline should have got there by now");
            await Task.Delay(5);
        }
    }

    private static FrameEvent Planned(int t) => new()
    {
        DueAt = TimeSpan.FromSeconds(t), Phase = "p", TimeIndex = t, PositionIndex = 0, Position = Planner.CurrentPosition,
        ChannelIndex = 0, Channel = new("GFP", 10, null), ZIndex = 0,
    };

    private static Frame Frame(FramePool pool, int t)
    {
        var f = pool.Rent(8, 8);
        f.Pixels[0] = (ushort)t;
        return f;
    }

    [Fact]
    public async Task A_slow_analysis_never_holds_up_storage_it_skips_its_oldest_frames_and_counts_them()
    {
        var pool = new FramePool();
        var store = new RecordingStore();
        using var gate = new SemaphoreSlim(0);
        var slow = new SlowSubscriber(gate);
        var pipeline = new FramePipeline(store, [slow], capacity: 64, TimeSpan.FromSeconds(5), NullLogger.Instance, analysisCapacity: 4);

        for (int t = 0; t < 20; t++) (await pipeline.OfferAsync(Frame(pool, t), Planned(t), default)).Should().BeTrue();
        await Until(() => pipeline.Written == 20);   // storage finishes while analysis is stuck on its first frame
        gate.Release(100);
        await pipeline.CompleteAsync();

        store.Frames.Select(f => f.Planned.TimeIndex).Should().Equal(Enumerable.Range(0, 20));
        pipeline.Dropped.Should().Be(0);
        slow.Seen.Should().BeInAscendingOrder().And.EndWith([16, 17, 18, 19], "the newest frames are the ones analysed");
        pipeline.NotAnalysed.Should().Be(20 - slow.Seen.Count).And.BeGreaterThan(0);
        slow.Corrupt.Should().Be(0, "a frame stays valid while the subscriber holds it");
        slow.Acquired.Should().Be(20, "every frame is announced as acquired, analysed or not (the light dose counts them)");
        pool.Outstanding.Should().Be(0, "every reference, stored, analysed or skipped, went back to the pool");
    }

    [Fact]
    public async Task Cancelled_in_lockstep_while_waiting_for_analysis_the_frame_is_still_stored()
    {
        var pool = new FramePool();
        var store = new RecordingStore();
        using var gate = new SemaphoreSlim(0);
        var slow = new SlowSubscriber(gate);
        var pipeline = new FramePipeline(store, [slow], capacity: 64, TimeSpan.FromSeconds(5), NullLogger.Instance, analysisCapacity: 1,
            skipAnalysisWhenBehind: false);
        using var cancel = new CancellationTokenSource();

        // Frame 0 is in analysis (stuck at the gate), frame 1 fills the analysis queue, frame 2 waits for room.
        for (int t = 0; t < 2; t++) (await pipeline.OfferAsync(Frame(pool, t), Planned(t), cancel.Token)).Should().BeTrue();
        var third = pipeline.OfferAsync(Frame(pool, 2), Planned(2), cancel.Token).AsTask();
        await Until(() => pipeline.Written == 2);
        third.IsCompleted.Should().BeFalse("lockstep: acquisition waits for analysis");
        cancel.Cancel();

        (await third).Should().BeTrue("the frame was acquired: a cancel must not lose it");
        await Until(() => pipeline.Written == 3);
        gate.Release(100);
        await pipeline.CompleteAsync();
        store.Frames.Select(f => f.Planned.TimeIndex).Should().Equal(0, 1, 2);
        pipeline.Dropped.Should().Be(0);
        pipeline.NotAnalysed.Should().Be(1, "only its analysis was skipped");
        slow.Seen.Should().Equal(0, 1);
        pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task In_lockstep_every_frame_is_analysed_and_idle_means_stored_and_analysed()
    {
        var pool = new FramePool();
        var store = new RecordingStore();
        using var gate = new SemaphoreSlim(0);
        var slow = new SlowSubscriber(gate);
        var pipeline = new FramePipeline(store, [slow], capacity: 64, TimeSpan.FromSeconds(5), NullLogger.Instance, analysisCapacity: 2,
            skipAnalysisWhenBehind: false);

        var offers = Task.Run(async () =>
        {
            for (int t = 0; t < 6; t++) await pipeline.OfferAsync(Frame(pool, t), Planned(t), default);
        });
        await Until(() => pipeline.Written >= 1);
        var idle = pipeline.WhenIdleAsync(default);
        await Task.Delay(50);
        idle.IsCompleted.Should().BeFalse("analysis has not seen the frames yet");
        gate.Release(100);
        await offers;
        await pipeline.WhenIdleAsync(default);
        slow.Seen.Should().Equal(Enumerable.Range(0, 6));
        pipeline.NotAnalysed.Should().Be(0);
        await pipeline.CompleteAsync();
        pool.Outstanding.Should().Be(0);
    }
}
