using System.CommandLine;
using LiveScope.Cli.Commands;
using LiveScope.Cli.Hosting;
using LiveScope.Core.Config;
using LiveScope.Core.Devices;

var root = new RootCommand("LiveScope: microscope acquisition control with live analysis of insulin-receptor clusters.")
{
    DevicesCommand.Create(),
    SnapCommand.Create(),
    ProtocolCommands.Validate(),
    ProtocolCommands.Plan(),
    RunCommand.Create(),
    RecoverCommand.Create(),
    AnalyzeCommand.Create(),
    CfgCommand.Create(),
    ReportCommand.Create(),
};
try
{
    // Signals are handled by the commands that run hardware (see Hosting/Shutdown): never a hard kill mid-run.
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (ConfigException e)
{
    Console.Error.WriteLine(e.Message);
    return ProtocolCommands.InvalidExitCode;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("cancelled");
    return Shutdown.CancelledExitCode;
}
catch (Exception e) when (e is DeviceException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
