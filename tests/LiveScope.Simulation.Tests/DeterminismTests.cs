using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Core.Timing;
using LiveScope.Simulation.Options;

namespace LiveScope.Simulation.Tests;

public class DeterminismTests
{
    /// <summary>The same calls on a fresh rig: snaps, a stage and focus move, a bleach, insulin, a wait, a stream.</summary>
    private static async Task<List<ushort[]>> ScriptAsync(long seed, double timeScale = 0, int renderThreads = 0)
    {
        var options = new SimulationOptions { Seed = seed, TimeScale = timeScale };
        await using var rig = Rig.Open(options, $"sensor_width: 256\nsensor_height: 192\nrender_threads: {renderThreads}\nband_rows: 16");
        var frames = new List<ushort[]>();
        async Task Snap()
        {
            using var f = await rig.Camera.SnapAsync(default);
            frames.Add(Rig.Copy(f));
        }
        await Snap();
        await rig.XY.MoveToAsync(new StagePositionUm(12, -7), default);
        await rig.Focus.MoveToAsync(50.4, default);
        await Snap();
        await rig.Targeter.BleachAsync(new BleachCircle(new PixelPoint(100, 90), 4), new BleachSettings(TimeSpan.FromMilliseconds(2), 0.8), default);
        await rig.Pump.AddReagentAsync(new ReagentAddition("insulin", 100, "nM"), default);
        await rig.Session.Clock.WaitAsync(TimeSpan.FromSeconds(30), default);
        await foreach (var f in rig.Camera.StreamAsync(3, default))
            using (f) frames.Add(Rig.Copy(f));
        return frames;
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_frames()
    {
        var a = await ScriptAsync(seed: 77);
        var b = await ScriptAsync(seed: 77);
        a.Should().HaveCount(5);
        for (int i = 0; i < a.Count; i++) a[i].Should().Equal(b[i], $"frame {i} must repeat exactly");
    }

    [Fact]
    public async Task A_different_seed_gives_different_frames()
    {
        var a = await ScriptAsync(seed: 77);
        var b = await ScriptAsync(seed: 78);
        a[0].SequenceEqual(b[0]).Should().BeFalse();
    }

    [Fact]
    public async Task Frames_do_not_depend_on_wall_time_or_render_threads()
    {
        var fast = await ScriptAsync(seed: 5, timeScale: 0, renderThreads: 1);
        var paced = await ScriptAsync(seed: 5, timeScale: 2000, renderThreads: 3);
        for (int i = 0; i < fast.Count; i++) fast[i].Should().Equal(paced[i], $"frame {i} must repeat exactly");
    }
}

public class RenderPathTests
{
    [Theory]
    [InlineData(0.5)]  // background mostly on the Gaussian path
    [InlineData(0.05)] // background mostly on the exact-Poisson path
    public void The_vector_and_scalar_render_loops_give_identical_frames(double power)
    {
        var options = new LiveScope.Simulation.Options.SimulationOptions { Seed = 12 };
        var sample = new LiveScope.Simulation.Sample.VirtualSample(options);
        using var synthesizer = new LiveScope.Simulation.Rendering.FrameSynthesizer(options, 1, 16);
        var fov = new LiveScope.Simulation.Rendering.FieldOfView(-20, -20, 0.1625, 250, 170);
        var request = new LiveScope.Simulation.Rendering.ExposureRequest(fov, 0.3, 0.05, power, 1,
            LiveScope.Simulation.Rendering.NoiseParameters.From(options.CameraNoise, 16), 3, 9);
        var vector = new ushort[250 * 170];
        var scalar = new ushort[250 * 170];
        synthesizer.Render(vector, sample, request, default, null);
        synthesizer.UseVectorPath = false;
        synthesizer.Render(scalar, sample, request, default, null);
        vector.Should().Equal(scalar);
        vector.Distinct().Count().Should().BeGreaterThan(20, "the frame has structure and noise");
    }
}
