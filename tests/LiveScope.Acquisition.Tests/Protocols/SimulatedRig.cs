using LiveScope.Acquisition.Protocols;
using LiveScope.Core.Hardware;
using LiveScope.Simulation;

namespace LiveScope.Acquisition.Tests.Protocols;

/// <summary>
/// The simulated microscope's capabilities, read the way the CLI reads them: device-configs/simulated.yaml opened
/// through Core's MicroscopeLoader with the simulated backend. Until that file exists, an equivalent config
/// (every simulated device, default settings) is used, so the shipped protocols are always checked against a real
/// opened microscope.
/// </summary>
public static class SimulatedRig
{
    private const string FallbackConfig = """
        name: simulated
        backends:
          simulated: { seed: 42 }
        devices:
          - { name: Camera, backend: simulated, kind: camera }
          - { name: XY, backend: simulated, kind: xy_stage }
          - { name: Z, backend: simulated, kind: focus_stage }
          - { name: FRAP, backend: simulated, kind: photo_targeter }
          - { name: Light, backend: simulated, kind: light_source }
          - { name: Shutter, backend: simulated, kind: shutter }
          - { name: Pump, backend: simulated, kind: liquid_handler }
          - { name: AF, backend: simulated, kind: autofocus }
        roles:
          camera: Camera
          xy_stage: XY
          focus: Z
          photo_targeter: FRAP
          light_source: Light
          shutter: Shutter
          liquid_handler: Pump
          autofocus: AF
        """;

    private static readonly Lazy<RigCapabilities> Loaded = new(() => LoadAsync().GetAwaiter().GetResult());

    public static RigCapabilities Capabilities => Loaded.Value;

    public static string ConfigFile => Path.Combine(Repo.Root, "device-configs", "simulated.yaml");

    private static async Task<RigCapabilities> LoadAsync()
    {
        var file = ConfigFile;
        if (!File.Exists(file))
        {
            file = Path.Combine(Path.GetTempPath(), $"livescope-protocol-tests-{Environment.ProcessId}.yaml");
            await File.WriteAllTextAsync(file, FallbackConfig);
        }
        var loader = new MicroscopeLoader(new DeviceBackendRegistry().Register(new SimulatedBackend()));
        // Capabilities do not depend on the virtual sample: skip its burn-in and keep it small so loading is quick.
        KeyValuePair<string, string>[] quick =
        [
            new("backends.simulated.sample.burn_in_s", "0"),
            new("backends.simulated.sample.width_um", "60"),
            new("backends.simulated.sample.height_um", "60"),
        ];
        await using var microscope = await loader.LoadAsync(file, quick);
        return RigCapabilities.From(microscope);
    }
}

/// <summary>Finds the repository root (the folder holding LiveScope.sln) from the test's output folder.</summary>
public static class Repo
{
    public static string Root => LiveScope.Testing.RepoRoot.Path;

    public static string Protocols => Path.Combine(Root, "protocols");
}
