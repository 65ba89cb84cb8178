using LiveScope.Core.Config;
using LiveScope.Core.Hardware;
using LiveScope.Simulation.Devices;

namespace LiveScope.Simulation.Tests;

public class LoaderTests
{
    private static string ConfigPath => Path.Combine(Rig.RepoRoot(), "device-configs", "simulated.yaml");

    [Fact]
    public async Task The_default_config_gives_a_microscope_with_every_role_that_snaps()
    {
        var loader = new MicroscopeLoader(new DeviceBackendRegistry().Register(new SimulatedBackend()));
        await using var scope = await loader.LoadAsync(ConfigPath);

        scope.Roles.Keys.Should().BeEquivalentTo(Enum.GetValues<MicroscopeRole>());
        scope.Clock.Should().BeOfType<LiveScope.Simulation.Timing.SimulatedClock>();
        scope.XYStage.Should().NotBeNull();
        scope.Focus.Should().NotBeNull();
        scope.PhotoTargeter.Should().NotBeNull();
        scope.LightSource.Should().NotBeNull();
        scope.Shutter.Should().NotBeNull();
        scope.LiquidHandler.Should().NotBeNull();
        scope.Autofocus.Should().NotBeNull();

        using var frame = await scope.Camera.SnapAsync(CancellationToken.None);
        frame.Width.Should().Be(512);
        frame.Metadata.PixelSizeUm.Should().Be(0.1625);
        frame.Metadata.Channel.Should().Be("GFP");
        scope.Clock.Now.Should().Be(TimeSpan.FromMilliseconds(60), "a 50 ms exposure and 10 ms readout pass on the simulated clock");
    }

    [Fact]
    public async Task A_negative_read_noise_fails_at_its_file_line_and_column()
    {
        var lines = File.ReadAllLines(ConfigPath);
        int index = Array.FindIndex(lines, l => l.TrimStart().StartsWith("read_noise_e:"));
        index.Should().BeGreaterThan(0);
        int column = lines[index].IndexOf("1.6", StringComparison.Ordinal) + 1;
        lines[index] = lines[index].Replace("1.6", "-1.6");
        var bad = Path.Combine(Path.GetTempPath(), $"livescope-bad-{Guid.NewGuid():N}.yaml");
        await File.WriteAllLinesAsync(bad, lines);
        try
        {
            var loader = new MicroscopeLoader(new DeviceBackendRegistry().Register(new SimulatedBackend()));
            var act = () => loader.LoadAsync(bad);
            var error = (await act.Should().ThrowAsync<ConfigException>()).Which;
            error.Location.File.Should().Be(bad);
            error.Location.Line.Should().Be(index + 1);
            error.Location.Column.Should().Be(column);
            error.KeyPath.Should().Be("backends.simulated.camera_noise.read_noise_e");
            error.Message.Should().StartWith($"{bad}:{index + 1}:{column}:");
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public async Task A_bad_device_setting_fails_at_its_line()
    {
        var text = (await File.ReadAllTextAsync(ConfigPath)).Replace("spot_diameter_px: 3", "spot_diameter_px: -3");
        var act = () => new MicroscopeLoader(new DeviceBackendRegistry().Register(new SimulatedBackend()))
            .LoadAsync(ConfigNode.Parse(text, "inline.yaml"));
        var error = (await act.Should().ThrowAsync<ConfigException>()).Which;
        error.KeyPath.Should().EndWith("settings.spot_diameter_px");
        error.Location.Line.Should().Be(text.Split('\n').ToList().FindIndex(l => l.Contains("spot_diameter_px")) + 1);
    }
}

public class OptionValidationTests
{
    [Fact]
    public void A_singular_misalignment_fails_where_it_is_written()
    {
        var node = LiveScope.Core.Config.ConfigNode.Parse("misalignment: { a: 1, b: 2, c: 0, d: 2, e: 4, f: 0 }\n", "frap.yaml");
        var act = () => LiveScope.Core.Config.ConfigBinder.Bind<LiveScope.Simulation.Options.SimPhotoTargeterOptions>(node);
        act.Should().Throw<LiveScope.Core.Config.ConfigException>().Which.Message.Should().StartWith("frap.yaml:1:1:").And.Contain("singular");
    }

    [Fact]
    public void Overlapping_cells_are_refused()
    {
        var node = LiveScope.Core.Config.ConfigNode.Parse("sample:\n  cell_spacing_um: 10\n", "sim.yaml");
        var act = () => LiveScope.Core.Config.ConfigBinder.Bind<LiveScope.Simulation.Options.SimulationOptions>(node);
        act.Should().Throw<LiveScope.Core.Config.ConfigException>().Which.Message.Should().Contain("overlap");
    }
}
