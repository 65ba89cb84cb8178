using System.Globalization;
using LiveScope.MicroManager.Cfg;
using YamlDotNet.RepresentationModel;

namespace LiveScope.Cli.Hosting;

/// <summary>
/// A simulated microscope that stands in for a real Micro-Manager rig: the default simulated config with the rig's
/// channel presets (names, excitation, emission) and its start-up pixel size, so protocols written for the rig
/// validate and dry-run unchanged before any hardware moves.
/// </summary>
public static class SimulatedMirror
{
    public static string Build(MMRigModel rig, string simulatedTemplatePath)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(simulatedTemplatePath)) yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        root.Children[new YamlScalarNode("name")] = new YamlScalarNode($"simulated mirror of {Path.GetFileName(rig.SourceFile)}");
        foreach (var device in ((YamlSequenceNode)root.Children[new YamlScalarNode("devices")]).Children.OfType<YamlMappingNode>())
        {
            var kind = ((YamlScalarNode)device.Children[new YamlScalarNode("kind")]).Value;
            var settings = Settings(device);
            if (kind == "camera" && rig.StartupPixelSize is { } pixel)
                settings.Children[new YamlScalarNode("pixel_size_um")] = Number(pixel.PixelSizeUm);
            if (kind == "light_source" && rig.Channels.Count > 0)
            {
                settings.Children[new YamlScalarNode("default_channel")] = new YamlScalarNode(rig.Channels[0].Name);
                settings.Children[new YamlScalarNode("channels")] = new YamlSequenceNode(rig.Channels.Select(c => (YamlNode)new YamlMappingNode(
                    new YamlScalarNode("name"), new YamlScalarNode(c.Name),
                    new YamlScalarNode("excitation_nm"), Number(c.ExcitationNm),
                    new YamlScalarNode("emission_filter"), new YamlScalarNode(c.EmissionFilter),
                    new YamlScalarNode("power_fraction"), Number(c.PowerFraction),
                    new YamlScalarNode("exposure_ms"), Number(c.ExposureMs))));
            }
        }
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        text.WriteLine($"# A simulated microscope with the channels and pixel size of {rig.SourceFile},");
        text.WriteLine("# written by `livescope cfg --simulated`. Everything else is the default simulated microscope.");
        yaml.Save(text, assignAnchors: false);
        return text.ToString();
    }

    private static YamlMappingNode Settings(YamlMappingNode device)
    {
        var key = new YamlScalarNode("settings");
        if (device.Children.TryGetValue(key, out var node) && node is YamlMappingNode mapping) return mapping;
        var created = new YamlMappingNode();
        device.Children[key] = created;
        return created;
    }

    private static YamlScalarNode Number(double value) => new(value.ToString("R", CultureInfo.InvariantCulture));
}
