using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Simulation.Options;

namespace LiveScope.Simulation.Tests;

public class FaultInjectionTests
{
    [Fact]
    public async Task Faults_are_off_by_default()
    {
        await using var rig = Rig.Open(new SimulationOptions { Seed = 1 }, "sensor_width: 32\nsensor_height: 32");
        for (int i = 0; i < 50; i++)
        {
            (await rig.Camera.SnapAsync(default)).Dispose();
            await rig.XY.MoveToAsync(new StagePositionUm(i, 0), default);
        }
        rig.Session.Faults.InjectedCameraTimeouts.Should().Be(0);
        rig.Session.Faults.InjectedStageErrors.Should().Be(0);
    }

    [Fact]
    public async Task Enabled_faults_raise_the_core_exceptions_at_about_their_probability()
    {
        var options = new SimulationOptions
        {
            Seed = 1,
            Faults = new FaultOptions { Enabled = true, CameraTimeoutProbability = 0.2, StageErrorProbability = 0.3 },
        };
        await using var rig = Rig.Open(options, "sensor_width: 32\nsensor_height: 32");
        int timeouts = 0, stageErrors = 0;
        for (int i = 0; i < 400; i++)
        {
            try { (await rig.Camera.SnapAsync(default)).Dispose(); }
            catch (DeviceTimeoutException) { timeouts++; }
            try { await rig.XY.MoveToAsync(new StagePositionUm(i % 7, 0), default); }
            catch (TransientDeviceException e) when (e is not DeviceTimeoutException) { stageErrors++; }
        }
        timeouts.Should().BeInRange(50, 110);
        stageErrors.Should().BeInRange(85, 155);
        rig.Pool.Outstanding.Should().Be(0, "a failed snap returns its frame to the pool");
    }
}
