namespace LiveScope.Core.Devices;

/// <summary>What a device is, in the words a microscopist uses; device configs name these.</summary>
public enum DeviceKind
{
    Camera,
    XYStage,
    FocusStage,
    PhotoTargeter,
    LightSource,
    Shutter,
    LiquidHandler,
    Autofocus,
}

/// <summary>
/// Every device LiveScope drives. A device can always be made safe: whatever state a run leaves it in,
/// <see cref="MakeSafeAsync"/> turns lasers off, closes shutters, stops pumps and stops streaming.
/// It must be callable at any time, repeatedly, and after a failed call.
/// </summary>
public interface IDevice : IAsyncDisposable
{
    string Name { get; }
    DeviceKind Kind { get; }
    Task MakeSafeAsync(CancellationToken ct);
}
