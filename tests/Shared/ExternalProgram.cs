using System.Diagnostics;

namespace LiveScope.Testing;

/// <summary>
/// Runs the outside programs tests compare against (Debian's /usr/bin/python3 with tifffile, scipy, scikit-image or
/// OpenCV; xmllint). A missing program FAILS the test with what to install: a check that silently skips proves
/// nothing. Both output streams are read while the program runs (reading one to its end first can deadlock on the
/// other's full pipe). One source file, linked into every test project by Directory.Build.props.
/// </summary>
internal static class ExternalProgram
{
    /// <summary>Debian's python3: the first python3 on PATH may not see Debian's python3-* packages.</summary>
    public const string Python = "/usr/bin/python3";

    public readonly record struct Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => Stdout + Stderr;
    }

    /// <summary><c>/usr/bin/python3 -c script args…</c>; <paramref name="debianPackages"/> names what the script imports.</summary>
    public static Result RunPython(string script, string debianPackages, params string[] args) =>
        Run(Python, ["-c", script, .. args], PythonMissing(debianPackages));

    /// <summary><c>/usr/bin/python3 file args…</c>.</summary>
    public static Result RunPythonFile(string file, string debianPackages, params string[] args) =>
        Run(Python, [file, .. args], PythonMissing(debianPackages));

    public static Result Run(string fileName, IEnumerable<string> args, string missingMessage)
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
            return new Result(process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    private static string PythonMissing(string debianPackages) =>
        $"{Python} is missing: install Debian packages python3 {debianPackages} (README's test command does)";
}
