using BenchmarkDotNet.Attributes;
using LiveScope.Acquisition.Protocols;
using LiveScope.Core.Hardware;

namespace LiveScope.Benchmarks;

/// <summary>
/// How long loading and validating a protocol takes (what `livescope validate` and every `run` pay before anything
/// moves): the shipped FRAP protocol and the useq example, read from text so disk speed does not enter.
/// </summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private string _native = "";
    private string _useqJson = "";
    private LoadedProtocol _loaded = null!;
    private readonly RigCapabilities _rig = new()
    {
        Limits = new MicroscopeLimits(),
        HasPhotoTargeter = true,
        HasLiquidHandler = true,
        HasAutofocus = true,
        Reagents = ["insulin", "metformin", "h2o2"],
        ChannelPresets = ["GFP", "mCherry"],
        XLimitsUm = new(-5000, 5000),
        YLimitsUm = new(-5000, 5000),
        ZLimitsUm = new(0, 100),
        XYSettleMs = 50,
        FocusSettleMs = 20,
        PixelSizeUm = 0.1625,
    };

    [GlobalSetup]
    public void Setup()
    {
        var dir = LiveScope.Testing.RepoRoot.Path;
        _native = File.ReadAllText(Path.Combine(dir, "protocols", "frap-clusters.yaml"));
        _useqJson = File.ReadAllText(Path.Combine(dir, "protocols", "useq-example.json"));
        _loaded = new ProtocolLoader(_rig).Parse(_native, "frap-clusters.yaml");
    }

    [Benchmark]
    public Protocol LoadNativeYaml() => new ProtocolLoader(_rig).Parse(_native, "frap-clusters.yaml").Protocol;

    [Benchmark]
    public Protocol LoadUseqJson() => new ProtocolLoader(_rig).Parse(_useqJson, "useq-example.json").Protocol;

    [Benchmark]
    public int Validate() => new ProtocolValidator(_rig).Validate(_loaded).Count;
}
