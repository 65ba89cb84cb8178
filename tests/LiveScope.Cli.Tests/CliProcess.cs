using System.Diagnostics;
using System.Text;

namespace LiveScope.Cli.Tests;

/// <summary>Runs the real livescope command (the built livescope.dll) as a child process, as a user would.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();

    public static string Root => LiveScope.Testing.RepoRoot.Path;

    private CliProcess(string workingDirectory, IEnumerable<string> args, bool ignoreInterrupt = false)
    {
        // Started through env(1), which then execs dotnet (same pid), to set Ctrl-C's disposition the way a terminal
        // does: a child inherits an ignored SIGINT, and the test host has one whenever the suite itself was started
        // as a script's background job. Then the run could never see the Ctrl-C these tests send.
        var info = new ProcessStartInfo("env")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        info.ArgumentList.Add(ignoreInterrupt ? "--ignore-signal=INT" : "--default-signal=INT");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "livescope.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { lock (_out) _out.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_err) _err.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.StandardInput.Close();
    }

    public static CliProcess Start(string workingDirectory, params string[] args) => new(workingDirectory, args);

    /// <summary>Starts the command as a shell script's background job would: with SIGINT ignored.</summary>
    public static CliProcess StartIgnoringInterrupt(string workingDirectory, params string[] args) =>
        new(workingDirectory, args, ignoreInterrupt: true);

    public static async Task<(int Exit, string Out, string Err)> RunAsync(string workingDirectory, params string[] args)
    {
        using var p = Start(workingDirectory, args);
        var exit = await p.WaitAsync(TimeSpan.FromMinutes(3));
        return (exit, p.Output, p.Errors);
    }

    public int Id => _process.Id;
    public string Output { get { lock (_out) return _out.ToString(); } }
    public string Errors { get { lock (_err) return _err.ToString(); } }

    public async Task<int> WaitAsync(TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // flushes the asynchronous output readers
        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal the way a terminal or a process manager would.</summary>
    public void Signal(string name) => Process.Start("kill", ["-" + name, Id.ToString()])!.WaitForExit();

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
