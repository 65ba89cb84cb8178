using System.Security.Cryptography;
using System.Runtime.InteropServices;
using LiveScope.Core.Imaging;
using LiveScope.Storage;

namespace LiveScope.Storage.Tests;

/// <summary>Seeded synthetic planes and the metadata a run would give them.</summary>
internal static class TestStacks
{
    public static StackDescription Description(int t, int c, int z) => new()
    {
        ImageName = "run-1 position A1",
        PositionIndex = 3,
        PositionName = "A1",
        PlannedSizeT = t,
        PlannedSizeC = c,
        PlannedSizeZ = z,
        ChannelNames = Enumerable.Range(0, c).Select(i => i == 0 ? "GFP" : $"mCherry-{i}").ToList(),
        PixelSizeUm = 0.108,
        ZStepUm = z > 1 ? 0.5 : null,
        Description = "insulin-stimulation-timelapse",
        Labels = new Dictionary<string, string>
        {
            ["cell line"] = "HepG2 IR-GFP",
            ["condition"] = "insulin-resistant & metformin <2 mM>",
            ["operator"] = "Zoë, 37 \u00b0C, 0.1 \u00b5M", // non-ASCII goes through character references
        },
        AcquisitionStartUtc = new DateTimeOffset(2026, 11, 21, 16, 0, 0, TimeSpan.Zero),
    };

    /// <summary>Planes in acquisition order T → Z → C (channel fastest), matching XYCZT.</summary>
    public static IEnumerable<(int T, int C, int Z)> Order(int sizeT, int sizeC, int sizeZ)
    {
        for (int t = 0; t < sizeT; t++)
            for (int z = 0; z < sizeZ; z++)
                for (int c = 0; c < sizeC; c++)
                    yield return (t, c, z);
    }

    public static Frame Plane(FramePool pool, int width, int height, int seed, int t, int c, int z, int sequence)
    {
        var frame = pool.Rent(width, height);
        var random = new Random(seed * 7919 + sequence);
        var pixels = frame.Pixels;
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (ushort)random.Next(0, 65536);
        frame.Metadata = new FrameMetadata
        {
            SequenceNumber = sequence,
            Timestamp = TimeSpan.FromSeconds(t * 30.0 + c * 0.125 + z * 0.05) + TimeSpan.FromTicks(sequence),
            ExposureMs = c == 0 ? 50 : 120.5,
            Binning = 2,
            PixelSizeUm = 0.108,
            StageXUm = 1250.25,
            StageYUm = -310.5,
            StageZUm = 20 + z * 0.5,
            Channel = c == 0 ? "GFP" : $"mCherry-{c}",
            TimeIndex = t,
            ChannelIndex = c,
            ZIndex = z,
            PositionIndex = 3,
        };
        return frame;
    }

    public static string Sha256(ReadOnlySpan<ushort> pixels)
        => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(pixels)));

    /// <summary>Writes a stack to <paramref name="path"/> and returns each plane's hash keyed "t,c,z".</summary>
    public static Dictionary<string, string> WriteStack(string path, int width, int height, int sizeT, int sizeC, int sizeZ,
        OmeTiff.OmeTiffWriterOptions? options = null, int seed = 1)
    {
        var pool = new FramePool();
        var hashes = new Dictionary<string, string>();
        using var writer = OmeTiff.OmeTiffWriter.Create(path, Description(sizeT, sizeC, sizeZ), options);
        int sequence = 0;
        foreach (var (t, c, z) in Order(sizeT, sizeC, sizeZ))
        {
            using var frame = Plane(pool, width, height, seed, t, c, z, sequence++);
            hashes[$"{t},{c},{z}"] = Sha256(frame.Pixels);
            writer.WritePlane(frame);
        }
        return hashes;
    }
}

/// <summary>A temporary folder per test, removed afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "livescope-storage-" + Guid.NewGuid().ToString("N"));
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
