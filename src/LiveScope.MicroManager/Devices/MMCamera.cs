using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LiveScope.Core.Devices;
using LiveScope.Core.Imaging;
using LiveScope.MicroManager.Core;

namespace LiveScope.MicroManager.Devices;

/// <summary>Camera settings from the device config.</summary>
public sealed record MMCameraOptions
{
    /// <summary>Micro-Manager pixel type to set at start ("16bit", "8bit"); null leaves the camera's own.</summary>
    public string? PixelType { get; init; }
    /// <summary>Unbinned pixel size at the sample, µm, when no pixel-size preset of the .cfg matches.</summary>
    public double PixelSizeUm { get; init; } = 1.0;
    /// <summary>Frames the stream keeps between the camera and the consumer before back-pressure.</summary>
    public int StreamQueueFrames { get; init; } = 4;
}

/// <summary>
/// A Micro-Manager camera through MMCore: snapImage + getImage, and sequence acquisition with popNextImage into
/// pooled frames on a thread that stays attached to the JVM for the whole sequence (no per-frame attach, no
/// per-frame allocation: image format, method IDs and the label string are fixed before the first frame).
/// </summary>
public sealed class MMCamera : MMDevice, ICamera
{
    private readonly FramePool _pool;
    private readonly MMCameraOptions _options;
    private CameraSettings _settings;
    private long _sequence;
    private volatile bool _streaming;

    public MMCamera(string name, string label, MMCore core, TimeSpan callTimeout, FramePool pool, MMCameraOptions options)
        : base(name, label, core, callTimeout)
    {
        _pool = pool;
        _options = options;
        MakeCurrent();
        if (options.PixelType is { } pixelType) core.SetProperty(label, "PixelType", pixelType);
        int binning = ReadBinning();
        core.ClearROI();
        var format = core.GetImageFormat();
        SensorWidth = format.Width * binning;
        SensorHeight = format.Height * binning;
        BitDepth = format.BitDepth;
        _settings = new CameraSettings { ExposureMs = core.GetExposure(label), Binning = binning, Roi = null };
    }

    public override DeviceKind Kind => DeviceKind.Camera;
    public int SensorWidth { get; }
    public int SensorHeight { get; }
    public int BitDepth { get; private set; }
    public CameraSettings Settings => _settings;

    /// <summary>From the .cfg's pixel-size presets (MMCore reports it binned), else the configured value.</summary>
    public double PixelSizeUm
    {
        get
        {
            double binned = Core.GetPixelSizeUm();
            return binned > 0 ? binned / Math.Max(1, _settings.Binning) : _options.PixelSizeUm;
        }
    }

    /// <summary>MMCore snaps and streams with its current camera; make it this one.</summary>
    private void MakeCurrent()
    {
        if (Core.GetRoleDevice(CoreRole.Camera) != Label) Core.SetRoleDevice(CoreRole.Camera, Label);
    }

    private int ReadBinning()
    {
        var text = Core.HasProperty(Label, "Binning") ? Core.GetProperty(Label, "Binning") : "1";
        // Some adapters report binning as "2x2".
        var first = text.Split('x', 'X')[0];
        return int.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out var b) && b > 0 ? b : 1;
    }

    public Task ApplyAsync(CameraSettings settings, CancellationToken ct)
    {
        if (_streaming) throw new DeviceLimitException(Name, "apply settings", "cannot change settings while streaming");
        if (!(settings.ExposureMs > 0)) throw new DeviceLimitException(Name, "apply settings", $"exposure {settings.ExposureMs} ms must be positive");
        if (settings.Binning < 1) throw new DeviceLimitException(Name, "apply settings", $"binning {settings.Binning} must be at least 1");
        if (settings.Roi is { } r && (r.X < 0 || r.Y < 0 || r.Width <= 0 || r.Height <= 0 || r.X + r.Width > SensorWidth || r.Y + r.Height > SensorHeight))
            throw new DeviceLimitException(Name, "apply settings", $"ROI {r} does not fit the {SensorWidth}×{SensorHeight} sensor");
        return RunAsync("apply settings", () =>
        {
            MakeCurrent();
            if (Core.HasProperty(Label, "MaximumExposureMs")
                && double.TryParse(Core.GetProperty(Label, "MaximumExposureMs"), NumberStyles.Float, CultureInfo.InvariantCulture, out var max)
                && settings.ExposureMs > max)
                throw new DeviceLimitException(Name, "apply settings", $"exposure {settings.ExposureMs} ms exceeds the camera's maximum {max} ms");
            if (settings.Binning != ReadBinning())
            {
                var allowed = Core.GetAllowedPropertyValues(Label, "Binning");
                var value = allowed.FirstOrDefault(a => a == settings.Binning.ToString(CultureInfo.InvariantCulture)
                                                         || a.StartsWith(settings.Binning.ToString(CultureInfo.InvariantCulture) + "x", StringComparison.Ordinal))
                    ?? throw new DeviceLimitException(Name, "apply settings", $"binning {settings.Binning} is not offered; allowed: {string.Join(", ", allowed)}");
                Core.SetProperty(Label, "Binning", value);
            }
            Core.SetExposure(Label, settings.ExposureMs);
            if (settings.Roi is { } roi)
            {
                int b = settings.Binning;
                Core.SetROI(Label, roi.X / b, roi.Y / b, Math.Max(1, roi.Width / b), Math.Max(1, roi.Height / b));
            }
            else
            {
                Core.ClearROI();
            }
            BitDepth = Core.GetImageFormat().BitDepth;
            _settings = settings;
        }, ct);
    }

    private MMImageFormat CheckedFormat()
    {
        var format = Core.GetImageFormat();
        if (format.BytesPerPixel is not (1 or 2))
            throw new MicroManagerException(Label, "image format",
                $"{format.BytesPerPixel} bytes per pixel is not monochrome 8/16-bit; set the camera's PixelType", "pixel type");
        return format;
    }

    private FrameMetadata Metadata(TimeSpan timestamp, double unbinnedPixelSizeUm) => new()
    {
        SequenceNumber = Interlocked.Increment(ref _sequence),
        Timestamp = timestamp,
        ExposureMs = _settings.ExposureMs,
        Binning = _settings.Binning,
        PixelSizeUm = unbinnedPixelSizeUm * _settings.Binning,
    };

    public Task<Frame> SnapAsync(CancellationToken ct)
    {
        if (_streaming) throw new DeviceLimitException(Name, "snap", "the camera is streaming");
        return RunAsync("snap", () =>
        {
            MakeCurrent();
            var start = Clock.Now;
            Core.SnapImage();
            var format = CheckedFormat();
            var frame = _pool.Rent(format.Width, format.Height);
            try
            {
                Core.GetImageInto(Label, frame);
                frame.Metadata = Metadata(start, PixelSizeUm);
                return frame;
            }
            catch
            {
                frame.Dispose();
                throw;
            }
        }, ct, CallTimeout + TimeSpan.FromMilliseconds(_settings.ExposureMs));
    }

    public async IAsyncEnumerable<Frame> StreamAsync(int frameCount, [EnumeratorCancellation] CancellationToken ct)
    {
        if (frameCount < 0) throw new ArgumentOutOfRangeException(nameof(frameCount), "frame count must be 0 (until cancelled) or positive");
        if (_streaming) throw new DeviceLimitException(Name, "stream", "the camera is already streaming");
        _streaming = true;
        var frames = Channel.CreateBounded<Frame>(new BoundedChannelOptions(Math.Max(1, _options.StreamQueueFrames))
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pump = new SequencePump(this, frameCount, frames.Writer, stop.Token);
        try
        {
            pump.Start();
            await foreach (var frame in frames.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                // Frames already queued would still be read after a cancel; a cancelled stream yields no more.
                if (ct.IsCancellationRequested)
                {
                    frame.Dispose();
                    ct.ThrowIfCancellationRequested();
                }
                yield return frame;
            }
        }
        finally
        {
            stop.Cancel();
            // Bounded: an adapter stuck in popNextImage or stopSequenceAcquisition must not hang the cleanup after it.
            bool stopped = await Task.WhenAny(pump.Completion, Task.Delay(CallTimeout)).ConfigureAwait(false) == pump.Completion;
            while (frames.Reader.TryRead(out var left)) left.Dispose();
            _streaming = false;
            if (!stopped) throw new DeviceTimeoutException(Name, "stop sequence acquisition", CallTimeout);
            await pump.Completion.ConfigureAwait(false); // surfaces an error the pump ended with
        }
    }

    internal FramePool Pool => _pool;
    internal FrameMetadata NextMetadata(TimeSpan timestamp, double unbinnedPixelSizeUm) => Metadata(timestamp, unbinnedPixelSizeUm);
    internal MMImageFormat FormatForSequence()
    {
        MakeCurrent();
        return CheckedFormat();
    }

    public override Task MakeSafeAsync(CancellationToken ct) =>
        RunAsync("stop streaming", () =>
        {
            if (Core.IsSequenceRunning(Label)) Core.StopSequenceAcquisition(Label);
        }, ct);
}
