namespace LiveScope.Core.Config;

/// <summary>Where in which file something is wrong. Lines and columns are 1-based, as editors show them.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}

/// <summary>
/// A configuration or protocol error: the file, line and column, the key path (e.g. <c>devices[2].settings.exposure_ms</c>)
/// and what was expected. Its message is what the user sees, so it reads as one line.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(SourceLocation location, string keyPath, string problem)
        : base(Format(location, keyPath, problem))
    {
        Location = location;
        KeyPath = keyPath;
        Problem = problem;
    }

    public SourceLocation Location { get; }
    public string KeyPath { get; }
    public string Problem { get; }

    private static string Format(SourceLocation at, string keyPath, string problem)
        => string.IsNullOrEmpty(keyPath) ? $"{at}: {problem}" : $"{at}: {keyPath}: {problem}";
}
