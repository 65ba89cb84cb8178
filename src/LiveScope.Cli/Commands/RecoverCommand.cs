using System.CommandLine;
using LiveScope.Storage.Run;

namespace LiveScope.Cli.Commands;

/// <summary><c>livescope recover RUN</c>: after a crash, makes every frame that reached the disk readable again.</summary>
public static class RecoverCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "Run folder left behind by a crashed or killed run." };
        var command = new Command("recover", "Make the OME-TIFF files of an interrupted run valid, keeping every complete frame.") { run };
        command.SetAction(async (parse, ct) =>
        {
            var folder = parse.GetValue(run)!;
            if (!Directory.Exists(folder))
            {
                Console.Error.WriteLine($"{folder}: no such run folder");
                return 2;
            }
            var recovered = await RunRecovery.RecoverAsync(folder, ct);
            var report = recovered.Images;
            foreach (var f in report.Files.Where(f => f.Error is not null))
                Console.Error.WriteLine($"{f.Path}: not recovered, left as it was: {f.Error}");
            foreach (var f in report.Files.Where(f => f.Error is null))
                Console.WriteLine($"{f.Path}: {f.PlanesRecovered} planes kept, {f.PlanesDiscarded} incomplete discarded" +
                                  (f.BytesTruncated > 0 ? $", {f.BytesTruncated} bytes of partial data cut" : "") +
                                  (f.Removed ? " (no complete plane; file removed)" : ""));
            Console.WriteLine($"recovered {report.PlanesRecovered} planes in {report.Files.Count} files; " +
                              $"{recovered.EventLinesReadable} event-log lines readable" +
                              (recovered.ManifestMarkedInterrupted ? $"; manifest marked '{RunRecovery.InterruptedOutcome}'" : ""));
            return report.Files.Any(f => f.Error is not null) ? 1 : 0;
        });
        return command;
    }
}
