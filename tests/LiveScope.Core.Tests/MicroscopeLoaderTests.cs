using LiveScope.Core.Config;
using LiveScope.Core.Hardware;

namespace LiveScope.Core.Tests;

public class MicroscopeLoaderTests
{
    private const string Good = """
        name: test rig
        devices:
          - { name: Cam, backend: fake, kind: camera }
          - { name: Laser, backend: fake, kind: photo_targeter }
          - { name: Pump, backend: fake, kind: liquid_handler }
          - { name: Shutter, backend: fake, kind: shutter }
        roles:
          camera: Cam
          photo_targeter: Laser
          liquid_handler: Pump
          shutter: Shutter
        limits:
          max_exposure_ms: 500
        """;

    private static (MicroscopeLoader, FakeBackend) Loader()
    {
        var backend = new FakeBackend();
        return (new MicroscopeLoader(new DeviceBackendRegistry().Register(backend)), backend);
    }

    private static async Task<ConfigException> LoadFails(string yaml)
    {
        var (loader, _) = Loader();
        var act = async () => await loader.LoadAsync(ConfigNode.Parse(yaml, "rig.yaml"));
        return (await act.Should().ThrowAsync<ConfigException>()).Which;
    }

    [Fact]
    public async Task A_good_file_gives_devices_roles_and_limits()
    {
        var (loader, _) = Loader();
        await using var scope = await loader.LoadAsync(ConfigNode.Parse(Good, "rig.yaml"));
        scope.Name.Should().Be("test rig");
        scope.Camera.Name.Should().Be("Cam");
        scope.PhotoTargeter!.Name.Should().Be("Laser");
        scope.XYStage.Should().BeNull();
        scope.Limits.MaxExposureMs.Should().Be(500);
        scope.Limits.MaxBleachDwellMs.Should().Be(new MicroscopeLimits().MaxBleachDwellMs);
    }

    [Fact]
    public async Task An_unknown_backend_names_line_column_and_suggests()
    {
        var e = await LoadFails("""
            devices:
              - name: Cam
                backend: fak
                kind: camera
            roles: { camera: Cam }
            """);
        e.Message.Should().Be("rig.yaml:3:14: devices[0].backend: unknown backend 'fak' (did you mean 'fake'?); known backends: fake");
    }

    [Fact]
    public async Task An_unknown_kind_is_an_error()
    {
        var e = await LoadFails("""
            devices:
              - { name: Cam, backend: fake, kind: camra }
            roles: { camera: Cam }
            """);
        e.Location.Line.Should().Be(2);
        e.KeyPath.Should().Be("devices[0].kind");
        e.Problem.Should().StartWith("unknown device kind 'camra' (did you mean 'camera'?)");
    }

    [Fact]
    public async Task A_missing_camera_role_is_an_error()
    {
        var e = await LoadFails("""
            devices:
              - { name: Cam, backend: fake, kind: camera }
            roles: {}
            """);
        e.Message.Should().Be("rig.yaml:3:8: roles.camera: is required: every microscope needs a camera role");
    }

    [Fact]
    public async Task A_role_naming_an_unknown_device_or_the_wrong_kind_is_an_error()
    {
        (await LoadFails("""
            devices:
              - { name: Cam, backend: fake, kind: camera }
            roles: { camera: Cma }
            """)).Message.Should().Be("rig.yaml:3:18: roles.camera: no device named 'Cma' (did you mean 'Cam'?)");
        (await LoadFails("""
            devices:
              - { name: Cam, backend: fake, kind: camera }
              - { name: Pump, backend: fake, kind: liquid_handler }
            roles: { camera: Cam, shutter: Pump }
            """)).Problem.Should().Be("device 'Pump' is a liquid_handler, but role shutter needs a shutter");
    }

    [Fact]
    public async Task Unknown_keys_and_out_of_range_limits_are_errors()
    {
        (await LoadFails(Good.Replace("limits:", "limts:"))).Problem.Should().StartWith("unknown key (did you mean 'limits'?)");
        (await LoadFails(Good.Replace("max_exposure_ms: 500", "max_exposure_ms: fast"))).Message
            .Should().Be("rig.yaml:13:20: limits.max_exposure_ms: expected a number, found 'fast'");
    }

    [Fact]
    public async Task Devices_created_before_an_error_are_made_safe_and_disposed()
    {
        var (loader, backend) = Loader();
        var act = async () => await loader.LoadAsync(ConfigNode.Parse("""
            devices:
              - { name: Laser, backend: fake, kind: photo_targeter }
              - { name: Cam, backend: fake, kind: camera }
            roles: { camera: Laser }
            """, "rig.yaml"));
        await act.Should().ThrowAsync<ConfigException>();
        backend.Created.Should().OnlyContain(d => d.Disposed);
        backend.SafetyLog.Should().Contain("Laser");
        backend.Disposed.Should().BeTrue();
    }

    [Fact]
    public async Task Make_safe_turns_the_laser_off_first_and_goes_on_past_a_failing_device()
    {
        var (loader, backend) = Loader();
        var yaml = Good.Replace("{ name: Pump, backend: fake, kind: liquid_handler }",
            "{ name: Pump, backend: fake, kind: liquid_handler, settings: { fail_make_safe: true } }");
        var scope = await loader.LoadAsync(ConfigNode.Parse(yaml, "rig.yaml"));
        var failures = await scope.MakeSafeAsync();
        failures.Should().ContainSingle().Which.Message.Should().Contain("Pump refuses");
        backend.SafetyLog.Should().Equal("Laser", "Shutter", "Pump", "Cam");
        await scope.DisposeAsync();
        backend.Created.Should().OnlyContain(d => d.Disposed);
    }

    [Fact]
    public async Task Overrides_replace_values_before_loading()
    {
        var (loader, _) = Loader();
        var path = Path.Combine(Path.GetTempPath(), $"rig-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, Good);
        try
        {
            await using var scope = await loader.LoadAsync(path,
                [ConfigOverrides.Parse("limits.max_exposure_ms=42"), ConfigOverrides.Parse("devices.Pump.settings.fail_make_safe=true")]);
            scope.Limits.MaxExposureMs.Should().Be(42);
            (await scope.MakeSafeAsync()).Should().ContainSingle("the override reached the device named Pump");
            var act = () => loader.LoadAsync(path, [ConfigOverrides.Parse("devices.Pmp.settings.x=1")]);
            (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be($"override 'devices.Pmp.settings.x': no 'Pmp' to set in {path}");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
