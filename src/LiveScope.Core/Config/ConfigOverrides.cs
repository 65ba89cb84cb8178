using YamlDotNet.RepresentationModel;

namespace LiveScope.Core.Config;

/// <summary>Applies <c>a.b.c=value</c> overrides from the command line onto a loaded file, creating mappings as needed.</summary>
public static class ConfigOverrides
{
    public static void Apply(ConfigNode root, string path, string value)
    {
        if (root.Yaml is not YamlMappingNode mapping)
            throw root.Error("overrides need a mapping at the top of the file");
        var parts = path.Split('.', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new ArgumentException($"override '{path}' names no key");
        for (int i = 0; i < parts.Length - 1; i++)
        {
            var key = new YamlScalarNode(parts[i]);
            if (!mapping.Children.TryGetValue(key, out var next))
            {
                next = new YamlMappingNode();
                mapping.Children.Add(key, next);
            }
            mapping = next as YamlMappingNode
                ?? throw new ArgumentException($"override '{path}': '{parts[i]}' is not a mapping in {root.File}");
        }
        mapping.Children[new YamlScalarNode(parts[^1])] = new YamlScalarNode(value);
    }

    /// <summary>Parses <c>key=value</c> command-line arguments.</summary>
    public static KeyValuePair<string, string> Parse(string argument)
    {
        int eq = argument.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"'{argument}' is not of the form key.path=value");
        return new(argument[..eq].Trim(), argument[(eq + 1)..].Trim());
    }
}
