using LiveScope.Core.Config;

namespace LiveScope.Acquisition.Protocols;

/// <summary>Where one value of a protocol was written: its file position and the key path as the file spells it.</summary>
public sealed record SourceRef(SourceLocation Location, string KeyPath)
{
    public static SourceRef Of(ConfigNode node) => new(node.Location, node.KeyPath);

    public ConfigException Error(string problem) => new(Location, KeyPath, problem);
}

/// <summary>
/// Maps the parts of a loaded <see cref="Protocol"/> back to the file, so validation errors found later (against the
/// rig) still name file:line:column and the key path. Keys are model paths such as <c>channels[0].exposure</c>,
/// <c>positions[3].x</c>, <c>phases[1].interval</c>, <c>frap[0].power</c>; a missing key falls back to its parent
/// (<c>channels[0]</c>), then to the file itself. Kept apart from the record so two protocols compare equal by content.
/// </summary>
public sealed class ProtocolSources
{
    private readonly Dictionary<string, SourceRef> _refs = new(StringComparer.Ordinal);

    public ProtocolSources(string file) => File = file;

    public string File { get; }

    public void Add(string modelPath, ConfigNode node) => _refs[modelPath] = SourceRef.Of(node);
    public void Add(string modelPath, SourceRef where) => _refs[modelPath] = where;

    /// <summary>Records <paramref name="modelPath"/> at the node of <paramref name="key"/> under <paramref name="parent"/>, if present.</summary>
    public void AddChild(string modelPath, ConfigNode parent, string key)
    {
        if (parent.IsMapping && parent.Child(key) is { } child) Add(modelPath, child);
    }

    /// <summary>Whether the file wrote this value itself (false: a default was used).</summary>
    public bool Has(string modelPath) => _refs.ContainsKey(modelPath);

    public SourceRef At(string modelPath)
    {
        for (var path = modelPath; ; path = Parent(path))
        {
            if (_refs.TryGetValue(path, out var found)) return found;
            if (path.Length == 0) return new SourceRef(new SourceLocation(File, 0, 0), modelPath);
        }
    }

    /// <summary>The key path where a missing child of <paramref name="modelPath"/> would go (for "add this key" errors).</summary>
    public SourceRef Below(string modelPath, string childKey)
    {
        var parent = At(modelPath);
        return parent with { KeyPath = parent.KeyPath.Length == 0 ? childKey : $"{parent.KeyPath}.{childKey}" };
    }

    public ConfigException Error(string modelPath, string problem) => At(modelPath).Error(problem);

    private static string Parent(string path)
    {
        int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }
}

/// <summary>A protocol together with where each of its parts was written.</summary>
public sealed record LoadedProtocol(Protocol Protocol, ProtocolSources Sources);
