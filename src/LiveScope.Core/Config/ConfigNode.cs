using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LiveScope.Core.Config;

/// <summary>
/// A node of a YAML configuration or protocol file that remembers its file, position and key path, so every
/// read can fail with a message that points at the exact spot. All typed reads go through here.
/// </summary>
public sealed class ConfigNode
{
    private ConfigNode(YamlNode node, string file, string path)
    {
        Yaml = node;
        File = file;
        KeyPath = path;
    }

    public YamlNode Yaml { get; }
    public string File { get; }
    public string KeyPath { get; }
    public SourceLocation Location => new(File, (int)Yaml.Start.Line, (int)Yaml.Start.Column);

    public static ConfigNode LoadFile(string path)
    {
        if (!System.IO.File.Exists(path))
            throw new ConfigException(new SourceLocation(path, 0, 0), "", "file not found");
        using var reader = new StreamReader(path);
        return Load(reader, path);
    }

    public static ConfigNode Parse(string text, string fileName) => Load(new StringReader(text), fileName);

    private static ConfigNode Load(TextReader reader, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new ConfigException(new SourceLocation(file, (int)e.Start.Line, (int)e.Start.Column), "",
                $"not valid YAML: {e.InnerException?.Message ?? e.Message}");
        }
        if (stream.Documents.Count == 0)
            throw new ConfigException(new SourceLocation(file, 1, 1), "", "the file is empty");
        return new ConfigNode(stream.Documents[0].RootNode, file, "");
    }

    public ConfigException Error(string problem) => new(Location, KeyPath, problem);

    public bool IsMapping => Yaml is YamlMappingNode;
    public bool IsSequence => Yaml is YamlSequenceNode;
    public bool IsScalar => Yaml is YamlScalarNode;
    public bool IsNull => Yaml is YamlScalarNode { Value: null or "" or "~" or "null" } s && s.Style == ScalarStyle.Plain;

    public string ScalarText => Yaml is YamlScalarNode s ? s.Value ?? "" : throw Error($"expected a single value, found a {Describe()}");

    private string Describe() => Yaml switch
    {
        YamlMappingNode => "mapping (key: value pairs)",
        YamlSequenceNode => "list",
        _ => "value",
    };

    private YamlMappingNode Mapping => Yaml as YamlMappingNode ?? throw Error($"expected a mapping (key: value pairs), found a {Describe()}");

    private string ChildPath(string key) => KeyPath.Length == 0 ? key : $"{KeyPath}.{key}";

    /// <summary>The mapping's keys in file order.</summary>
    public IEnumerable<string> Keys => Mapping.Children.Keys.Select(k => ((YamlScalarNode)k).Value ?? "");

    public IEnumerable<KeyValuePair<string, ConfigNode>> Entries =>
        Mapping.Children.Select(kv => new KeyValuePair<string, ConfigNode>(
            ((YamlScalarNode)kv.Key).Value ?? "",
            new ConfigNode(kv.Value, File, ChildPath(((YamlScalarNode)kv.Key).Value ?? ""))));

    public IEnumerable<ConfigNode> Items
    {
        get
        {
            var seq = Yaml as YamlSequenceNode ?? throw Error($"expected a list, found a {Describe()}");
            return seq.Children.Select((n, i) => new ConfigNode(n, File, $"{KeyPath}[{i}]"));
        }
    }

    public bool Has(string key) => Mapping.Children.ContainsKey(new YamlScalarNode(key));

    public ConfigNode? Child(string key)
        => Mapping.Children.TryGetValue(new YamlScalarNode(key), out var n) ? new ConfigNode(n, File, ChildPath(key)) : null;

    public ConfigNode Required(string key)
        => Child(key) ?? throw new ConfigException(Location, ChildPath(key), "is required but missing");

    /// <summary>Fails on the first key not in <paramref name="known"/>, suggesting the closest known key.</summary>
    public void RejectUnknownKeys(IReadOnlyCollection<string> known)
    {
        foreach (var (key, value) in Mapping.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            if (!known.Contains(name))
                throw new ConfigException(new SourceLocation(File, (int)key.Start.Line, (int)key.Start.Column), ChildPath(name),
                    $"unknown key{Suggest.DidYouMean(name, known)}; expected one of: {string.Join(", ", known)}");
        }
    }

    public string AsString() => ScalarText;

    public double AsDouble()
    {
        if (double.TryParse(ScalarText, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)) return v;
        throw Error($"expected a number, found '{ScalarText}'");
    }

    public long AsInt64()
    {
        if (long.TryParse(ScalarText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)) return v;
        throw Error($"expected a whole number, found '{ScalarText}'");
    }

    public int AsInt()
    {
        var v = AsInt64();
        if (v is < int.MinValue or > int.MaxValue) throw Error($"{v} is too large");
        return (int)v;
    }

    public bool AsBool() => ScalarText.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        var s => throw Error($"expected true or false, found '{s}'"),
    };

    public double AsDouble(double min, double max)
    {
        var v = AsDouble();
        if (v < min || v > max) throw Error($"{v.ToString(CultureInfo.InvariantCulture)} is out of range; expected {Range(min, max)}");
        return v;
    }

    public string GetString(string key, string fallback) => Child(key)?.AsString() ?? fallback;
    public double GetDouble(string key, double fallback, double min = double.MinValue, double max = double.MaxValue)
        => Child(key)?.AsDouble(min, max) ?? fallback;
    public int GetInt(string key, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var c = Child(key);
        if (c is null) return fallback;
        var v = c.AsInt();
        if (v < min || v > max) throw c.Error($"{v} is out of range; expected {Range(min, max)}");
        return v;
    }
    public bool GetBool(string key, bool fallback) => Child(key)?.AsBool() ?? fallback;

    internal static string Range(double min, double max) =>
        (min, max) switch
        {
            (double.MinValue or int.MinValue, double.MaxValue or int.MaxValue) => "any number",
            (double.MinValue or int.MinValue, _) => $"at most {max.ToString(CultureInfo.InvariantCulture)}",
            (_, double.MaxValue or int.MaxValue) => $"at least {min.ToString(CultureInfo.InvariantCulture)}",
            _ => $"{min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}",
        };
}
