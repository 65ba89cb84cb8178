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

    /// <summary>Loads and checks against <paramref name="rig"/>; throws every problem found, loading and validation together.</summary>
    public LoadedProtocol LoadAndValidate(string path, RigCapabilities rig)
    {
        var loaded = LoadWithSources(path);
        new ProtocolValidator(rig).ThrowIfInvalid(loaded);
        return loaded;
    }

    /// <summary>Whether a file is read as a useq-schema sequence (else as a LiveScope protocol).</summary>
    public static bool IsUseq(ConfigNode root) => UseqProtocolReader.Looks(root);

    private LoadedProtocol Read(ConfigNode root)
    {
        var errors = new ProtocolErrors();
        var sources = new ProtocolSources(root.File);
        if (!root.IsMapping)
            throw new ProtocolValidationException([root.Error("a protocol file holds a mapping (key: value pairs) at the top")]);
        var protocol = IsUseq(root)
            ? new UseqProtocolReader(errors, sources, _rig).Read(root)
            : new NativeProtocolReader(errors, sources, _rig).Read(root);
        errors.ThrowIfAny();
        return new LoadedProtocol(protocol, sources);
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
