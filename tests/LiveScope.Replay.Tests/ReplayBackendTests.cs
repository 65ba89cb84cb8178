using LiveScope.Core.Config;
using LiveScope.Core.Hardware;
using LiveScope.Simulation;
using LiveScope.Simulation.Timing;

namespace LiveScope.Replay.Tests;

/// <summary>The backend as a device-config file uses it: a replay camera among simulated devices, and every bad input.</summary>
public sealed class ReplayBackendTests : IDisposable
{
    private readonly Recordings _files = new();

    private static MicroscopeLoader Loader() =>
        new(new DeviceBackendRegistry().Register(new SimulatedBackend()).Register(new ReplayBackend()));

    /// <summary>Writes a config beside the recordings: a replay camera with <paramref name="cameraSettings"/>, a simulated stage.</summary>
    private string Config(string cameraSettings, string extraDevice = "")
    {
        var path = Path.Combine(_files.Folder, $"rig-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $$"""
            name: replay-test
            backends:
              simulated: { seed: 3, time_scale: 0 }
            devices:
              - name: Camera
                backend: replay
                kind: camera
                settings: {{cameraSettings}}
              - { name: XY, backend: simulated, kind: xy_stage }
            {{extraDevice}}
            roles: { camera: Camera, xy_stage: XY }
            """);
        return path;
    }

    [Fact]
    public async Task A_replay_camera_mixes_with_simulated_devices_and_paces_on_their_clock()
    {
        _files.TimeSeries("field_1", [0, 2000, 4000]);
        await using var scope = await Loader().LoadAsync(Config("{ file: field_1.ome.tif }")); // relative to the config's folder

        scope.Camera.Should().BeOfType<ReplayCamera>();
        scope.Clock.Should().BeOfType<SimulatedClock>();
        var start = scope.Clock.Now;
        for (int i = 0; i < 3; i++) (await scope.Camera.SnapAsync(CancellationToken.None)).Dispose();
        (scope.Clock.Now - start).Should().Be(TimeSpan.FromSeconds(4), "the camera waited on the simulated clock for each plane");
    }

    [Fact]
    public async Task A_run_folder_with_several_positions_needs_a_position_and_serves_that_one()
    {
        _files.TimeSeries("field_1", [0, 100], seed: 1);
        var (_, second) = _files.TimeSeries("field_2", [0, 100], seed: 2);

        var act = () => Loader().LoadAsync(Config($"{{ file: '{_files.Folder}' }}"));
        (await act.Should().ThrowAsync<ConfigException>()).Which.Message
            .Should().Contain("position").And.Contain("field_1").And.Contain("field_2");

        await using var scope = await Loader().LoadAsync(Config($"{{ file: '{_files.Folder}', position: field_2 }}"));
        using var frame = await scope.Camera.SnapAsync(CancellationToken.None);
        frame.Pixels.ToArray().Should().Equal(second[0].Pixels);
    }

    [Theory]
    [InlineData("{ rate: original }", "settings.file", "is required")]
    [InlineData("{ file: missing.ome.tif }", "settings.file", "missing.ome.tif: does not exist")]
    [InlineData("{ file: field_1.ome.tif, rate: fast }", "settings.rate", "neither 'original' nor a number")]
    [InlineData("{ file: field_1.ome.tif, rate: -5 }", "settings.rate", "neither 'original' nor a number")]
    [InlineData("{ file: field_1.ome.tif, channel: DAPI }", "settings.channel", "no channel 'DAPI'")]
    [InlineData("{ file: field_1.ome.tif, z_index: 4 }", "settings.z_index", "no z-slice 4")]
    [InlineData("{ file: field_1.ome.tif, exposure: 5 }", "settings.exposure", "unknown key")]
    public async Task Bad_settings_fail_at_their_key_with_file_and_line(string settings, string keyPath, string problem)
    {
        _files.TimeSeries("field_1", [0, 100]);
        var config = Config(settings);

        var error = (await Loader().Invoking(l => l.LoadAsync(config)).Should().ThrowAsync<ConfigException>()).Which;

        error.Message.Should().Contain(problem);
        error.KeyPath.Should().Be("devices[0]." + keyPath);
        error.Location.File.Should().Be(config);
        error.Location.Line.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task A_file_that_is_not_a_TIFF_is_refused_naming_it()
    {
        File.WriteAllText(Path.Combine(_files.Folder, "notes.ome.tif"), "this is not an image");

        var act = () => Loader().LoadAsync(Config("{ file: notes.ome.tif }"));

        (await act.Should().ThrowAsync<ConfigException>()).Which.Message
            .Should().Contain("notes.ome.tif").And.Contain("not a readable 16-bit OME-TIFF").And.Contain("settings.file");
    }

    [Fact]
    public async Task A_truncated_file_is_refused_when_the_config_loads_not_mid_run()
    {
        var (path, _) = _files.TimeSeries("cut", [0, 100, 200], width: 256, height: 256);
        // A file cut short (a copy that stopped half-way) loses the directories written after the pixels.
        using (var s = new FileStream(path, FileMode.Open, FileAccess.ReadWrite)) s.SetLength(s.Length / 2);

        var act = () => Loader().LoadAsync(Config("{ file: cut.ome.tif }"));

        (await act.Should().ThrowAsync<ConfigException>()).Which.Message.Should().Contain("cut.ome.tif").And.Contain("settings.file");
    }

    [Fact]
    public async Task Several_channels_without_a_choice_are_refused_listing_them()
    {
        _files.Write("two", [new(0, 0, 0, 0, Recordings.RandomPixels(1)), new(0, 1, 0, 0, Recordings.RandomPixels(2))], ["GFP", "mCherry"]);

        var act = () => Loader().LoadAsync(Config("{ file: two.ome.tif }"));

        (await act.Should().ThrowAsync<ConfigException>()).Which.Message
            .Should().Contain("settings.channel").And.Contain("GFP").And.Contain("mCherry");
    }

    [Fact]
    public async Task Original_rate_needs_timestamps_and_a_forced_rate_does_not()
    {
        _files.TimeSeries("untimed", [0, 0, 0]);

        var act = () => Loader().LoadAsync(Config("{ file: untimed.ome.tif }"));
        (await act.Should().ThrowAsync<ConfigException>()).Which.Message.Should().Contain("settings.rate").And.Contain("timestamps");

        await using var scope = await Loader().LoadAsync(Config("{ file: untimed.ome.tif, rate: 10 }"));
        ((ReplayCamera)scope.Camera).Rate.FramesPerSecond.Should().Be(10);
    }

    [Fact]
    public async Task The_replay_backend_makes_no_stages()
    {
        _files.TimeSeries("field_1", [0, 100]);
        var config = Config("{ file: field_1.ome.tif }", "  - { name: Z, backend: replay, kind: focus_stage }");

        var act = () => Loader().LoadAsync(config);

        (await act.Should().ThrowAsync<ConfigException>()).Which.Message.Should().Contain("cameras and autofocus only").And.Contain("focus_stage");
    }

    [Fact]
    public async Task Its_autofocus_keeps_the_recorded_focus_and_moves_nothing()
    {
        _files.TimeSeries("field_1", [0, 100]);
        var path = Path.Combine(_files.Folder, "rig-af.yaml");
        File.WriteAllText(path, """
            backends: { simulated: { time_scale: 0 } }
            devices:
              - { name: Camera, backend: replay, kind: camera, settings: { file: field_1.ome.tif } }
              - { name: Z, backend: simulated, kind: focus_stage, settings: { min_um: 0, max_um: 100, start_um: 42 } }
              - { name: AF, backend: replay, kind: autofocus }
            roles: { camera: Camera, focus: Z, autofocus: AF }
            """);
        await using var scope = await Loader().LoadAsync(path);

        var result = await scope.Autofocus!.FocusAsync(CancellationToken.None);

        result.Success.Should().BeTrue();
        result.ZUm.Should().Be(42);
        (await scope.Focus!.GetPositionAsync(CancellationToken.None)).Should().Be(42);
    }

    public void Dispose() => _files.Dispose();
}
