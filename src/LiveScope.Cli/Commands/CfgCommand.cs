using System.CommandLine;
using LiveScope.Cli.Hosting;
using LiveScope.MicroManager.Cfg;

namespace LiveScope.Cli.Commands;

/// <summary>
/// <c>livescope cfg FILE.cfg</c>: checks a Micro-Manager hardware configuration before it is loaded and shows what
/// it contains; with <c>--simulated OUT.yaml</c> writes a simulated microscope with the same channels and pixel size.
/// </summary>
public static class CfgCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("cfg") { Description = "Micro-Manager hardware configuration (.cfg)." };
        var simulated = new Option<string?>("--simulated") { Description = "Write a simulated device config mirroring this rig's channels and pixel size." };
        var command = new Command("cfg", "Validate and summarise a Micro-Manager .cfg; optionally write a simulated stand-in for the rig.") { file, simulated };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"{path}: file not found");
                return ProtocolCommands.InvalidExitCode;
            }
            var cfg = MMConfigParser.ParseFile(path);
            if (!cfg.IsValid)
            {
                foreach (var problem in cfg.Problems) Console.Error.WriteLine(problem);
                Console.Error.WriteLine($"{cfg.Problems.Count} problem(s); fix them before loading this configuration.");
                return ProtocolCommands.InvalidExitCode;
            }
            Console.Write(cfg.Summary());
            if (parse.GetValue(simulated) is { } output)
            {
                var rig = cfg.ToRigModel();
                File.WriteAllText(output, SimulatedMirror.Build(rig, ProjectPaths.Resolve(ProjectPaths.DefaultConfig)));
                Console.WriteLine($"wrote {output}: simulated microscope with channels {string.Join(", ", rig.Channels.Select(c => c.Name))}" +
                                  (rig.StartupPixelSize is { } p ? $" and {p.PixelSizeUm} µm/px" : ""));
            }
            return 0;
        });
        return command;
    }
}
