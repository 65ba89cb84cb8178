using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Core.Imaging;

namespace LiveScope.Core.Tests;

public class GeometryAndFrameTests
{
    [Fact]
    public void Affine_fit_recovers_a_known_transform_from_noisy_points()
    {
        var truth = new AffineTransform2D(0.98, 0.05, 12.5, -0.04, 1.02, -7.25);
        var rng = new Random(7);
        var from = new List<PixelPoint>();
        var to = new List<PixelPoint>();
        for (int i = 0; i < 25; i++)
        {
            var p = new PixelPoint(rng.NextDouble() * 500, rng.NextDouble() * 500);
            var q = truth.Apply(p);
            from.Add(p);
            to.Add(new PixelPoint(q.X + (rng.NextDouble() - 0.5) * 0.01, q.Y + (rng.NextDouble() - 0.5) * 0.01));
        }
        var fit = AffineTransform2D.Fit(from, to);
        fit.A.Should().BeApproximately(truth.A, 1e-4);
        fit.E.Should().BeApproximately(truth.E, 1e-4);
        fit.C.Should().BeApproximately(truth.C, 0.01);
        fit.F.Should().BeApproximately(truth.F, 0.01);
        var roundTrip = fit.Inverse().Apply(fit.Apply(new PixelPoint(100, 200)));
        roundTrip.DistanceTo(new PixelPoint(100, 200)).Should().BeLessThan(1e-9);
    }

    [Fact]
    public void Affine_fit_refuses_collinear_points()
    {
        var line = new[] { new PixelPoint(0, 0), new PixelPoint(1, 1), new PixelPoint(2, 2) };
        var act = () => AffineTransform2D.Fit(line, line);
        act.Should().Throw<ArgumentException>().WithMessage("*collinear*");
    }

    [Fact]
    public void Bleach_regions_raster_into_spots_inside_them()
    {
        BleachRaster.Spots(new BleachPoint(new PixelPoint(3, 4)), 1).Should().Equal(new PixelPoint(3, 4));
        var circle = BleachRaster.Spots(new BleachCircle(new PixelPoint(10, 10), 2), 1);
        circle.Should().HaveCount(13).And.OnlyContain(p => p.DistanceTo(new PixelPoint(10, 10)) <= 2);
        var square = new BleachPolygon([new(0, 0), new(3.5, 0), new(3.5, 3.5), new(0, 3.5)]);
        BleachRaster.Spots(square, 1).Should().HaveCount(16);
        var act = () => BleachRaster.Spots(new BleachPolygon([new(0, 0), new(1, 1)]), 1);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Frames_go_back_to_the_pool_after_the_last_holder_disposes()
    {
        var pool = new FramePool();
        var frame = pool.Rent(64, 32);
        frame.Pixels.Length.Should().Be(64 * 32);
        frame.Retain();
        frame.Dispose();
        pool.Outstanding.Should().Be(1);
        frame.Dispose();
        pool.Outstanding.Should().Be(0);
        var again = () => frame.Dispose();
        again.Should().Throw<ObjectDisposedException>();
        pool.Rent(32, 32).Buffer.Should().BeSameAs(frame.Buffer, "a smaller frame reuses the larger buffer");
    }

    [Fact]
    public async Task A_device_call_that_hangs_becomes_a_timeout_naming_the_device()
    {
        var act = () => DeviceCall.RunAsync("Stage", "move", TimeSpan.FromMilliseconds(50),
            _ => Task.Delay(Timeout.Infinite, CancellationToken.None), CancellationToken.None);
        (await act.Should().ThrowAsync<DeviceTimeoutException>()).Which.Message.Should().Be("Stage: move: no answer within 50 ms");
    }

    [Fact]
    public async Task Cancelling_a_device_call_is_a_cancellation_not_a_timeout()
    {
        using var cts = new CancellationTokenSource(20);
        var act = () => DeviceCall.RunAsync("Stage", "move", TimeSpan.FromSeconds(30), ct => Task.Delay(Timeout.Infinite, ct), cts.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
    }
}
