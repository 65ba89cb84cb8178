using LiveScope.Core.Imaging;

namespace LiveScope.Storage;

/// <summary>
/// Writes 16-bit planes of one stack as they arrive. <see cref="WritePlane"/> copies what it needs before returning:
/// the caller keeps ownership of the frame and may dispose it right after. Not thread-safe: one writer per consumer.
/// </summary>
public interface IImageStackWriter : IDisposable
{
    /// <summary>Appends one plane; its T/C/Z indices, time, exposure and stage position come from the frame's metadata.</summary>
    void WritePlane(Frame frame);

    /// <summary>Makes the file complete and self-describing. Dispose calls it too; calling it twice is harmless.</summary>
    void Complete();

    int PlanesWritten { get; }
}
