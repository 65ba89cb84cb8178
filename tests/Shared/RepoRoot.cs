namespace LiveScope.Testing;

/// <summary>
/// The repository root (the folder holding LiveScope.sln), found from the test or benchmark binaries. One source
/// file, linked into every test project and the benchmarks by Directory.Build.props.
/// </summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "LiveScope.sln"))) return dir.FullName;
        throw new InvalidOperationException("LiveScope.sln not found above " + AppContext.BaseDirectory);
    }
}
