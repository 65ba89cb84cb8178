using LiveScope.Core.Calibration;
using LiveScope.Core.Config;
using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.MicroManager.Backend;
using LiveScope.MicroManager.Core;
using LiveScope.MicroManager.Devices;

namespace LiveScope.MicroManager.Tests;

[Collection(JvmCollection.Name)]
public sealed class BackendTests(StandInInstallation install)
{
    [Fact]
    public async Task The_demo_device_config_lists_the_micromanager_devices_with_their_labels()
    {
        await using var scope = await DemoRig.OpenAsync(install);
        scope.Devices.Keys.Should().BeEquivalentTo("Camera", "XY", "Z", "Shutter", "Channels", "Autofocus", "Galvo");
        scope.Devices.Values.Cast<MMDevice>().Select(d => (d.Name, d.Label)).Should().BeEquivalentTo(new[]
        {
            ("Camera", "Camera"), ("XY", "XY"), ("Z", "Z"), ("Shutter", "White Light Shutter"), ("Channels", "Channel"),
            ("Autofocus", "Autofocus"), ("Galvo", "Galvo"),
        });
        scope.Camera.Should().BeOfType<MMCamera>();
        scope.PhotoTargeter.Should().BeOfType<MMGalvoTargeter>();
        DemoRig.Core(scope).GetRoleDevice(CoreRole.Galvo).Should().Be("Galvo");
    }

    [Fact]
    public async Task Snap_returns_a_pooled_16_bit_frame_with_the_cfg_pixel_size_and_binning_shrinks_it()
    {
        await using var scope = await DemoRig.OpenAsync(install);
        var camera = scope.Camera;
        camera.SensorWidth.Should().Be(512);
        camera.SensorHeight.Should().Be(512);
        camera.PixelSizeUm.Should().Be(1.0, "System/Startup selects the 10X objective, Res10x = 1 µm");
        using (var frame = await camera.SnapAsync(default))
        {
            frame.Width.Should().Be(512);
            frame.Height.Should().Be(512);
            frame.Pixels.ToArray().Average(p => (double)p).Should().BeInRange(300, 500);
            frame.Metadata.ExposureMs.Should().Be(10);
        }
        await camera.ApplyAsync(new CameraSettings { ExposureMs = 2, Binning = 2 }, default);
        using (var binned = await camera.SnapAsync(default))
        {
            binned.Width.Should().Be(256);
            binned.Metadata.Binning.Should().Be(2);
            binned.Metadata.PixelSizeUm.Should().Be(2.0);
        }
        await camera.ApplyAsync(new CameraSettings { ExposureMs = 2, Binning = 1, Roi = new SensorRoi(100, 50, 64, 32) }, default);
        using (var roi = await camera.SnapAsync(default))
            (roi.Width, roi.Height).Should().Be((64, 32));
        scope.FramePool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task Out_of_range_camera_settings_are_refused_before_reaching_the_camera()
    {
        await using var scope = await DemoRig.OpenAsync(install);
        var camera = scope.Camera;
        await camera.Invoking(c => c.ApplyAsync(new CameraSettings { ExposureMs = 1, Binning = 3 }, default))
            .Should().ThrowAsync<DeviceLimitException>().WithMessage("*binning 3 is not offered; allowed: 1, 2, 4, 8*");
        await camera.Invoking(c => c.ApplyAsync(new CameraSettings { ExposureMs = 20_000 }, default))
            .Should().ThrowAsync<DeviceLimitException>().WithMessage("*exceeds the camera's maximum 10000 ms*");
        await camera.Invoking(c => c.ApplyAsync(new CameraSettings { Roi = new SensorRoi(500, 0, 64, 64) }, default))
            .Should().ThrowAsync<DeviceLimitException>().WithMessage("*does not fit the 512×512 sensor*");
    }

    [Fact]
    public async Task Finite_sequence_delivers_every_frame_in_order_and_returns_every_buffer()
    {
        await using var scope = await DemoRig.OpenAsync(install);
        var camera = scope.Camera;
        await camera.ApplyAsync(new CameraSettings { ExposureMs = 1 }, default);
        var numbers = new List<long>();
        await foreach (var frame in camera.StreamAsync(25, default))
        {
            using (frame)
            {
                frame.Width.Should().Be(512);
                numbers.Add(frame.Metadata.SequenceNumber);
            }
        }
        numbers.Should().HaveCount(25).And.BeInAscendingOrder().And.OnlyHaveUniqueItems();
        scope.FramePool.Outstanding.Should().Be(0);
        DemoRig.Core(scope).IsSequenceRunning("Camera").Should().BeFalse();
        DemoRig.Core(scope).GetRemainingImageCount().Should().Be(0);
    }

    [Fact]
    public async Task Continuous_sequence_runs_until_cancelled_then_stops_and_drains()
    {
        await using var scope = await DemoRig.OpenAsync(install);
        var camera = scope.Camera;
        await camera.ApplyAsync(new CameraSettings { ExposureMs = 1 }, default);
        using var cts = new CancellationTokenSource();
        int count = 0;
        var act = async () =>
        {
            await foreach (var frame in camera.StreamAsync(0, cts.Token))
            {
                frame.Dispose();
                if (++count == 15) cts.Cancel();
            }
        };
        await act.Should().ThrowAsync<OperationCanceledException>();
        count.Should().Be(15);
        var core = DemoRig.Core(scope);
        core.IsSequenceRunning("Camera").Should().BeFalse();
        core.GetRemainingImageCount().Should().Be(0);
        scope.FramePool.Outstanding.Should().Be(0);
        // The camera is usable again afterwards.
        using var after = await camera.SnapAsync(default);
        after.Width.Should().Be(512);
    }

    [Fact]
    public async Task Stages_move_and_read_back_like_the_demo_stages_and_limits_are_enforced()
    {
        await using var scope = await DemoRig.OpenAsync(install);
        await scope.XYStage!.MoveToAsync(new StagePositionUm(123.5, -45.25), default);
        var xy = await scope.XYStage.GetPositionAsync(default);
        xy.XUm.Should().BeApproximately(123.495, 1e-9, "DXYStage moves in 0.015 µm steps");
        xy.YUm.Should().BeApproximately(-45.255, 1e-9);
        await scope.Focus!.MoveToAsync(12.25, default);
        (await scope.Focus.GetPositionAsync(default)).Should().Be(12.25);
        await scope.Focus.Invoking(f => f.MoveToAsync(600, default)).Should().ThrowAsync<DeviceLimitException>();
        (await scope.Focus.GetPositionAsync(default)).Should().Be(12.25, "a refused move never reaches the stage");
    }

    [Fact]
    public async Task Galvo_calibration_closes_the_loop_through_the_spot_painted_into_camera_images()
    {
        await using var scope = await DemoRig.OpenAsync(install);
        await scope.Camera.ApplyAsync(new CameraSettings { ExposureMs = 1 }, default);
        var galvo = scope.PhotoTargeter!;
        galvo.TargetRange.Should().Be(new TargetBounds(0, 0, 10, 10));
        var result = await PhotoTargeterCalibrator.CalibrateAsync(galvo, scope.Camera,
            new CalibrationOptions { GridSize = 3, Dwell = TimeSpan.FromMilliseconds(20) });
        result.RmsResidualPx.Should().BeLessThan(1.0);
        // The stand-in paints the spot centre at 25 + x/10·492 px (x) and 20 + y/10·497 px (y).
        var target = result.CameraToTarget.Apply(new PixelPoint(25 + 0.5 * 492, 20 + 0.5 * 497));
        target.X.Should().BeApproximately(5, 0.1);
        target.Y.Should().BeApproximately(5, 0.1);
        galvo.LaserOn.Should().BeFalse();
    }

    [Fact]
    public async Task Bleaching_a_polygon_uses_the_galvo_polygon_calls_and_points_fire_one_by_one()
    {
        await using var scope = await DemoRig.OpenAsync(install);
        var galvo = scope.PhotoTargeter!;
        galvo.CameraToTarget = new AffineTransform2D(0.02, 0, 0, 0, 0.02, 0); // 500 px ↔ 10 units
        var settings = new BleachSettings(TimeSpan.FromMilliseconds(1), 0.5);
        await galvo.BleachAsync(new BleachPolygon([new(100, 100), new(200, 100), new(150, 200)]), settings, default);
        var core = DemoRig.Core(scope);
        StandInQuery(core, "standInPolygonVertexCount").Should().Be(3);
        StandInQuery(core, "standInPolygonRuns").Should().Be(1);
        await galvo.Invoking(g => g.BleachAsync(new BleachPoint(new PixelPoint(5000, 0)), settings, default))
            .Should().ThrowAsync<DeviceLimitException>().WithMessage("*outside the galvo's range*");
        galvo.LaserOn.Should().BeFalse();
    }

    private static int StandInQuery(MMCore core, string method) => core.Int("Galvo", method, "()I");

    [Fact]
    public async Task MMCore_errors_become_MicroManagerExceptions_with_MMCores_message()
    {
        await using var scope = await DemoRig.OpenAsync(install);
        var core = DemoRig.Core(scope);
        var e = core.Invoking(c => c.GetProperty("NoSuchDevice", "Exposure")).Should().Throw<MicroManagerException>().Which;
        e.MMCoreMessage.Should().Be("No device with label \"NoSuchDevice\"");
        e.Device.Should().Be("NoSuchDevice");
        e.Operation.Should().Be("getProperty");
        e.JavaClass.Should().Be("java.lang.Exception");
        e.Should().BeAssignableTo<DeviceException>();
        core.Invoking(c => c.PopNextImageInto("Camera", scope.FramePool.Rent(512, 512)))
            .Should().Throw<MicroManagerException>().Which.MMCoreMessage.Should().Be("Circular buffer is empty.");
        // The core is still fine after the errors.
        core.GetProperty("Camera", "PixelType").Should().Be("16bit");
    }

    [Fact]
    public async Task MMCore_callbacks_arrive_as_dotnet_events()
    {
        await using var scope = await DemoRig.OpenAsync(install);
        var events = DemoRig.Core(scope).Events;
        var xy = new TaskCompletionSource<XYStagePositionChangedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var z = new TaskCompletionSource<StagePositionChangedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var exposure = new TaskCompletionSource<ExposureChangedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var property = new TaskCompletionSource<PropertyChangedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        events.XYStagePositionChanged += (_, e) => xy.TrySetResult(e);
        events.StagePositionChanged += (_, e) => z.TrySetResult(e);
        events.ExposureChanged += (_, e) => exposure.TrySetResult(e);
        events.PropertyChanged += (_, e) => { if (e.Property == "Mode") property.TrySetResult(e); };

        await scope.XYStage!.MoveToAsync(new StagePositionUm(30, 60), default);
        await scope.Focus!.MoveToAsync(-7.5, default);
        await scope.Camera.ApplyAsync(new CameraSettings { ExposureMs = 3.5 }, default);
        DemoRig.Core(scope).SetProperty("Camera", "Mode", "Noise");

        var timeout = TimeSpan.FromSeconds(10);
        (await xy.Task.WaitAsync(timeout)).Should().Be(new XYStagePositionChangedEvent("XY", 30, 60));
        (await z.Task.WaitAsync(timeout)).Should().Be(new StagePositionChangedEvent("Z", -7.5));
        (await exposure.Task.WaitAsync(timeout)).Should().Be(new ExposureChangedEvent("Camera", 3.5));
        (await property.Task.WaitAsync(timeout)).Should().Be(new PropertyChangedEvent("Camera", "Mode", "Noise"));
    }

    [Fact]
    public async Task The_channel_group_is_a_light_source_whose_presets_are_channels()
    {
        await using var scope = await DemoRig.OpenAsync(install);
        var light = scope.LightSource!;
        light.Channels.Select(c => c.Name).Should().Equal("FITC", "Rhodamine", "DAPI", "Cy5");
        light.Channels.Single(c => c.Name == "FITC").Should().Be(new ChannelPreset("FITC", 480, "Chroma-HQ535", 1.0, 10));
        await light.SelectChannelAsync("DAPI", default);
        light.ActiveChannel!.Name.Should().Be("DAPI");
        DemoRig.Core(scope).GetCurrentConfig("Channel").Should().Be("DAPI");
        DemoRig.Core(scope).GetProperty("Excitation", "Label").Should().Be("Chroma-D360");
        await light.Invoking(l => l.SelectChannelAsync("GFP", default)).Should().ThrowAsync<DeviceLimitException>()
            .WithMessage("*no preset 'GFP' in group 'Channel'*");
    }

    [Fact]
    public async Task Making_the_rig_safe_closes_the_shutter_and_turns_the_galvo_off()
    {
        var scope = await DemoRig.OpenAsync(install);
        var core = DemoRig.Core(scope);
        await scope.Shutter!.SetOpenAsync(true, default);
        core.GetShutterOpen("White Light Shutter").Should().BeTrue();
        scope.Shutter.IsOpen.Should().BeTrue();
        (await scope.MakeSafeAsync()).Should().BeEmpty();
        core.GetShutterOpen("White Light Shutter").Should().BeFalse();
        scope.Shutter.IsOpen.Should().BeFalse();
        await scope.DisposeAsync();
        core.Invoking(c => c.GetVersionInfo()).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task Autofocus_reports_the_focus_position()
    {
        await using var scope = await DemoRig.OpenAsync(install);
        await scope.Focus!.MoveToAsync(3, default);
        var result = await scope.Autofocus!.FocusAsync(default);
        result.Success.Should().BeTrue();
        result.ZUm.Should().Be(3);
    }

    [Fact]
    public async Task Bad_backend_settings_fail_at_their_key_in_the_device_config()
    {
        var missing = Path.Combine(install.Root, "nowhere");
        var e = await FluentActions.Invoking(() => DemoRig.OpenAsync(install, ("backends.micromanager.installation", missing)))
            .Should().ThrowAsync<ConfigException>();
        e.Which.KeyPath.Should().Be("backends.micromanager.installation");
        e.Which.Problem.Should().Be($"folder '{missing}' does not exist");

        var badRole = await FluentActions.Invoking(() => DemoRig.OpenAsync(install, ("backends.micromanager.roles.galvo", "Galvoo")))
            .Should().ThrowAsync<ConfigException>();
        badRole.Which.KeyPath.Should().Be("backends.micromanager.roles.galvo");
        badRole.Which.Problem.Should().Be("No device with label \"Galvoo\"");
    }

    [Fact]
    public async Task A_broken_cfg_is_refused_before_MMCore_loads_it()
    {
        var broken = Path.Combine(install.Root, "broken.cfg");
        await File.WriteAllTextAsync(broken, "Device,Camera,DemoCamera,DCam\nParent,Camera,DHub\n");
        var e = await FluentActions.Invoking(() => DemoRig.OpenAsync(install, ("backends.micromanager.config", broken)))
            .Should().ThrowAsync<ConfigException>();
        e.Which.KeyPath.Should().Be("backends.micromanager.config");
        e.Which.Problem.Should().Be($"the Micro-Manager configuration has 1 problem(s): {broken}:2: missing parent: device 'Camera' names parent 'DHub', which no Device line before it defines");
    }
}
