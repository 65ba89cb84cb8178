using YamlDotNet.RepresentationModel;

namespace LiveScope.Core.Config;

/// <summary>
/// Applies <c>a.b.c=value</c> overrides from the command line onto a loaded file, creating mappings as needed.
/// In a list, a segment picks an item by index (<c>devices.0</c>) or by its <c>name:</c> (<c>devices.Camera</c>).
/// </summary>
public static class ConfigOverrides
{
    public static void Apply(ConfigNode root, string path, string value)
    {
        var parts = path.Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new ArgumentException($"override '{path}' names no key");
        YamlNode node = root.Yaml;
        for (int i = 0; i < parts.Length - 1; i++)
            node = Step(node, parts[i], create: true, path, root.File);
        if (node is not YamlMappingNode mapping)
            throw new ArgumentException($"override '{path}': '{parts[^2]}' is not a mapping in {root.File}");
        mapping.Children[new YamlScalarNode(parts[^1])] = new YamlScalarNode(value);
    }

    private static YamlNode Step(YamlNode node, string segment, bool create, string path, string file)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
            {
                var key = new YamlScalarNode(segment);
                if (mapping.Children.TryGetValue(key, out var next)) return next;
                if (!create) break;
                next = new YamlMappingNode();
                mapping.Children.Add(key, next);
                return next;
            }
            case YamlSequenceNode list:
            {
                if (int.TryParse(segment, out var index) && index >= 0 && index < list.Children.Count) return list.Children[index];
                var named = list.Children.OfType<YamlMappingNode>().FirstOrDefault(m =>
                    m.Children.TryGetValue(new YamlScalarNode("name"), out var n) && n is YamlScalarNode s && s.Value == segment);
                if (named is not null) return named;
                break;
            }
        }
        throw new ArgumentException($"override '{path}': no '{segment}' to set in {file}");
    }

    /// <summary>Parses <c>key=value</c> command-line arguments.</summary>
    public static KeyValuePair<string, string> Parse(string argument)
    {
        int eq = argument.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"'{argument}' is not of the form key.path=value");
        return new(argument[..eq].Trim(), argument[(eq + 1)..].Trim());
    }
}
