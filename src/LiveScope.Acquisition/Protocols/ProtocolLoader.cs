using LiveScope.Core.Config;

namespace LiveScope.Acquisition.Protocols;

/// <summary>
/// Loads a protocol file: a LiveScope protocol (YAML) or a useq-schema MDA sequence (YAML or JSON), told apart by
/// their keys. Reading collects every problem it can find in one pass and throws them together as a
/// <see cref="ProtocolValidationException"/>; checks against a microscope are <see cref="ProtocolValidator"/>'s.
/// </summary>
public sealed class ProtocolLoader
{
    private readonly RigCapabilities? _rig;

    /// <param name="rig">Optional: the microscope's camera gives grids written with an overlap their field of view.</param>
    public ProtocolLoader(RigCapabilities? rig = null) => _rig = rig;

    public Protocol Load(string path) => LoadWithSources(path).Protocol;

    public LoadedProtocol LoadWithSources(string path) => Read(Wrap(() => ConfigNode.LoadFile(path)));

    /// <summary>Parses protocol text; <paramref name="fileName"/> is what errors name.</summary>
    public LoadedProtocol Parse(string text, string fileName) => Read(Wrap(() => ConfigNode.Parse(text, fileName)));

    /// <summary>
    /// Loads and checks against <paramref name="rig"/>; throws every problem found, reading and validation together.
    /// Validation runs even when reading found problems (on what could be read), leaving out what follows from
    /// those problems, so one `validate` shows everything.
    /// </summary>
    public LoadedProtocol LoadAndValidate(string path, RigCapabilities rig) => Validated(Wrap(() => ConfigNode.LoadFile(path)), rig);

    /// <summary><see cref="LoadAndValidate"/> for protocol text; <paramref name="fileName"/> is what errors name.</summary>
    public LoadedProtocol ParseAndValidate(string text, string fileName, RigCapabilities rig) =>
        Validated(Wrap(() => ConfigNode.Parse(text, fileName)), rig);

    private LoadedProtocol Validated(ConfigNode root, RigCapabilities rig)
    {
        var (loaded, reading) = ReadCollecting(root);
        var all = new ProtocolErrors();
        foreach (var e in reading.All) all.Add(e);
        foreach (var e in new ProtocolValidator(rig).Validate(loaded))
            if (!reading.All.Any(r => SameSubtree(r.KeyPath, e.KeyPath))) all.Add(e);
        all.ThrowIfAny();
        return loaded;
    }

    /// <summary>Whether one key path lies within the other (a problem there may just follow from a reading error).</summary>
    private static bool SameSubtree(string a, string b)
    {
        static bool Within(string inner, string outer) =>
            outer.Length > 0 && (inner == outer || inner.StartsWith(outer + ".") || inner.StartsWith(outer + "["));
        return Within(a, b) || Within(b, a);
    }

    /// <summary>Whether a file is read as a useq-schema sequence (else as a LiveScope protocol).</summary>
    public static bool IsUseq(ConfigNode root) => UseqProtocolReader.Looks(root);

    private LoadedProtocol Read(ConfigNode root)
    {
        var (loaded, errors) = ReadCollecting(root);
        errors.ThrowIfAny();
        return loaded;
    }

    /// <summary>Reads everything it can; the protocol holds fallbacks where <c>errors</c> has a problem.</summary>
    private (LoadedProtocol, ProtocolErrors) ReadCollecting(ConfigNode root)
    {
        var errors = new ProtocolErrors();
        var sources = new ProtocolSources(root.File);
        if (!root.IsMapping)
            throw new ProtocolValidationException([root.Error("a protocol file holds a mapping (key: value pairs) at the top")]);
        var protocol = IsUseq(root)
            ? new UseqProtocolReader(errors, sources, _rig).Read(root)
            : new NativeProtocolReader(errors, sources, _rig).Read(root);
        return (new LoadedProtocol(protocol, sources), errors);
    }

    private static ConfigNode Wrap(Func<ConfigNode> load)
    {
        try
        {
            return load();
        }
        catch (ConfigException e)
        {
            throw new ProtocolValidationException([e]);
        }
    }
}
