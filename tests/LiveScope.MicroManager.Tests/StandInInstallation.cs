using System.Diagnostics;
using System.IO.Compression;
using LiveScope.MicroManager.Jni;

namespace LiveScope.MicroManager.Tests;

/// <summary>
/// A fake Micro-Manager installation folder for CI: the Java stand-in for MMCoreJ (tests/…/java) compiled with
/// javac into MMCoreJ.jar, next to a copy of MMConfig_demo.cfg. One per test run, because one process hosts one
/// JVM and its class path is fixed when it starts.
/// </summary>
public sealed class StandInInstallation : IDisposable
{
    public StandInInstallation()
    {
        Root = Path.Combine(Path.GetTempPath(), "livescope-mm-" + Guid.NewGuid().ToString("N")[..8]);
        Folder = Path.Combine(Root, "Micro-Manager");
        var classes = Path.Combine(Root, "classes");
        Directory.CreateDirectory(Folder);
        Directory.CreateDirectory(classes);
        var sources = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "java"), "*.java", SearchOption.AllDirectories);
        Run(Javac(), ["--release", "8", "-Xlint:-options", "-nowarn", "-d", classes, .. sources]);
        ZipFile.CreateFromDirectory(classes, Path.Combine(Folder, "MMCoreJ.jar"));
        File.Copy(DemoCfg, Path.Combine(Folder, "MMConfig_demo.cfg"));
        JvmLibrary = JvmLocator.Find(null, Folder);
    }

    public string Root { get; }
    /// <summary>The installation folder (MMCoreJ.jar, MMConfig_demo.cfg).</summary>
    public string Folder { get; }
    public string Jar => Path.Combine(Folder, "MMCoreJ.jar");
    public string JvmLibrary { get; }

    public static string DataFile(string name) => Path.Combine(AppContext.BaseDirectory, "data", name);
    public static string DemoCfg => DataFile("MMConfig_demo.cfg");
    public static string DemoDeviceConfig => DataFile("micromanager-demo.yaml");

    /// <summary>The process's JVM with the stand-in on its class path (started by the first caller).</summary>
    public JavaVm Vm() => JavaVm.Start(new JvmOptions { JvmLibrary = JvmLibrary, ClassPath = [Jar], LibraryPath = Folder });

    private static string Javac()
    {
        foreach (var home in JvmLocator.Candidates(null, null).Select(c => c.Home))
        {
            var javac = Path.Combine(home, "bin", OperatingSystem.IsWindows() ? "javac.exe" : "javac");
            if (File.Exists(javac)) return javac;
        }
        return "javac";
    }

    private static void Run(string exe, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} failed ({p.ExitCode}): {err.Result}{output}");
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class JvmCollection : ICollectionFixture<StandInInstallation>
{
    public const string Name = "JVM";
}
