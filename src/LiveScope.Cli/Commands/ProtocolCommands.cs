using System.CommandLine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Cli.Hosting;
using LiveScope.Core.Config;
using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;
using Microsoft.Extensions.Logging;
using Serilog.Events;
using Spectre.Console;

namespace LiveScope.Cli.Commands;

/// <summary><c>livescope validate</c> and <c>livescope plan</c>: check a protocol, and see what it will cost, before anything moves.</summary>
public static class ProtocolCommands
{
    public const int InvalidExitCode = 2;

    public static Command Validate()
    {
        var (file, config, set) = (ProtocolArgument(), CommonOptions.Config(), CommonOptions.Set());
        var command = new Command("validate", "Check a protocol against a microscope's configuration before any hardware moves.") { file, config, set };
        command.SetAction(async (parse, _) =>
        {
            using var shutdown = new Shutdown();
            var ct = shutdown.Token;
            using var loggers = Logging.Create(LogEventLevel.Warning);
            var loaded = await LoadAsync(parse.GetValue(file)!, parse.GetValue(config)!, CommonOptions.Overrides(parse.GetValue(set)), loggers, ct);
            if (loaded is null) return InvalidExitCode;
            var p = loaded.Protocol;
            Console.WriteLine($"{p.SourceFile}: valid for {loaded.Rig.Name}: {p.Positions.Count} position(s), {p.Channels.Count} channel(s), " +
                              $"{p.Phases.Count} phase(s), {p.Frap.Count} FRAP step(s), {Math.Max(1, p.Conditions.Count)} condition(s)");
            return 0;
        });
        return command;
    }

    public static Command Plan()
    {
        var (file, config, set) = (ProtocolArgument(), CommonOptions.Config(), CommonOptions.Set());
        var all = new Option<bool>("--events") { Description = "List every event, not only the timeline of phases." };
        var command = new Command("plan", "Print a protocol's event timeline and its totals: duration, frames, bytes, light dose, bleaches.") { file, config, set, all };
        command.SetAction(async (parse, _) =>
        {
            using var shutdown = new Shutdown();
            var ct = shutdown.Token;
            using var loggers = Logging.Create(LogEventLevel.Warning);
            var loaded = await LoadAsync(parse.GetValue(file)!, parse.GetValue(config)!, CommonOptions.Overrides(parse.GetValue(set)), loggers, ct);
            if (loaded is null) return InvalidExitCode;
            var plan = Planner.Plan(loaded.Protocol, loaded.ImageWidth, loaded.ImageHeight);
            PlanPrinter.Print(plan, parse.GetValue(all));
            return 0;
        });
        return command;
    }

    public static Argument<string> ProtocolArgument() => new("protocol")
    {
        Description = "Protocol file: LiveScope YAML, or a useq-schema MDA sequence (YAML or JSON).",
        DefaultValueFactory = _ => ProjectPaths.DefaultProtocol,
    };

    /// <summary>A validated protocol, the rig it was checked against, and the size of that rig's images.</summary>
    public sealed record ValidProtocol(Protocol Protocol, RigCapabilities Rig, int ImageWidth, int ImageHeight);

    /// <summary>Loads and validates; prints every error (file:line:column: key: problem) and returns null when invalid.</summary>
    public static async Task<ValidProtocol?> LoadAsync(string protocolPath, string configPath,
        IEnumerable<KeyValuePair<string, string>> overrides, ILoggerFactory loggers, CancellationToken ct)
    {
        RigCapabilities rig;
        (int Width, int Height) image;
        try
        {
            await using var scope = await new MicroscopeLoader(Backends.Create(), loggers)
                .LoadAsync(ProjectPaths.Resolve(configPath), overrides, ct);
            rig = RigCapabilities.From(scope);
            image = CameraImage.SizeOf(scope.Camera);
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }
        try
        {
            var loaded = new ProtocolLoader(rig).LoadAndValidate(ProjectPaths.Resolve(protocolPath), rig);
            return new ValidProtocol(loaded.Protocol, rig, image.Width, image.Height);
        }
        catch (ProtocolValidationException e)
        {
            foreach (var error in e.Errors) Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine($"{e.Errors.Count} error(s); nothing was run.");
            return null;
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine(e.Message);
            return null;
        }
    }
}
