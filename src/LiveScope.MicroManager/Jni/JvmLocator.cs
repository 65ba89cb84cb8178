namespace LiveScope.MicroManager.Jni;

/// <summary>
/// Finds the JVM library to host: a configured Java runtime folder first, then JAVA_HOME, then
/// /usr/lib/jvm/default-java, then common locations (a runtime bundled with Micro-Manager, the usual JDK folders).
/// </summary>
public static class JvmLocator
{
    private static readonly string[] LibraryInHome = OperatingSystem.IsWindows()
        ? [Path.Combine("bin", "server", "jvm.dll"), Path.Combine("jre", "bin", "server", "jvm.dll")]
        : OperatingSystem.IsMacOS()
            ? [Path.Combine("lib", "server", "libjvm.dylib"), Path.Combine("Contents", "Home", "lib", "server", "libjvm.dylib")]
            : [Path.Combine("lib", "server", "libjvm.so"), Path.Combine("jre", "lib", "server", "libjvm.so"),
               Path.Combine("lib", "amd64", "server", "libjvm.so"), Path.Combine("jre", "lib", "amd64", "server", "libjvm.so")];

    /// <summary>Candidate Java homes in the order they are tried, with where each came from.</summary>
    public static IEnumerable<(string Home, string Source)> Candidates(string? configuredJavaHome, string? installationFolder,
        Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (!string.IsNullOrWhiteSpace(configuredJavaHome)) yield return (configuredJavaHome, "java_home setting");
        if (environment("JAVA_HOME") is { Length: > 0 } javaHome) yield return (javaHome, "JAVA_HOME");
        yield return ("/usr/lib/jvm/default-java", "Debian default");
        if (installationFolder is not null)
        {
            yield return (Path.Combine(installationFolder, "jre"), "Micro-Manager's bundled runtime");
            yield return (Path.Combine(installationFolder, "jdk"), "Micro-Manager's bundled runtime");
        }
        foreach (var root in new[] { "/usr/lib/jvm", "/usr/java", "/opt/java", "/Library/Java/JavaVirtualMachines",
                     @"C:\Program Files\Java", @"C:\Program Files\Eclipse Adoptium" })
        {
            if (!Directory.Exists(root)) continue;
            foreach (var dir in Directory.GetDirectories(root).OrderByDescending(d => d, StringComparer.Ordinal))
                yield return (dir, "common location");
        }
    }

    /// <summary>The JVM library inside a Java home, or null.</summary>
    public static string? LibraryIn(string javaHome)
    {
        foreach (var relative in LibraryInHome)
        {
            var path = Path.Combine(javaHome, relative);
            if (File.Exists(path)) return Path.GetFullPath(path);
        }
        return null;
    }

    /// <summary>The first JVM library found; a configured folder that holds none is an error, not skipped.</summary>
    public static string Find(string? configuredJavaHome, string? installationFolder)
    {
        var tried = new List<string>();
        foreach (var (home, source) in Candidates(configuredJavaHome, installationFolder))
        {
            if (LibraryIn(home) is { } library) return library;
            if (source == "java_home setting")
                throw new JvmStartException($"the configured Java runtime folder '{home}' holds no JVM library (looked for {string.Join(", ", LibraryInHome)})");
            tried.Add($"{home} ({source})");
        }
        throw new JvmStartException("no Java runtime found; set java_home in the micromanager backend settings. Tried: " + string.Join("; ", tried));
    }
}
