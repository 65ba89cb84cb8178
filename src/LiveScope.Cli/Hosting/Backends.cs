using LiveScope.Core.Hardware;
using LiveScope.MicroManager.Backend;
using LiveScope.Simulation;

namespace LiveScope.Cli.Hosting;

/// <summary>The device backends this build of the command knows, by the names device configs use.</summary>
public static class Backends
{
    public static DeviceBackendRegistry Create() => new DeviceBackendRegistry()
        .Register(new SimulatedBackend())
        .Register(new MicroManagerBackend())
        .Register(new LiveScope.Replay.ReplayBackend());
}
