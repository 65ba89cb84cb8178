using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;
using LiveScope.Core.Timing;
using LiveScope.Simulation.Devices;
using LiveScope.Simulation.Truth;

namespace LiveScope.Simulation.Tests;

public class DryRunTests
{
    [Fact]
    public async Task A_35_minute_time_lapse_on_the_default_config_writes_truth_for_every_frame()
    {
        var loader = new MicroscopeLoader(new DeviceBackendRegistry().Register(new SimulatedBackend()));
        await using var scope = await loader.LoadAsync(Path.Combine(Rig.RepoRoot(), "device-configs", "simulated.yaml"));
        var camera = (SimulatedCamera)scope.Camera;
        var clusters = new StringWriter();
        var frames = new StringWriter();
        var recorder = new GroundTruthRecorder();
        int taken = 0;
        using (var csv = new GroundTruthCsvWriter(clusters, frames))
        using (camera.GroundTruth.Subscribe(csv))
        using (camera.GroundTruth.Subscribe(recorder))
        {
            var interval = TimeSpan.FromSeconds(30);
            for (int i = 0; i < 70; i++)
            {
                if (i == 10) await scope.LiquidHandler!.AddReagentAsync(new ReagentAddition("insulin", 100, "nM"), default);
                await scope.Clock.WaitUntilAsync(interval * i, default);
                using var frame = await camera.SnapAsync(default);
                frame.Metadata.Timestamp.Should().Be(interval * i);
                taken++;
            }
        }
        taken.Should().Be(70);
        scope.Clock.Now.Should().BeGreaterThan(TimeSpan.FromMinutes(34.5));
        frames.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(71);
        recorder.Frames.Should().OnlyContain(f => f.Clusters.Count > 50);
        recorder.Frames[^1].ClusteredFraction.Should().BeGreaterThan(1.3 * recorder.Frames[5].ClusteredFraction,
            "insulin at 5 min raises clustering in the default (sensitive) cells in view");
        scope.FramePool.Outstanding.Should().Be(0);
    }
}
