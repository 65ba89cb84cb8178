using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LiveScope.Core.Devices;

namespace LiveScope.MicroManager.Cfg;

/// <summary>
/// A parsed Micro-Manager hardware configuration (.cfg): what it loads, the Core roles, the configuration groups
/// (channels), the pixel-size presets, and every problem found with its line number. Built by <see cref="MMConfigParser"/>.
/// </summary>
public sealed partial class MMConfigFile
{
    internal MMConfigFile(string file, int lineCount)
    {
        File = file;
        LineCount = lineCount;
    }

    public string File { get; }
    public int LineCount { get; }
    public List<MMCfgDevice> Devices { get; } = [];
    public List<MMCfgProperty> Properties { get; } = [];
    /// <summary>Child label → parent (hub) label.</summary>
    public Dictionary<string, string> Parents { get; } = [];
    public List<MMCfgStateLabel> StateLabels { get; } = [];
    public List<MMCfgGroup> Groups { get; } = [];
    public List<MMCfgPixelSize> PixelSizes { get; } = [];
    public Dictionary<string, int> FocusDirections { get; } = [];
    public Dictionary<string, double> DelaysMs { get; } = [];
    /// <summary>Core properties set by the file: Camera, Shutter, Focus, XYStage, AutoFocus, Galvo, AutoShutter, ChannelGroup…</summary>
    public Dictionary<string, string> CoreProperties { get; } = [];
    public List<MMCfgProblem> Problems { get; } = [];

    public bool IsValid => Problems.Count == 0;

    public void ThrowIfInvalid()
    {
        if (!IsValid) throw new MMConfigInvalidException(Problems);
    }

    public MMCfgDevice? Device(string label) => Devices.FirstOrDefault(d => d.Label == label);
    public MMCfgGroup? Group(string name) => Groups.FirstOrDefault(g => g.Name == name);

    /// <summary>The channel group: Core's ChannelGroup (directly or set by the System/Startup preset), else "Channel".</summary>
    public string? ChannelGroupName
    {
        get
        {
            if (CoreProperties.TryGetValue("ChannelGroup", out var g) && g.Length > 0) return g;
            var startup = Group("System")?.Presets.FirstOrDefault(p => p.Name == "Startup");
            var set = startup?.Settings.FirstOrDefault(s => s.Device == "Core" && s.Property == "ChannelGroup");
            if (set is not null) return set.Value;
            return Group("Channel") is not null ? "Channel" : null;
        }
    }

    /// <summary>
    /// The presets of a group as LiveScope channels. Excitation comes from the hardware the preset selects: a
    /// label like "470nm", else the number in an excitation filter's name (Chroma-HQ480 → 480), else the usual
    /// line for a dye name (DAPI 405, FITC/GFP 488, Rhodamine/TRITC/mCherry 561, Cy5 640), else 0 (unknown).
    /// </summary>
    public IReadOnlyList<ChannelPreset> Channels(string? group = null, double exposureMs = 10)
    {
        var g = Group(group ?? ChannelGroupName ?? "");
        if (g is null) return [];
        return g.Presets.Select(p => new ChannelPreset(p.Name, ExcitationNm(p), EmissionFilter(p), 1.0, exposureMs)).ToList();
    }

    [GeneratedRegex(@"(\d{3})\s*nm", RegexOptions.IgnoreCase)]
    private static partial Regex Nanometres();

    [GeneratedRegex(@"(\d{3})")]
    private static partial Regex ThreeDigits();

    private static double ExcitationNm(MMCfgPreset preset)
    {
        foreach (var s in preset.Settings)
            if (Nanometres().Match(s.Value) is { Success: true } m) return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        foreach (var s in preset.Settings.Where(s => s.Device.Contains("Excitation", StringComparison.OrdinalIgnoreCase)))
            if (ThreeDigits().Match(s.Value) is { Success: true } m && double.Parse(m.Value, CultureInfo.InvariantCulture) is >= 300 and <= 800 and var nm)
                return nm;
        var name = preset.Name.ToUpperInvariant();
        if (name.Contains("DAPI") || name.Contains("HOECHST")) return 405;
        if (name.Contains("FITC") || name.Contains("GFP")) return 488;
        if (name.Contains("RHOD") || name.Contains("TRITC") || name.Contains("CHERRY") || name.Contains("RFP")) return 561;
        if (name.Contains("CY5")) return 640;
        return 0;
    }

    private static string EmissionFilter(MMCfgPreset preset) =>
        preset.Settings.FirstOrDefault(s => s.Device.Contains("Emission", StringComparison.OrdinalIgnoreCase))?.Value ?? "";

    /// <summary>Pixel-size presets with a size (those without PixelSize_um are left out).</summary>
    public IReadOnlyList<MMPixelSizePreset> PixelSizePresets() =>
        PixelSizes.Where(p => p.PixelSizeUm is > 0)
            .Select(p => new MMPixelSizePreset(p.Name, p.PixelSizeUm!.Value, p.Affine, p.Settings)).ToList();

    /// <summary>The pixel-size preset the System/Startup preset selects, if it selects one.</summary>
    public MMPixelSizePreset? StartupPixelSize()
    {
        var startup = Group("System")?.Presets.FirstOrDefault(p => p.Name == "Startup");
        if (startup is null) return null;
        return PixelSizePresets().FirstOrDefault(p => p.SelectedBy.All(s =>
            startup.Settings.Any(t => t.Device == s.Device && t.Property == s.Property && t.Value == s.Value)));
    }

    /// <summary>What the configuration contains, for people (<c>livescope</c> can print it before loading).</summary>
    public string Summary()
    {
        var sb = new StringBuilder();
        var libraries = Devices.GroupBy(d => d.Library).Select(g => $"{g.Key} {g.Count()}");
        sb.AppendLine($"{Path.GetFileName(File)}: {LineCount} lines, {Devices.Count} devices ({string.Join(", ", libraries)})");
        if (CoreProperties.Count > 0)
            sb.AppendLine("Core: " + string.Join(", ", CoreProperties.Where(p => p.Key != "Initialize").Select(p => $"{p.Key}={p.Value}")));
        foreach (var d in Devices)
            sb.AppendLine($"  device {d.Label}: {d.Library}/{d.Adapter}{(Parents.TryGetValue(d.Label, out var p) ? $" under {p}" : "")}");
        foreach (var g in Groups)
            sb.AppendLine($"  group {g.Name}: {string.Join(", ", g.Presets.Select(p => p.Name))}");
        foreach (var p in PixelSizes)
            sb.AppendLine($"  pixel size {p.Name}: {(p.PixelSizeUm is { } um ? um.ToString("0.####", CultureInfo.InvariantCulture) + " µm" : "(no size)")}" +
                          $" when {string.Join(", ", p.Settings.Select(s => $"{s.Device}.{s.Property}={s.Value}"))}");
        if (Problems.Count > 0)
        {
            sb.AppendLine($"{Problems.Count} problem(s):");
            foreach (var problem in Problems) sb.AppendLine("  " + problem);
        }
        return sb.ToString();
    }

    /// <summary>The channels and pixel sizes a simulated microscope needs to stand in for this rig; see <see cref="MMRigModel"/>.</summary>
    public MMRigModel ToRigModel(double exposureMs = 10)
    {
        var pixelSizes = PixelSizePresets();
        return new MMRigModel(
            File,
            ChannelGroupName,
            Channels(null, exposureMs),
            pixelSizes,
            StartupPixelSize() ?? pixelSizes.FirstOrDefault(),
            CoreProperties.GetValueOrDefault("Camera"),
            CoreProperties.GetValueOrDefault("Focus"),
            CoreProperties.GetValueOrDefault("XYStage") ?? Devices.FirstOrDefault(d => d.Adapter.Contains("XY", StringComparison.OrdinalIgnoreCase))?.Label);
    }
}

/// <summary>
/// What a simulated microscope needs to mirror a real Micro-Manager rig so a protocol written for it dry-runs
/// first: the same channel names (with excitation and emission), the same pixel-size presets and the one in use
/// at start-up, and the labels of the camera, focus and XY stage.
/// </summary>
public sealed record MMRigModel(
    string SourceFile,
    string? ChannelGroup,
    IReadOnlyList<ChannelPreset> Channels,
    IReadOnlyList<MMPixelSizePreset> PixelSizes,
    MMPixelSizePreset? StartupPixelSize,
    string? CameraLabel,
    string? FocusLabel,
    string? XYStageLabel);
