using LiveScope.Core.Hardware;
using LiveScope.MicroManager.Backend;
using LiveScope.MicroManager.Core;
using LiveScope.MicroManager.Devices;

namespace LiveScope.MicroManager.Tests;

/// <summary>Opens device-configs/micromanager-demo.yaml against the stand-in installation.</summary>
internal static class DemoRig
{
    public static DeviceBackendRegistry Registry() => new DeviceBackendRegistry().Register(new MicroManagerBackend());

    public static Task<Microscope> OpenAsync(StandInInstallation install, params (string Key, string Value)[] overrides) =>
        new MicroscopeLoader(Registry()).LoadAsync(StandInInstallation.DemoDeviceConfig,
            [new("backends.micromanager.installation", install.Folder), .. overrides.Select(o => new KeyValuePair<string, string>(o.Key, o.Value))]);

    /// <summary>The MMCore behind the microscope's devices.</summary>
    public static MMCore Core(Microscope microscope) => ((MMDevice)microscope.Camera).Core;
}
