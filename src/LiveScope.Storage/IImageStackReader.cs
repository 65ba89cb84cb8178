using LiveScope.Core.Imaging;

namespace LiveScope.Storage;

/// <summary>Reads planes of a stack in file order, each as a pooled <see cref="Frame"/> the caller disposes.</summary>
public interface IImageStackReader : IDisposable
{
    StackDescription Description { get; }
    int Width { get; }
    int Height { get; }
    int SizeT { get; }
    int SizeC { get; }
    int SizeZ { get; }
    /// <summary>Metadata of every plane, in file order.</summary>
    IReadOnlyList<FrameMetadata> Planes { get; }

    Frame ReadPlane(int index, FramePool pool);
    IAsyncEnumerable<Frame> ReadAllAsync(FramePool pool, CancellationToken ct);
}
