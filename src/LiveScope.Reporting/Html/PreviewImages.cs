using System.Globalization;
using LiveScope.Analysis.Detection;
using LiveScope.Analysis.Output;
using LiveScope.Core.Imaging;
using LiveScope.Reporting.Data;
using LiveScope.Storage.OmeTiff;
using LiveScope.Storage.Run;

namespace LiveScope.Reporting.Html;

/// <summary>An example frame with its clusters marked, as a PNG data: URI (the page stays one offline file).</summary>
internal sealed record PreviewImage(int Frame, string Caption, string DataUri);

/// <summary>
/// Example frames for a series: the first, one after insulin and the last. The analysis writes preview PNGs only
/// every N frames; a wanted frame without one is drawn here from the series' OME-TIFF and its clusters.csv with the
/// analysis' own overlay renderer (downscaled when large), and failing that the nearest preview stands in.
/// </summary>
internal static class PreviewImages
{
    /// <summary>Frames wider than this are binned down so the page stays a few MB at most.</summary>
    private const int MaxWidthPx = 512;
    private const long MaxPreviewBytes = 1_500_000;

    /// <summary>First frame, the first at least 5 min after insulin (else the first after it), last frame.</summary>
    public static IReadOnlyList<int> Pick(RunData run, SeriesFrames series)
    {
        if (series.Frames.Count == 0) return [];
        var wanted = new List<int> { series.Frames[0].Frame };
        if (run.InsulinTimeS is { } insulin)
        {
            var after = series.Frames.FirstOrDefault(f => f.TimeS >= insulin + 300, series.Frames.FirstOrDefault(f => f.TimeS >= insulin));
            if (after.TimeS >= insulin) wanted.Add(after.Frame);
        }
        wanted.Add(series.Frames[^1].Frame);
        return wanted.Distinct().ToList();
    }

    public static IReadOnlyList<PreviewImage> For(RunData run, SeriesFrames series, IReadOnlyList<int> frames)
    {
        string folder = Path.Combine(run.MeasurementsFolder, series.Name);
        var existing = Directory.Exists(folder)
            ? Directory.GetFiles(folder, "preview_*.png").Select(p => (Frame: FrameOf(p), Path: p)).Where(p => p.Frame >= 0).ToList()
            : [];
        var images = new List<PreviewImage>();
        Lazy<ILookup<int, Cluster>> clusters = new(() => ReadClusters(Path.Combine(folder, "clusters.csv")));
        foreach (int frame in frames)
        {
            string? exact = existing.FirstOrDefault(p => p.Frame == frame).Path;
            // The analysis' own preview has the cell outlines; a full-size one of a large camera is redrawn binned.
            byte[]? png = exact is not null && new FileInfo(exact).Length <= MaxPreviewBytes ? File.ReadAllBytes(exact) : null;
            int shown = frame;
            png ??= TryRender(run, series, frame, clusters);
            png ??= exact is not null ? File.ReadAllBytes(exact) : null;
            if (png is null && existing.Count > 0)
            {
                var nearest = existing.MinBy(p => Math.Abs(p.Frame - frame));
                if (images.Any(i => i.Frame == nearest.Frame)) continue;
                png = File.ReadAllBytes(nearest.Path);
                shown = nearest.Frame;
            }
            if (png is null) continue;
            var point = series.Frames.FirstOrDefault(f => f.Frame == shown);
            string when = double.IsFinite(point.TimeS) && series.Frames.Any(f => f.Frame == shown)
                ? string.Create(CultureInfo.InvariantCulture, $", {run.Minutes(point.TimeS):+0.0;-0.0;0.0} min{(run.InsulinTimeS is null ? "" : " from insulin")}, {point.Clusters:0} clusters")
                : "";
            images.Add(new PreviewImage(shown, $"{series.Name} frame {shown}{when}", "data:image/png;base64," + Convert.ToBase64String(png)));
        }
        return images;
    }

    private static int FrameOf(string path)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        return int.TryParse(stem.AsSpan("preview_".Length), NumberStyles.None, CultureInfo.InvariantCulture, out int f) ? f : -1;
    }

    /// <summary>The frame's plane from the OME-TIFF (frame index = plane index when every plane was analysed).</summary>
    private static byte[]? TryRender(RunData run, SeriesFrames series, int frame, Lazy<ILookup<int, Cluster>> clusters)
    {
        string tif = Path.Combine(run.Folder, series.Name + RunFolder.ImageExtension);
        if (!File.Exists(tif)) return null;
        try
        {
            using var reader = OmeTiffReader.Open(tif);
            if (reader.Planes.Count != series.Frames.Count || frame < 0 || frame >= reader.Planes.Count) return null;
            using var plane = reader.ReadPlane(frame, new FramePool(1));
            int bin = (plane.Width + MaxWidthPx - 1) / MaxWidthPx;
            var (pixels, w, h) = Bin(plane, bin);
            var marks = clusters.Value[frame].Select(c => c with { X = c.X / bin, Y = c.Y / bin }).ToArray();
            double radius = marks.Length == 0 ? 3 : Math.Max(3, marks.Select(c => Math.Sqrt(c.AreaPx / Math.PI)).Order().ElementAt(marks.Length / 2) * 1.5 / bin);
            var rgb = OverlayRenderer.Render(pixels, w, h, marks, radius);
            using var png = new MemoryStream();
            PngWriter.WriteRgb(png, rgb, w, h);
            return png.ToArray();
        }
        catch (Exception e) when (e is not OutOfMemoryException) // a damaged image is a missing example, not a failed report
        {
            run.Problems.Add($"{Path.GetFileName(tif)}: frame {frame} could not be drawn ({e.Message})");
            return null;
        }
    }

    private static (ushort[] Pixels, int Width, int Height) Bin(Frame frame, int bin)
    {
        if (bin <= 1) return (frame.Pixels.ToArray(), frame.Width, frame.Height);
        int w = frame.Width / bin, h = frame.Height / bin;
        var binned = new ushort[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                long sum = 0;
                for (int dy = 0; dy < bin; dy++)
                    for (int dx = 0; dx < bin; dx++) sum += frame[x * bin + dx, y * bin + dy];
                binned[y * w + x] = (ushort)(sum / (bin * bin));
            }
        return (binned, w, h);
    }

    private static ILookup<int, Cluster> ReadClusters(string path)
    {
        if (!File.Exists(path)) return Array.Empty<(int, Cluster)>().ToLookup(c => c.Item1, c => c.Item2);
        var t = CsvTable.Read(path);
        return t.Rows.ToLookup(r => (int)t.Number(r, "frame"),
            r => new Cluster((float)t.Number(r, "x_px"), (float)t.Number(r, "y_px"), 0, 0, 0, 0, (int)t.Number(r, "area_px"), 1));
    }
}
