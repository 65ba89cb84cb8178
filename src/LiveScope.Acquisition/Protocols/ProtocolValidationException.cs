using LiveScope.Core.Config;

namespace LiveScope.Acquisition.Protocols;

/// <summary>
/// Everything wrong with a protocol, found in one pass: each error names file:line:column, the key path and the
/// problem. The message lists them one per line, in file order, as <c>livescope validate</c> prints them.
/// </summary>
public sealed class ProtocolValidationException : Exception
{
    public ProtocolValidationException(IReadOnlyList<ConfigException> errors)
        : base(Format(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<ConfigException> Errors { get; }

    private static string Format(IReadOnlyList<ConfigException> errors) =>
        errors.Count == 1
            ? errors[0].Message
            : $"{errors.Count} problems:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e.Message));
}

/// <summary>Collects errors instead of stopping at the first, so one validate run reports everything.</summary>
public sealed class ProtocolErrors
{
    private readonly List<ConfigException> _errors = [];

    public IReadOnlyList<ConfigException> All => _errors
        .OrderBy(e => e.Location.Line == 0 ? int.MaxValue : e.Location.Line).ThenBy(e => e.Location.Column).ToList();

    public bool Any => _errors.Count > 0;

    public void Add(ConfigException error)
    {
        // One mistake can surface twice (e.g. read once for the model and once for a cross-check); say it once.
        if (!_errors.Any(e => e.Message == error.Message)) _errors.Add(error);
    }

    /// <summary>Runs <paramref name="read"/>; a configuration error is recorded and <paramref name="fallback"/> returned.</summary>
    public T Try<T>(Func<T> read, T fallback)
    {
        try
        {
            return read();
        }
        catch (ConfigException e)
        {
            Add(e);
            return fallback;
        }
    }

    public void Try(Action read)
    {
        try
        {
            read();
        }
        catch (ConfigException e)
        {
            Add(e);
        }
    }

    /// <summary>Records an error for every key of <paramref name="node"/> not in <paramref name="known"/>, with a "did you mean".</summary>
    public void CheckKeys(ConfigNode node, IReadOnlyCollection<string> known)
    {
        if (!node.IsMapping)
        {
            Try(() => node.Keys.Count()); // records "expected a mapping"
            return;
        }
        foreach (var key in node.Keys.Where(k => !known.Contains(k)).ToList())
            Try(() => node.RejectUnknownKeysOnly(key, known));
    }

    public void ThrowIfAny()
    {
        if (Any) throw new ProtocolValidationException(All);
    }
}

internal static class ConfigNodeProtocolExtensions
{
    /// <summary>Raises Core's unknown-key error for one key, so the message matches configuration files exactly.</summary>
    public static void RejectUnknownKeysOnly(this ConfigNode node, string key, IReadOnlyCollection<string> known)
    {
        // Core's check stops at the first unknown key; asking it about a mapping that holds only this key yields its
        // message and location for exactly this key.
        var mapping = (YamlDotNet.RepresentationModel.YamlMappingNode)node.Yaml;
        var entry = mapping.Children.First(kv => ((YamlDotNet.RepresentationModel.YamlScalarNode)kv.Key).Value == key);
        var keyNode = entry.Key;
        var path = node.KeyPath.Length == 0 ? key : $"{node.KeyPath}.{key}";
        throw new ConfigException(new SourceLocation(node.File, (int)keyNode.Start.Line, (int)keyNode.Start.Column), path,
            $"unknown key{Suggest.DidYouMean(key, known)}; expected one of: {string.Join(", ", known)}");
    }
}
