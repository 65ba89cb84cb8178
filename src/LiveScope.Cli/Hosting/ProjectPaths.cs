namespace LiveScope.Cli.Hosting;

/// <summary>Finds the shipped device configs and protocols whether run from the repository or an installed copy.</summary>
public static class ProjectPaths
{
    public const string DefaultConfig = "device-configs/simulated.yaml";
    public const string DefaultProtocol = "protocols/insulin-stimulation-timelapse.yaml";

    /// <summary>A path as given if it exists; else relative to the nearest folder up from here holding LiveScope.sln.</summary>
    public static string Resolve(string path)
    {
        if (File.Exists(path) || Path.IsPathRooted(path)) return path;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, path);
                if (File.Exists(candidate) && (File.Exists(Path.Combine(dir.FullName, "LiveScope.sln")) || dir.FullName == start))
                    return candidate;
            }
        }
        return path;
    }
}
