using System.Runtime.CompilerServices;
using LiveScope.Core.Devices;
using LiveScope.Core.Imaging;
using LiveScope.Simulation.Options;
using LiveScope.Simulation.Rendering;
using LiveScope.Simulation.Truth;

namespace LiveScope.Simulation.Devices;

/// <summary>
/// A camera that looks at the virtual sample. Each frame: advance the sample to the exposure's start on the simulated
/// clock, render what the sensor sees (stage position, focus, light, shutter, pending laser reflections), bleach what
/// was lit, publish ground truth, then let the exposure and readout time pass on the clock.
/// </summary>
public sealed class SimulatedCamera : SimulatedDevice, ICamera
{
    private readonly SimCameraOptions _options;
    private readonly FrameSynthesizer _synthesizer;
    private readonly FrameTruth _truth = new();
    private readonly ulong _noiseSeed;
    private CancellationTokenSource _streamStop = new();
    private long _sequence;
    private int _streaming;

    public SimulatedCamera(string name, SimulatedSession session, SimCameraOptions options)
        : base(name, DeviceKind.Camera, session, TimeSpan.FromMilliseconds(options.TimeoutMs))
    {
        _options = options;
        Settings = new CameraSettings { ExposureMs = options.ExposureMs };
        int threads = options.RenderThreads > 0 ? options.RenderThreads : Math.Max(0, Environment.ProcessorCount - 1);
        _synthesizer = new FrameSynthesizer(session.Options, threads, options.BandRows);
        _noiseSeed = (ulong)session.Options.Seed * 0x9E3779B97F4A7C15UL + 5;
    }

    public int SensorWidth => _options.SensorWidth;
    public int SensorHeight => _options.SensorHeight;
    public int BitDepth => _options.BitDepth;
    public double PixelSizeUm => _options.PixelSizeUm;
    public CameraSettings Settings { get; private set; }
    public bool IsStreaming => Volatile.Read(ref _streaming) != 0;
    /// <summary>Ground truth of every frame this camera renders.</summary>
    public GroundTruthFeed GroundTruth => Session.GroundTruth;
    public FrameSynthesizer Synthesizer => _synthesizer;
    public long FramesTaken => Interlocked.Read(ref _sequence);

    public Task ApplyAsync(CameraSettings settings, CancellationToken ct) => Bounded("apply settings", _ =>
    {
        double maxExposure = Math.Min(_options.MaxExposureMs, Session.Limits.MaxExposureMs);
        if (!(settings.ExposureMs > 0) || settings.ExposureMs > maxExposure)
            throw new DeviceLimitException(Name, "apply settings", $"exposure {settings.ExposureMs} ms is outside (0, {maxExposure}] ms");
        if (settings.Binning is not (1 or 2 or 4 or 8))
            throw new DeviceLimitException(Name, "apply settings", $"binning {settings.Binning} is not one of 1, 2, 4, 8");
        var roi = settings.Roi ?? new SensorRoi(0, 0, SensorWidth, SensorHeight);
        if (roi.X < 0 || roi.Y < 0 || roi.Width <= 0 || roi.Height <= 0 || roi.X + roi.Width > SensorWidth || roi.Y + roi.Height > SensorHeight)
            throw new DeviceLimitException(Name, "apply settings", $"ROI {roi} does not fit the {SensorWidth}×{SensorHeight} sensor");
        if (roi.Width % settings.Binning != 0 || roi.Height % settings.Binning != 0)
            throw new DeviceLimitException(Name, "apply settings", $"ROI {roi.Width}×{roi.Height} is not a multiple of binning {settings.Binning}");
        Settings = settings;
        return Task.CompletedTask;
    }, ct);

    /// <summary>The part of the sample the current settings show with the stage at (x, y).</summary>
    public FieldOfView FieldOfViewAt(double stageXUm, double stageYUm)
    {
        var s = Settings;
        var roi = s.Roi ?? new SensorRoi(0, 0, SensorWidth, SensorHeight);
        double p = PixelSizeUm;
        double left = stageXUm - SensorWidth * p / 2 + roi.X * p;
        double top = stageYUm - SensorHeight * p / 2 + roi.Y * p;
        return new FieldOfView(left, top, p * s.Binning, roi.Width / s.Binning, roi.Height / s.Binning);
    }

    public FieldOfView CurrentFieldOfView
    {
        get
        {
            var (x, y) = Session.StagePosition;
            return FieldOfViewAt(x, y);
        }
    }

    public Task<Frame> SnapAsync(CancellationToken ct) => Bounded("snap", AcquireAsync, ct);

    public async IAsyncEnumerable<Frame> StreamAsync(int frameCount, [EnumeratorCancellation] CancellationToken ct)
    {
        if (frameCount < 0) throw new ArgumentOutOfRangeException(nameof(frameCount), "frame count must be ≥ 0");
        if (Interlocked.Exchange(ref _streaming, 1) != 0)
            throw new InvalidOperationException($"{Name} is already streaming");
        var stop = _streamStop;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, stop.Token);
        try
        {
            for (int i = 0; frameCount == 0 || i < frameCount; i++)
            {
                Frame? frame = null;
                try
                {
                    frame = await AcquireAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    // Made safe while streaming: the stream ends rather than fails.
                }
                if (frame is null) yield break;
                yield return frame;
            }
        }
        finally
        {
            Volatile.Write(ref _streaming, 0);
        }
    }

    private async Task<Frame> AcquireAsync(CancellationToken ct)
    {
        if (Session.Faults.CameraTimesOut()) throw new DeviceTimeoutException(Name, "acquire", Timeout);
        var shutter = Session.Shutter;
        bool autoOpened = false;
        if (_options.AutoShutter && shutter is { IsOpen: false })
        {
            shutter.SetOpenDirect(true);
            autoOpened = true;
        }
        Frame? frame = null;
        try
        {
            var exposure = TimeSpan.FromMilliseconds(Settings.ExposureMs);
            var start = Session.Clock.Now;
            lock (Session.Gate)
            {
                var fov = CurrentFieldOfView;
                frame = Session.Context.FramePool.Rent(fov.Width, fov.Height);
                Render(frame, fov, start, exposure);
            }
            await Session.Clock.AdvanceAsync(exposure + TimeSpan.FromMilliseconds(_options.ReadoutMs), ct).ConfigureAwait(false);
            return frame;
        }
        catch
        {
            frame?.Dispose();
            throw;
        }
        finally
        {
            if (autoOpened) shutter!.SetOpenDirect(false);
        }
    }

    /// <summary>Renders one frame; the caller holds the session gate.</summary>
    private void Render(Frame frame, FieldOfView fov, TimeSpan start, TimeSpan exposure)
    {
        var o = Session.Options;
        var sample = Session.Sample;
        double t = start.TotalSeconds;
        sample.AdvanceTo(t);
        var (sx, sy) = Session.StagePosition;
        double z = Session.StageZUm;
        double defocus = z - Session.FocalPlaneUm(t);
        bool lit = Session.Shutter?.IsOpen ?? true;
        var light = Session.LightSource;
        double power = lit ? light?.PowerFraction ?? 1.0 : 0;
        var channel = light?.ActiveChannel;
        double excitation = channel is null ? 1 : Session.ExcitationEfficiency(channel.ExcitationNm);
        long sequence = Interlocked.Increment(ref _sequence) - 1;

        Span<SpotKernel> spots = stackalloc SpotKernel[16];
        int reflections = Session.TakeReflections(fov, sx, sy, spots);
        bool truth = o.GroundTruth && Session.GroundTruth.HasSubscribers;
        if (truth)
        {
            _truth.SequenceNumber = sequence;
            _truth.Timestamp = start;
            _truth.StageXUm = sx;
            _truth.StageYUm = sy;
            _truth.StageZUm = z;
            _truth.DefocusUm = defocus;
        }
        var request = new ExposureRequest(fov, defocus, exposure.TotalSeconds, power, excitation,
            NoiseParameters.From(o.CameraNoise, BitDepth), _noiseSeed, sequence);
        _synthesizer.Render(frame.Buffer, sample, request, spots[..reflections], truth ? _truth : null);
        double dose = o.Photophysics.ImagingBleachRatePerS * power * excitation * exposure.TotalSeconds;
        sample.BleachField(fov.LeftUm, fov.TopUm, fov.RightUm, fov.BottomUm, dose);
        frame.Metadata = new FrameMetadata
        {
            SequenceNumber = sequence,
            Timestamp = start,
            ExposureMs = exposure.TotalMilliseconds,
            Binning = Settings.Binning,
            PixelSizeUm = fov.PixelUm,
            StageXUm = sx,
            StageYUm = sy,
            StageZUm = z,
            Channel = channel?.Name,
        };
        if (truth) Session.GroundTruth.Publish(_truth);
    }

    public override Task MakeSafeAsync(CancellationToken ct)
    {
        Session.CountMakeSafe();
        var stop = Interlocked.Exchange(ref _streamStop, new CancellationTokenSource());
        stop.Cancel();
        stop.Dispose();
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        _synthesizer.Dispose();
        return base.DisposeAsync();
    }
}
