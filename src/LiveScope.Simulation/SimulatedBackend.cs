using LiveScope.Core.Config;
using LiveScope.Core.Hardware;
using LiveScope.Simulation.Options;

namespace LiveScope.Simulation;

/// <summary>
/// The "simulated" device backend: a virtual IR-GFP sample behind a camera, stages, FRAP photo-targeter, light source,
/// shutter, liquid handler and autofocus, all on a simulated clock. Register it with
/// <c>registry.Register(new SimulatedBackend())</c>; device configs then use <c>backend: simulated</c>.
/// </summary>
public sealed class SimulatedBackend : IDeviceBackend
{
    public const string BackendName = "simulated";

    public string Name => BackendName;
    public string Description => "simulated microscope with a virtual IR-GFP sample, ground truth and a simulated clock";

    public IBackendSession Open(BackendContext context, ConfigNode? settings) =>
        new SimulatedSession(ConfigBinder.Bind<SimulationOptions>(settings), context);
}
