using LiveScope.Core.Imaging;
using LiveScope.Storage.OmeTiff;
using LiveScope.Testing;

namespace LiveScope.Storage.Tests;

public sealed class BigTiffAndAllocationTests
{
    [Fact]
    public void A_stack_planned_past_4_GiB_is_written_as_BigTIFF_even_if_it_ends_small()
    {
        using var temp = new TempFolder();
        string tif = temp.File("planned.ome.tif");
        var pool = new FramePool();
        // 1000 x 1000 x 2 B x 3000 planned planes = 6 GB.
        using (var writer = OmeTiffWriter.Create(tif, new StackDescription { PlannedSizeT = 3000 }))
            for (int t = 0; t < 2; t++)
            {
                using var frame = TestStacks.Plane(pool, 1000, 1000, 1, t, 0, 0, t);
                writer.WritePlane(frame);
            }
        using var reader = OmeTiffReader.Open(tif);
        reader.IsBigTiff.Should().BeTrue();
        reader.Planes.Should().HaveCount(2);
    }

    [Theory]
    [InlineData(511, false)] // 511 x 8 MiB plus XML and IFDs stays under 4 GiB
    [InlineData(513, true)]  // past 4 GiB: classic 32-bit offsets cannot address it
    public void The_actual_size_decides_BigTIFF_when_the_plan_did_not(int planes, bool expectBig)
    {
        var sink = new CountingSinkStream();
        var pool = new FramePool();
        using var frame = pool.Rent(2048, 2048);
        var writer = new OmeTiffWriter(sink, journal: null, new StackDescription { PlannedSizeT = 1 });
        for (int t = 0; t < planes; t++)
        {
            frame.Metadata = frame.Metadata with { TimeIndex = t };
            writer.WritePlane(frame);
        }
        writer.Complete();

        writer.IsBigTiff.Should().Be(expectBig);
        sink.Length.Should().BeGreaterThan((long)planes * 2048 * 2048 * 2);
    }

    [Fact]
    public void Writing_a_plane_allocates_nothing_in_steady_state()
    {
        var pool = new FramePool();
        using var frame = TestStacks.Plane(pool, 512, 512, 1, 0, 0, 0, 0);
        var tiff = new CountingSinkStream();
        var journal = new CountingSinkStream();
        using var writer = new OmeTiffWriter(tiff, journal, TestStacks.Description(300, 1, 1));
        for (int t = 0; t < 20; t++) // warm-up: first-call JIT and one-time allocations
        {
            frame.Metadata = frame.Metadata with { TimeIndex = t };
            writer.WritePlane(frame);
        }

        long allocated = SteadyStateAllocation.LeastOf(3, window =>
        {
            for (int t = 20 + 80 * window; t < 20 + 80 * (window + 1); t++)
            {
                frame.Metadata = frame.Metadata with { TimeIndex = t };
                writer.WritePlane(frame);
            }
        });

        allocated.Should().BeLessThan(80 * 8, "about zero bytes per plane (80 planes written in a window)");
        tiff.BytesWritten.Should().Be(16 + 260L * 512 * 512 * 2);
    }
}
