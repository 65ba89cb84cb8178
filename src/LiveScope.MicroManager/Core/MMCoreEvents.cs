namespace LiveScope.MicroManager.Core;

public sealed record PropertyChangedEvent(string Device, string Property, string Value);
public sealed record StagePositionChangedEvent(string Device, double PositionUm);
public sealed record XYStagePositionChangedEvent(string Device, double XUm, double YUm);
public sealed record ExposureChangedEvent(string Device, double ExposureMs);
public sealed record ConfigGroupChangedEvent(string Group, string Preset);
public sealed record ShutterOpenChangedEvent(string Device, bool IsOpen);
public sealed record PixelSizeChangedEvent(double PixelSizeUm);
public sealed record CameraEvent(string Camera);

/// <summary>
/// MMCore's notifications as .NET events. They arrive on MMCore's notification thread (a Java thread): handlers
/// must be quick and must not call back into MMCore's callback registration. A handler that throws is logged and
/// ignored — an exception must never travel back into Java through the native callback.
/// </summary>
public sealed class MMCoreEvents
{
    public event EventHandler<PropertyChangedEvent>? PropertyChanged;
    public event EventHandler<StagePositionChangedEvent>? StagePositionChanged;
    public event EventHandler<XYStagePositionChangedEvent>? XYStagePositionChanged;
    public event EventHandler<ExposureChangedEvent>? ExposureChanged;
    public event EventHandler<ConfigGroupChangedEvent>? ConfigGroupChanged;
    public event EventHandler<ShutterOpenChangedEvent>? ShutterOpenChanged;
    public event EventHandler<PixelSizeChangedEvent>? PixelSizeChanged;
    public event EventHandler? PropertiesChanged;
    public event EventHandler? SystemConfigurationLoaded;
    public event EventHandler<CameraEvent>? ImageSnapped;
    public event EventHandler<CameraEvent>? SequenceAcquisitionStarted;
    public event EventHandler<CameraEvent>? SequenceAcquisitionStopped;

    /// <summary>Raised when a handler throws (the exception is otherwise swallowed at the native boundary).</summary>
    public event EventHandler<Exception>? HandlerFailed;

    internal void Raise(CoreEventKind kind, string? a, string? b, string? c, double x, double y)
    {
        try
        {
            switch (kind)
            {
                case CoreEventKind.PropertiesChanged: PropertiesChanged?.Invoke(this, EventArgs.Empty); break;
                case CoreEventKind.PropertyChanged: PropertyChanged?.Invoke(this, new(a ?? "", b ?? "", c ?? "")); break;
                case CoreEventKind.ConfigGroupChanged: ConfigGroupChanged?.Invoke(this, new(a ?? "", b ?? "")); break;
                case CoreEventKind.SystemConfigurationLoaded: SystemConfigurationLoaded?.Invoke(this, EventArgs.Empty); break;
                case CoreEventKind.PixelSizeChanged: PixelSizeChanged?.Invoke(this, new(x)); break;
                case CoreEventKind.StagePositionChanged: StagePositionChanged?.Invoke(this, new(a ?? "", x)); break;
                case CoreEventKind.XYStagePositionChanged: XYStagePositionChanged?.Invoke(this, new(a ?? "", x, y)); break;
                case CoreEventKind.ExposureChanged: ExposureChanged?.Invoke(this, new(a ?? "", x)); break;
                case CoreEventKind.ShutterOpenChanged: ShutterOpenChanged?.Invoke(this, new(a ?? "", x != 0)); break;
                case CoreEventKind.ImageSnapped: ImageSnapped?.Invoke(this, new(a ?? "")); break;
                case CoreEventKind.SequenceAcquisitionStarted: SequenceAcquisitionStarted?.Invoke(this, new(a ?? "")); break;
                case CoreEventKind.SequenceAcquisitionStopped: SequenceAcquisitionStopped?.Invoke(this, new(a ?? "")); break;
            }
        }
        catch (Exception e)
        {
            try { HandlerFailed?.Invoke(this, e); } catch { /* nothing may escape into Java */ }
        }
    }
}

/// <summary>The MMEventCallback methods the bridge overrides; the number is passed from Java to .NET.</summary>
internal enum CoreEventKind
{
    PropertiesChanged,
    PropertyChanged,
    ChannelGroupChanged,
    ConfigGroupChanged,
    SystemConfigurationLoaded,
    PixelSizeChanged,
    PixelSizeAffineChanged,
    StagePositionChanged,
    XYStagePositionChanged,
    ExposureChanged,
    ShutterOpenChanged,
    SLMExposureChanged,
    ImageSnapped,
    SequenceAcquisitionStarted,
    SequenceAcquisitionStopped,
}
