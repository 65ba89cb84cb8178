using System.Runtime.CompilerServices;
using LiveScope.Core.Devices;
using LiveScope.Core.Imaging;
using LiveScope.Core.Timing;

namespace LiveScope.Replay;

/// <summary>
/// A camera that plays a recorded OME-TIFF back as if live. Each snap (or streamed frame) serves the recording's next
/// plane, in order, never skipping: it waits on the microscope clock until that plane is due — the replay's start plus
/// the plane's recorded offset (rate original) or plus k / fps (forced rate) — then reads the pixels straight into a
/// pooled frame. A consumer slower than the pace gets every plane late rather than a thinned recording. The frame's
/// metadata is the recorded plane's (exposure, stage, channel) with a fresh sequence number and the time it was served.
/// Exposure changes are accepted (a protocol sets them) but cannot change recorded pixels; ROI and binning cannot be
/// applied to a recording and are refused.
/// </summary>
public sealed class ReplayCamera : ICamera
{
    private readonly ReplayRecording _recording;
    private readonly FramePool _pool;
    private readonly double _pixelSizeUm;
    private readonly double _maxExposureMs;
    private IMicroscopeClock _clock;
    private CancellationTokenSource _streamStop = new();
    private TimeSpan? _origin;
    private long _served;
    private int _busy;
    private int _disposed;

    public ReplayCamera(string name, ReplayRecording recording, ReplayRate rate, bool loop, FramePool pool,
        IMicroscopeClock? clock = null, double? pixelSizeUm = null, int bitDepth = 16, double maxExposureMs = 10_000)
    {
        if (rate.IsOriginal && !recording.HasTimestamps)
            throw new ReplayFileException(recording.Path, "rate",
                "its planes carry no rising timestamps, so the original rate is unknown; give rate as frames per second");
        Name = name;
        _recording = recording;
        Rate = rate;
        Loop = loop;
        _pool = pool;
        _clock = clock ?? new SystemClock();
        _pixelSizeUm = pixelSizeUm ?? recording.PixelSizeUm
            ?? throw new ReplayFileException(recording.Path, "pixel_size_um", "records no pixel size (PhysicalSizeX); give pixel_size_um");
        BitDepth = bitDepth;
        _maxExposureMs = maxExposureMs;
        Settings = new CameraSettings { ExposureMs = Math.Clamp(recording.MetadataOf(0).ExposureMs is > 0 and var e ? e : 50, 0.01, maxExposureMs) };
    }

    public string Name { get; }
    public DeviceKind Kind => DeviceKind.Camera;
    public int SensorWidth => _recording.Width;
    public int SensorHeight => _recording.Height;
    public int BitDepth { get; }
    public double PixelSizeUm => _pixelSizeUm;
    public CameraSettings Settings { get; private set; }
    public ReplayRate Rate { get; }
    public bool Loop { get; }
    public ReplayRecording Recording => _recording;
    /// <summary>Frames served since the start (across loops).</summary>
    public long FramesServed => Interlocked.Read(ref _served);
    /// <summary>Microscope-clock time the first frame was served at; null before.</summary>
    public TimeSpan? Origin => _origin;

    /// <summary>The microscope's clock; the backend session hands it over once the microscope exists.</summary>
    public void UseClock(IMicroscopeClock clock) => _clock = clock;

    /// <summary>
    /// Anchors the schedule: frame k is due at <paramref name="origin"/> plus its offset. Without it the first frame
    /// served anchors it, so a first snap that comes late (JIT, a cold cache, a slow first stage move) delays every
    /// later frame by as much. A host that knows when its run starts anchors the replay there.
    /// </summary>
    public void StartAt(TimeSpan origin) => _origin = origin;

    /// <summary>When the <paramref name="k"/>-th frame (0-based, counting across loops) is due, relative to the first.</summary>
    public TimeSpan DueOffset(long k)
    {
        if (Rate.FramesPerSecond is { } fps) return TimeSpan.FromTicks((long)Math.Round(k * (TimeSpan.TicksPerSecond / fps)));
        long pass = k / _recording.Count;
        return pass * _recording.CyclePeriod + _recording.OffsetOf((int)(k % _recording.Count));
    }

    public Task ApplyAsync(CameraSettings settings, CancellationToken ct)
    {
        if (!(settings.ExposureMs > 0) || settings.ExposureMs > _maxExposureMs)
            throw new DeviceLimitException(Name, "apply settings", $"exposure {settings.ExposureMs} ms is outside (0, {_maxExposureMs}] ms");
        if (settings.Binning != 1)
            throw new DeviceLimitException(Name, "apply settings", $"binning {settings.Binning} cannot be applied to a recording; only 1");
        if (settings.Roi is { } roi && roi != new SensorRoi(0, 0, SensorWidth, SensorHeight))
            throw new DeviceLimitException(Name, "apply settings", $"ROI {roi} cannot be applied to a recording; only the full {SensorWidth}×{SensorHeight} frame");
        Settings = settings;
        return Task.CompletedTask;
    }

    public async Task<Frame> SnapAsync(CancellationToken ct)
    {
        Enter();
        try
        {
            return await NextAsync(ct).ConfigureAwait(false) ?? throw Exhausted();
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Streams frames at the replay's pace. With <paramref name="frameCount"/> 0 the stream ends when a recording that
    /// does not loop runs out (or on cancel, or when made safe); a stream asked for more planes than remain fails.
    /// </summary>
    public async IAsyncEnumerable<Frame> StreamAsync(int frameCount, [EnumeratorCancellation] CancellationToken ct)
    {
        if (frameCount < 0) throw new ArgumentOutOfRangeException(nameof(frameCount), "frame count must be ≥ 0");
        Enter();
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _streamStop.Token);
            for (int i = 0; frameCount == 0 || i < frameCount; i++)
            {
                Frame? frame;
                try
                {
                    frame = await NextAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    yield break; // made safe while streaming: the stream ends rather than fails
                }
                if (frame is null)
                {
                    if (frameCount == 0) yield break;
                    throw Exhausted();
                }
                yield return frame;
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>The next plane once it is due; null when a recording that does not loop is exhausted.</summary>
    private async Task<Frame?> NextAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        long k = _served;
        if (!Loop && k >= _recording.Count) return null;
        var origin = _origin ??= _clock.Now;
        await _clock.WaitUntilAsync(origin + DueOffset(k), ct).ConfigureAwait(false);
        // Stamped when due (the "exposure start"), before the read, like a camera's own timestamp.
        var servedAt = _clock.Now;
        int plane = (int)(k % _recording.Count);
        Frame frame;
        try
        {
            frame = _recording.Read(plane, _pool);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or ObjectDisposedException)
        {
            throw new DeviceException(Name, "read plane",
                $"plane {_recording.FilePlaneOf(plane)} of {_recording.Path} cannot be read: {e.Message}", e);
        }
        frame.Metadata = frame.Metadata with
        {
            SequenceNumber = k,
            Timestamp = servedAt,
            Binning = 1,
            PixelSizeUm = _pixelSizeUm,
        };
        Interlocked.Increment(ref _served);
        return frame;
    }

    private ReplayExhaustedException Exhausted() => new(Name, _recording.Path, FramesServed);

    /// <summary>One acquisition at a time: the recording is read through one file position.</summary>
    private void Enter()
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
            throw new InvalidOperationException($"{Name} is already acquiring (a snap or a stream is in progress)");
    }

    private void Exit() => Volatile.Write(ref _busy, 0);

    /// <summary>Ends a running stream. A replay has no light or motion to switch off.</summary>
    public Task MakeSafeAsync(CancellationToken ct)
    {
        var stop = Interlocked.Exchange(ref _streamStop, new CancellationTokenSource());
        stop.Cancel();
        stop.Dispose();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _streamStop.Cancel();
            _recording.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
