using System.CommandLine;
using LiveScope.Cli.Hosting;
using LiveScope.Core.Config;

namespace LiveScope.Cli.Commands;

/// <summary>Options several commands share, defined once.</summary>
public static class CommonOptions
{
    public static Option<string> Config() => new("--config", "-c")
    {
        Description = "Device-config file (YAML) naming the microscope's devices and roles.",
        DefaultValueFactory = _ => ProjectPaths.DefaultConfig,
    };

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override a device-config value, key.path=value (e.g. backends.simulated.seed=7). Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<bool> Verbose() => new("--verbose", "-v") { Description = "Show debug messages on the console." };

    public static List<KeyValuePair<string, string>> Overrides(string[]? set) => (set ?? []).Select(ConfigOverrides.Parse).ToList();
}
