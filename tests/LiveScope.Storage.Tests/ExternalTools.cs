using System.Diagnostics;

namespace LiveScope.Storage.Tests;

/// <summary>
/// Runs the outside judges of our files: xmllint (Debian libxml2-utils) against the OME schema, and tifffile
/// (Debian python3-tifffile) under /usr/bin/python3. A missing tool FAILS the test with what to install:
/// a validation that silently skips would prove nothing.
/// </summary>
internal static class ExternalTools
{
    public const string Python = "/usr/bin/python3";

    /// <summary>../shared/data/ome-schema, found from the repository root (the folder holding LiveScope.sln).</summary>
    public static string OmeSchemaFolder
    {
        get
        {
            string schema = Path.GetFullPath(Path.Combine(LiveScope.Testing.RepoRoot.Path, "..", "shared", "data", "ome-schema"));
            if (!File.Exists(Path.Combine(schema, "ome.xsd")))
                throw new InvalidOperationException($"OME schema not found at {schema}/ome.xsd (expected ../shared beside the repository)");
            return schema;
        }
    }

    public static (int ExitCode, string Output) XmllintValidate(string xmlPath)
    {
        string xsd = Path.Combine(OmeSchemaFolder, "ome.xsd");
        // --nonet: the schema imports xml.xsd from w3.org; offline, xmllint skips that import with a warning.
        return Run("xmllint", ["--noout", "--nonet", "--schema", xsd, xmlPath],
            "xmllint is missing: install Debian package libxml2-utils (README's test command does)");
    }

    public static (int ExitCode, string Output) RunPython(string script, params string[] args)
    {
        if (!File.Exists(Python)) throw new InvalidOperationException($"{Python} is missing: install python3 and python3-tifffile");
        return Run(Python, ["-c", script, .. args], "python3 is missing: install python3 and python3-tifffile");
    }

    public static void RequireTifffile()
    {
        var (code, output) = RunPython("import tifffile, numpy; print(tifffile.__version__)");
        if (code != 0)
            throw new InvalidOperationException(
                "python3-tifffile is not importable by /usr/bin/python3: install Debian package python3-tifffile " +
                "(README's test command does). Output: " + output);
    }

    private static (int, string) Run(string fileName, IEnumerable<string> args, string missingMessage)
    {
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(psi) ?? throw new InvalidOperationException(missingMessage); }
        catch (System.ComponentModel.Win32Exception) { throw new InvalidOperationException(missingMessage); }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} did not finish within 60 s");
            }
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }
}
