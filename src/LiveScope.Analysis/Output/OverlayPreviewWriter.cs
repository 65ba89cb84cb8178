using LiveScope.Analysis.Cells;
using LiveScope.Analysis.Detection;

namespace LiveScope.Analysis.Output;

/// <summary>
/// Writes overlay previews (<see cref="OverlayRenderer"/>) as PNG files, keeping its buffers from one preview to the
/// next: at 2048² a preview needs a 12 MB image and megabytes of compressed data, large-object arrays that only a
/// full (generation-2) collection reclaims — and a collection in the middle of a run stops every thread, the
/// adaptive decisions' included. Not thread-safe: one per analysis pipeline.
/// </summary>
public sealed class OverlayPreviewWriter
{
    private byte[] _rgb = [];
    private readonly int[] _histogram = new int[65536];
    private readonly MemoryStream _compressed = new();

    public void Write(string path, ReadOnlySpan<ushort> pixels, int width, int height, ReadOnlySpan<Cluster> clusters,
        double circleRadiusPx, CellMasks? cells = null)
    {
        if (_rgb.Length < width * height * 3) _rgb = new byte[width * height * 3];
        OverlayRenderer.Render(pixels, width, height, clusters, circleRadiusPx, cells, _rgb, _histogram);
        using var file = File.Create(path);
        PngWriter.WriteRgb(file, _rgb, width, height, _compressed);
    }
}
