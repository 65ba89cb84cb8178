using System.CommandLine;
using LiveScope.Cli.Hosting;
using LiveScope.Core.Config;
using LiveScope.Core.Hardware;
using Serilog.Events;
using Spectre.Console;

namespace LiveScope.Cli.Commands;

/// <summary><c>livescope devices</c>: what a device config contains, opened for real.</summary>
public static class DevicesCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var set = CommonOptions.Set();
        var command = new Command("devices", "List the configured devices and their roles.") { config, set };
        command.SetAction(async (parse, _) =>
        {
            using var shutdown = new Shutdown();
            var ct = shutdown.Token;
            using var loggers = Logging.Create(LogEventLevel.Warning);
            var path = ProjectPaths.Resolve(parse.GetValue(config)!);
            await using var scope = await new MicroscopeLoader(Backends.Create(), loggers)
                .LoadAsync(path, CommonOptions.Overrides(parse.GetValue(set)), ct);
            var roles = scope.Roles.GroupBy(r => r.Value).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(r => ConfigBinder.KeyName(r.Key.ToString()))));
            var table = new Table().Title($"{Markup.Escape(scope.Name)} ({Markup.Escape(path)})")
                .AddColumns("Device", "Kind", "Roles", "Implementation");
            foreach (var (name, device) in scope.Devices)
                table.AddRow(Markup.Escape(name), ConfigBinder.KeyName(device.Kind.ToString()),
                    Markup.Escape(roles.GetValueOrDefault(name, "")), Markup.Escape(device.GetType().Name));
            AnsiConsole.Write(table);
            var cam = scope.Camera;
            AnsiConsole.MarkupLine($"Camera: {cam.SensorWidth}×{cam.SensorHeight} px, {cam.BitDepth}-bit, {cam.PixelSizeUm} µm/px; " +
                                   $"limits: exposure ≤ {scope.Limits.MaxExposureMs} ms, bleach power ≤ {scope.Limits.MaxBleachPowerFraction}");
            return 0;
        });
        return command;
    }
}
