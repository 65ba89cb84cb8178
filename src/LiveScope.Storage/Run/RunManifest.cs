using System.Reflection;
using System.Text.Json;

namespace LiveScope.Storage.Run;

/// <summary>
/// What a run was: the protocol as run (its text, verbatim), the device configuration's text, software version,
/// every seed, labels, and when it started and ended. Enough to rerun or audit it without the original files.
/// </summary>
public sealed record RunManifest
{
    public required string RunName { get; init; }
    public string SoftwareVersion { get; init; } = CurrentSoftwareVersion;
    public DateTimeOffset StartTimeUtc { get; init; }
    public DateTimeOffset? EndTimeUtc { get; init; }
    /// <summary>"running" until the end is recorded; then e.g. "completed", "cancelled", "failed: …".</summary>
    public string Outcome { get; init; } = "running";
    public string? ProtocolPath { get; init; }
    public string? ProtocolText { get; init; }
    public string? ConfigurationPath { get; init; }
    public string? ConfigurationText { get; init; }
    public IReadOnlyDictionary<string, long> Seeds { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string? CommandLine { get; init; }
    public string? MachineName { get; init; }

    public static string CurrentSoftwareVersion { get; } =
        typeof(RunManifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
}

/// <summary>Writes manifest.json atomically (temp file, then rename), so a crash never leaves half a manifest.</summary>
public static class RunManifestFile
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Write(string path, RunManifest manifest)
    {
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, manifest, Options);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    public static RunManifest Read(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<RunManifest>(stream, Options)
            ?? throw new InvalidDataException($"{path}: empty manifest");
    }

    /// <summary>Records the end of the run in an existing manifest.</summary>
    public static RunManifest MarkEnded(string path, DateTimeOffset endTimeUtc, string outcome)
    {
        var ended = Read(path) with { EndTimeUtc = endTimeUtc, Outcome = outcome };
        Write(path, ended);
        return ended;
    }
}
