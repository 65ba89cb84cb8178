using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using LiveScope.Core.Imaging;
using LiveScope.Storage;
using LiveScope.Storage.OmeTiff;

namespace LiveScope.Benchmarks;

/// <summary>
/// OME-TIFF write throughput against a plain FileStream writing the same pixel bytes (target: ≥ 80 % of it), and
/// the writer alone into a counting sink (no disk), for 512² and 2048² planes. Each operation writes 256 MiB of
/// pixels, so MB/s = 256 MiB / mean (the sink row shows the writer's own CPU cost).
/// Both file rows end with one fsync. Run:
///   dotnet run -c Release --project bench/LiveScope.Benchmarks -- --filter '*StorageBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortRun))]
public class StorageBenchmarks
{
    /// <summary>In-process: on this shared 2-core machine BenchmarkDotNet's generated-project build times out.</summary>
    private sealed class InProcessShortRun : ManualConfig
    {
        public InProcessShortRun() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(8));
    }

    private const long BytesPerOperation = 256L << 20;
    private readonly FramePool _pool = new();
    private Frame _frame = null!;
    private string _folder = null!;
    private string _path = null!;
    private int _file;

    [Params(512, 2048)]
    public int Size { get; set; }

    private int Planes => (int)(BytesPerOperation / ((long)Size * Size * sizeof(ushort)));

    [GlobalSetup]
    public void Setup()
    {
        _frame = _pool.Rent(Size, Size);
        var random = new Random(17);
        var pixels = _frame.Pixels;
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (ushort)random.Next(100, 4000);
        _folder = Path.Combine(Path.GetTempPath(), "livescope-bench-storage-" + Environment.ProcessId);
        Directory.CreateDirectory(_folder);
    }

    [IterationSetup]
    public void NextFile() => _path = Path.Combine(_folder, $"f{_file++}.ome.tif");

    [IterationCleanup]
    public void DeleteFile()
    {
        foreach (var f in Directory.EnumerateFiles(_folder)) File.Delete(f);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _frame.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public long PlainFileStream()
    {
        using var stream = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(_frame.Pixels);
        for (int i = 0; i < Planes; i++) stream.Write(bytes);
        // Same durability as the OME-TIFF writer, which fsyncs once when it completes a file.
        stream.Flush(flushToDisk: true);
        return stream.Length;
    }

    [Benchmark]
    public long OmeTiffToFile()
    {
        using var writer = OmeTiffWriter.Create(_path, new StackDescription { PlannedSizeT = Planes, ChannelNames = ["GFP"] });
        WritePlanes(writer);
        writer.Complete();
        return writer.PlanesWritten;
    }

    [Benchmark]
    public long OmeTiffToCountingSink()
    {
        var sink = new CountingSinkStream();
        using var writer = new OmeTiffWriter(sink, new CountingSinkStream(),
            new StackDescription { PlannedSizeT = Planes, ChannelNames = ["GFP"] });
        WritePlanes(writer);
        writer.Complete();
        return sink.BytesWritten;
    }

    private void WritePlanes(OmeTiffWriter writer)
    {
        for (int t = 0; t < Planes; t++)
        {
            _frame.Metadata = new FrameMetadata { TimeIndex = t, ExposureMs = 10, PixelSizeUm = 0.1, Timestamp = TimeSpan.FromMilliseconds(10 * t) };
            writer.WritePlane(_frame);
        }
    }
}
