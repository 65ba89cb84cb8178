using LiveScope.Core.Imaging;
using LiveScope.Storage;
using LiveScope.Storage.OmeTiff;

namespace LiveScope.Replay.Tests;

/// <summary>One plane to record: which channel and slice it is, when it was taken, and its pixels.</summary>
internal sealed record RecordedPlane(int T, int C, int Z, double TimeMs, ushort[] Pixels);

/// <summary>Writes small OME-TIFF recordings with seeded random pixels into a temporary folder the test owns.</summary>
internal sealed class Recordings : IDisposable
{
    public const int Width = 64;
    public const int Height = 48;

    public Recordings() => Directory.CreateDirectory(Folder);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "livescope-replay-tests", Guid.NewGuid().ToString("N"));

    /// <summary>A single-channel time series with the given plane times (ms), pixels seeded by <paramref name="seed"/>.</summary>
    public (string Path, IReadOnlyList<RecordedPlane> Planes) TimeSeries(string name, double[] timesMs, int seed = 1,
        int width = Width, int height = Height) =>
        Write(name, timesMs.Select((t, i) => new RecordedPlane(i, 0, 0, t, RandomPixels(seed * 1000 + i, width * height))).ToList(),
            ["GFP"], width: width, height: height);

    public (string Path, IReadOnlyList<RecordedPlane> Planes) Write(string name, IReadOnlyList<RecordedPlane> planes,
        IReadOnlyList<string> channels, double? pixelSizeUm = 0.1625, int width = Width, int height = Height)
    {
        var path = Path.Combine(Folder, name + ".ome.tif");
        var pool = new FramePool();
        using (var writer = OmeTiffWriter.Create(path, new StackDescription
               {
                   ImageName = name, PositionName = name, ChannelNames = channels, PixelSizeUm = pixelSizeUm,
                   PlannedSizeT = planes.Max(p => p.T) + 1, PlannedSizeC = channels.Count, PlannedSizeZ = planes.Max(p => p.Z) + 1,
               }))
        {
            foreach (var p in planes)
            {
                using var frame = pool.Rent(width, height);
                p.Pixels.CopyTo(frame.Pixels);
                frame.Metadata = new FrameMetadata
                {
                    TimeIndex = p.T, ChannelIndex = p.C, ZIndex = p.Z, Channel = channels[p.C], ExposureMs = 20,
                    Timestamp = TimeSpan.FromMilliseconds(p.TimeMs), Binning = 1, PixelSizeUm = pixelSizeUm ?? 0,
                    StageXUm = 12.5, StageYUm = -3, StageZUm = 50 + p.Z,
                };
                writer.WritePlane(frame);
            }
        }
        return (path, planes);
    }

    public static ushort[] RandomPixels(int seed, int count = Width * Height)
    {
        var random = new Random(seed);
        var pixels = new ushort[count];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (ushort)random.Next(0, 65536);
        return pixels;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { /* a leftover temp folder is harmless */ }
    }
}
