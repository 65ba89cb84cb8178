using System.ComponentModel;

namespace LiveScope.MicroManager.Backend;

/// <summary>A device to load after the .cfg (e.g. DGalvo under DHub, which the demo configuration lacks).</summary>
public sealed record MMExtraDevice
{
    public string Label { get; init; } = "";
    public string Library { get; init; } = "";
    public string Adapter { get; init; } = "";
    public string? Parent { get; init; }
}

/// <summary>The <c>backends.micromanager</c> settings of a device config.</summary>
public sealed record MicroManagerOptions
{
    [Description("Micro-Manager installation folder: MMCoreJ.jar, the MMCoreJ_wrap library and the device adapters")]
    public string Installation { get; init; } = "";

    [Description("Hardware configuration (.cfg) to load, relative to the device config; validated before loading")]
    public string? Config { get; init; }

    [Description("Java runtime folder (holding lib/server/libjvm.so or bin/server/jvm.dll); default: JAVA_HOME, /usr/lib/jvm/default-java, common locations")]
    public string? JavaHome { get; init; }

    [Description("MMCoreJ.jar when it is not in the installation folder or its plugins/Micro-Manager folder")]
    public string? MmcorejJar { get; init; }

    [Description("Core roles to set after loading, when the .cfg's are not enough: camera, shutter, focus, xy_stage, auto_focus, galvo, slm → device label")]
    public Dictionary<string, string> Roles { get; init; } = [];

    [Description("Devices to load after the .cfg: label, library, adapter, parent")]
    public List<MMExtraDevice> LoadDevices { get; init; } = [];

    [Description("Timeout of one MMCore call, seconds")]
    public double CallTimeoutS { get; init; } = 10;
}
