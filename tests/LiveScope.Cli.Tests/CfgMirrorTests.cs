namespace LiveScope.Cli.Tests;

/// <summary>
/// A Micro-Manager rig's .cfg becomes a simulated stand-in with the same channels and pixel size, so a protocol
/// written for the real rig validates and dry-runs before any hardware moves.
/// </summary>
public class CfgMirrorTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("livescope-cfg-").FullName;

    /// <summary>Micro-Manager's own demo configuration, as shipped (kept in the MicroManager tests' data).</summary>
    private static string DemoCfg => Path.Combine(CliProcess.Root, "tests", "LiveScope.MicroManager.Tests", "data", "MMConfig_demo.cfg");

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task A_protocol_written_for_the_demo_rig_dry_runs_on_its_simulated_mirror()
    {
        var mirror = Path.Combine(_work, "demo-mirror.yaml");
        var (exit, output, err) = await CliProcess.RunAsync(_work, "cfg", DemoCfg, "--simulated", mirror);
        exit.Should().Be(0, err);
        output.Should().Contain("wrote").And.Contain("FITC").And.Contain("DAPI");

        // Written for the demo rig: its FITC preset, insulin added by hand (the demo rig has no pump).
        var protocol = Path.Combine(_work, "demo-rig.yaml");
        await File.WriteAllTextAsync(protocol, """
            name: demo-rig-check
            positions: [ { name: here, x_um: 0, y_um: 0, z_um: 50 } ]
            channels: [ { preset: FITC, exposure_ms: 20 } ]
            phases:
              - { name: baseline, interval: 30 s, duration: 1 min }
              - { name: insulin, stimulate: { reagent: insulin, concentration: 100, unit: nM, by: operator } }
              - { name: after, interval: 30 s, duration: 1 min }
            """);
        (exit, _, err) = await CliProcess.RunAsync(_work, "validate", protocol);
        exit.Should().Be(2, "the default simulated microscope has no FITC preset");
        err.Should().Contain("unknown channel preset 'FITC'");

        (exit, output, err) = await CliProcess.RunAsync(_work, "run", protocol, "--config", mirror, "--yes", "--out", "out",
            "--set", "devices.Camera.settings.sensor_width=128", "--set", "devices.Camera.settings.sensor_height=128",
            "--set", "backends.simulated.sample.burn_in_s=0");
        exit.Should().Be(0, output + err);
        output.Should().Contain("Completed: 4 frames kept, 0 dropped");
    }

    [Fact]
    public async Task A_broken_cfg_is_refused_with_its_line_numbers()
    {
        var broken = Path.Combine(_work, "broken.cfg");
        var lines = File.ReadAllLines(DemoCfg).ToList();
        lines.Add("Parent,Ghost,DHub");
        await File.WriteAllLinesAsync(broken, lines);
        var (exit, _, err) = await CliProcess.RunAsync(_work, "cfg", broken);
        exit.Should().Be(2);
        err.Should().MatchRegex($@"{System.Text.RegularExpressions.Regex.Escape(broken)}:{lines.Count}: .*Ghost");
    }
}
