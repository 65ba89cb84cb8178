using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Core.Hardware;
using LiveScope.Simulation.Devices;
using LiveScope.Simulation.Options;

namespace LiveScope.Simulation.Tests;

public class SafetyTests
{
    private static string ConfigPath => Path.Combine(Rig.RepoRoot(), "device-configs", "simulated.yaml");

    [Fact]
    public async Task Make_safe_after_a_bleach_leaves_laser_off_shutter_closed_and_pump_stopped()
    {
        var loader = new MicroscopeLoader(new DeviceBackendRegistry().Register(new SimulatedBackend()));
        await using var scope = await loader.LoadAsync(ConfigPath);
        var session = ((SimulatedDevice)scope.Camera).Session;
        await scope.Shutter!.SetOpenAsync(true, default);
        await scope.PhotoTargeter!.BleachAsync(new BleachCircle(new PixelPoint(200, 200), 5), new BleachSettings(TimeSpan.FromMilliseconds(3), 0.5), default);
        session.Safety.ShutterOpen.Should().BeTrue();
        session.Safety.LaserFirings.Should().BeGreaterThan(1);

        var failures = await scope.MakeSafeAsync();

        failures.Should().BeEmpty();
        var safety = session.Safety;
        safety.LaserOn.Should().BeFalse();
        safety.ShutterOpen.Should().BeFalse();
        safety.Pumping.Should().BeFalse();
        safety.Streaming.Should().BeFalse();
        safety.LightPowerFraction.Should().Be(0);
        safety.IsSafe.Should().BeTrue();
        safety.MakeSafeCalls.Should().Be(scope.Devices.Count);
    }

    [Fact]
    public async Task Make_safe_stops_a_running_pump_and_a_running_stream()
    {
        await using var rig = Rig.Open(new SimulationOptions { Seed = 2, TimeScale = 1 });
        var adding = rig.Pump.AddReagentAsync(new ReagentAddition("insulin", 100, "nM"), default);
        var streamed = 0;
        var streaming = Task.Run(async () =>
        {
            await foreach (var f in rig.Camera.StreamAsync(0, default))
                using (f) streamed++;
        });
        for (int i = 0; i < 400 && !(rig.Pump.IsPumping && rig.Camera.IsStreaming && streamed > 0); i++) await Task.Delay(10);
        rig.Session.Safety.Pumping.Should().BeTrue();
        rig.Session.Safety.Streaming.Should().BeTrue();

        foreach (var device in rig.Session.Devices) await device.MakeSafeAsync(default);

        await adding.Invoking(t => t).Should().ThrowAsync<DeviceException>();
        await streaming.WaitAsync(TimeSpan.FromSeconds(10));
        rig.Session.Safety.IsSafe.Should().BeTrue();
        rig.Session.Sample.Condition.Additions.Should().BeEmpty("a stopped addition never reaches the cells");
        rig.Pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public async Task A_cancelled_bleach_turns_the_laser_off()
    {
        await using var rig = Rig.Open(new SimulationOptions { Seed = 2, TimeScale = 1 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var bleach = rig.Targeter.BleachAsync(new BleachCircle(new PixelPoint(256, 256), 20),
            new BleachSettings(TimeSpan.FromMilliseconds(20), 0.5), cts.Token);
        await bleach.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        rig.Targeter.LaserOn.Should().BeFalse();
    }

    [Fact]
    public async Task Requests_beyond_the_limits_are_refused()
    {
        await using var rig = Rig.Open();
        await rig.XY.Invoking(s => s.MoveToAsync(new StagePositionUm(6000, 0), default)).Should().ThrowAsync<DeviceLimitException>();
        await rig.Focus.Invoking(s => s.MoveToAsync(-1, default)).Should().ThrowAsync<DeviceLimitException>();
        await rig.Targeter.Invoking(t => t.FireAtTargetAsync(new PixelPoint(10, 10), TimeSpan.FromMilliseconds(1), 1.5, default))
            .Should().ThrowAsync<DeviceLimitException>();
        await rig.Camera.Invoking(c => c.ApplyAsync(new CameraSettings { ExposureMs = -1 }, default)).Should().ThrowAsync<DeviceLimitException>();
        await rig.Camera.Invoking(c => c.ApplyAsync(new CameraSettings { Binning = 3 }, default)).Should().ThrowAsync<DeviceLimitException>();
        await rig.Pump.Invoking(p => p.AddReagentAsync(new ReagentAddition("glucose", 5, "mM"), default)).Should().ThrowAsync<DeviceLimitException>();
        rig.Targeter.LaserOn.Should().BeFalse();
    }

    [Fact]
    public async Task A_cancelled_snap_returns_its_frame_to_the_pool()
    {
        await using var rig = Rig.Open(new SimulationOptions { Seed = 2, TimeScale = 1 });
        await rig.Camera.ApplyAsync(new CameraSettings { ExposureMs = 2000 }, default);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await rig.Camera.Invoking(c => c.SnapAsync(cts.Token)).Should().ThrowAsync<OperationCanceledException>();
        rig.Pool.Outstanding.Should().Be(0);
        rig.Shutter.IsOpen.Should().BeFalse("the auto-shutter closes again when the exposure is abandoned");
    }
}

public class DisposalTests
{
    [Fact]
    public async Task Devices_and_session_can_be_disposed_in_any_order_more_than_once()
    {
        var rig = Rig.Open();
        (await rig.Camera.SnapAsync(default)).Dispose();
        foreach (var d in rig.Session.Devices) await d.DisposeAsync();
        await rig.Session.Invoking(s => s.DisposeAsync().AsTask()).Should().NotThrowAsync();
        await rig.Session.Invoking(s => s.DisposeAsync().AsTask()).Should().NotThrowAsync();
    }
}
