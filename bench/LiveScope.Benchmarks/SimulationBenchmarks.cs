using BenchmarkDotNet.Attributes;
using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;
using LiveScope.Core.Imaging;
using LiveScope.Simulation;
using LiveScope.Simulation.Devices;
using LiveScope.Simulation.Options;
using LiveScope.Simulation.Rendering;
using LiveScope.Simulation.Sample;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.Benchmarks;

/// <summary>
/// Rendering simulated frames. The target: one 2048×2048 frame with about 200 clusters in view in ≤ 15 ms on a
/// 2-core machine, 0 bytes allocated per frame in steady state. Births are scaled down from the defaults so that the
/// 333 µm field of view holds about 200 clusters (printed at setup); the cached cell layout is built in setup, as it
/// would be after the first frame at a stage position.
///   dotnet run -c Release --project bench/LiveScope.Benchmarks -- --filter '*SimulationBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class SimulationBenchmarks
{
    private VirtualSample _sample = null!;
    private FrameSynthesizer _synthesizer = null!;
    private ushort[] _buffer = [];
    private ExposureRequest _request;
    private long _sequence;
    private SimulatedSession _session = null!;
    private SimulatedCamera _camera = null!;

    [Params(2048, 512)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new SimulationOptions
        {
            Seed = 1,
            GroundTruth = false,
            Clusters = new ClusterOptions { MembraneBirthsPerMin = 0.17, CytoplasmBirthsPerMin = 0.11, NucleusBirthsPerMin = 0.06 },
        };
        _sample = new VirtualSample(options);
        _synthesizer = new FrameSynthesizer(options, Math.Max(0, Environment.ProcessorCount - 1), bandRows: 32);
        const double pixelUm = 0.1625;
        var fov = new FieldOfView(-Size * pixelUm / 2, -Size * pixelUm / 2, pixelUm, Size, Size);
        _buffer = new ushort[Size * Size];
        _request = new ExposureRequest(fov, 0, 0.05, 0.5, 1.0, NoiseParameters.From(options.CameraNoise, 16), 1, 0);
        RenderFrame();
        Console.WriteLine($"// {Size}×{Size}: {_synthesizer.LastClusterCount} clusters in view");

        _session = new SimulatedSession(new SimulationOptions { Seed = 1, GroundTruth = false },
            new BackendContext("bench.yaml", new FramePool(), NullLoggerFactory.Instance));
        _camera = (SimulatedCamera)_session.CreateDevice("Camera", DeviceKind.Camera,
            LiveScope.Core.Config.ConfigNode.Parse($"sensor_width: {Size}\nsensor_height: {Size}", "bench.yaml"));
        _camera.SnapAsync(CancellationToken.None).GetAwaiter().GetResult().Dispose();
    }

    /// <summary>Background layout × pool intensities, cluster kernels, shot/read noise, digitisation.</summary>
    [Benchmark]
    public void RenderFrame()
    {
        var request = _request with { SequenceNumber = _sequence++ };
        _synthesizer.Render(_buffer, _sample, request, ReadOnlySpan<SpotKernel>.Empty, null);
    }

    /// <summary>A whole camera snap with default settings: physics catch-up of the cells in view, render, bleach, clock.</summary>
    [Benchmark]
    public void SnapWithDefaults()
    {
        using var frame = _camera.SnapAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _synthesizer.Dispose();
        _session.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
