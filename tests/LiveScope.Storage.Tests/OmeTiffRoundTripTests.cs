using LiveScope.Core.Imaging;
using LiveScope.Storage.OmeTiff;

namespace LiveScope.Storage.Tests;

public sealed class OmeTiffRoundTripTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_reader_returns_every_plane_in_order_with_its_pixels_and_metadata(bool bigTiff)
    {
        using var temp = new TempFolder();
        string tif = temp.File("rt.ome.tif");
        var hashes = TestStacks.WriteStack(tif, 37, 21, sizeT: 2, sizeC: 2, sizeZ: 3, new OmeTiffWriterOptions { ForceBigTiff = bigTiff });
        var expected = TestStacks.Order(2, 2, 3).ToList();
        var pool = new FramePool();

        using var reader = OmeTiffReader.Open(tif);
        reader.IsBigTiff.Should().Be(bigTiff);
        (reader.Width, reader.Height, reader.SizeT, reader.SizeC, reader.SizeZ).Should().Be((37, 21, 2, 2, 3));
        var d = reader.Description;
        d.ImageName.Should().Be("run-1 position A1");
        d.PositionIndex.Should().Be(3);
        d.PositionName.Should().Be("A1");
        d.ChannelNames.Should().Equal("GFP", "mCherry-1");
        d.PixelSizeUm.Should().Be(0.108);
        d.ZStepUm.Should().Be(0.5);
        d.DimensionOrder.Should().Be(OmeDimensionOrder.XYCZT);
        d.Description.Should().Be("insulin-stimulation-timelapse");
        d.Labels.Should().BeEquivalentTo(TestStacks.Description(1, 1, 1).Labels);
        d.AcquisitionStartUtc.Should().Be(new DateTimeOffset(2026, 11, 21, 16, 0, 0, TimeSpan.Zero));

        int i = 0;
        await foreach (var frame in reader.ReadAllAsync(pool, CancellationToken.None))
        {
            using (frame)
            {
                var (t, c, z) = expected[i];
                var m = frame.Metadata;
                (m.TimeIndex, m.ChannelIndex, m.ZIndex).Should().Be((t, c, z));
                TestStacks.Sha256(frame.Pixels).Should().Be(hashes[$"{t},{c},{z}"]);
                m.Timestamp.Should().Be(TimeSpan.FromSeconds(t * 30.0 + c * 0.125 + z * 0.05) + TimeSpan.FromTicks(i));
                m.ExposureMs.Should().Be(c == 0 ? 50 : 120.5);
                (m.StageXUm, m.StageYUm, m.StageZUm).Should().Be((1250.25, -310.5, 20 + z * 0.5));
                m.Channel.Should().Be(c == 0 ? "GFP" : "mCherry-1");
                m.PixelSizeUm.Should().Be(0.108);
                m.Binning.Should().Be(2);
                m.PositionIndex.Should().Be(3);
            }
            i++;
        }
        i.Should().Be(12);
        pool.Outstanding.Should().Be(0);
    }

    [Fact]
    public void Channel_names_missing_from_the_description_are_taken_from_the_frames()
    {
        using var temp = new TempFolder();
        string tif = temp.File("names.ome.tif");
        var pool = new FramePool();
        using (var writer = OmeTiffWriter.Create(tif, new StackDescription { ChannelNames = ["GFP"] }))
            for (int c = 0; c < 3; c++)
            {
                using var frame = TestStacks.Plane(pool, 8, 8, 1, 0, c, 0, c);
                writer.WritePlane(frame);
            }

        using var reader = OmeTiffReader.Open(tif);
        reader.Description.ChannelNames.Should().Equal("GFP", "mCherry-1", "mCherry-2");
    }

    [Fact]
    public void A_plane_of_another_size_is_refused()
    {
        using var temp = new TempFolder();
        var pool = new FramePool();
        using var writer = OmeTiffWriter.Create(temp.File("s.ome.tif"), new StackDescription());
        using (var a = TestStacks.Plane(pool, 8, 8, 1, 0, 0, 0, 0)) writer.WritePlane(a);
        using var b = TestStacks.Plane(pool, 9, 8, 1, 1, 0, 0, 1);
        var write = () => writer.WritePlane(b);
        write.Should().Throw<ArgumentException>().WithMessage("*9x8*8x8*");
    }

    [Fact]
    public void A_second_plane_with_the_same_T_C_Z_is_refused()
    {
        using var temp = new TempFolder();
        var pool = new FramePool();
        using var writer = OmeTiffWriter.Create(temp.File("d.ome.tif"), new StackDescription());
        using (var a = TestStacks.Plane(pool, 8, 8, 1, 2, 1, 0, 0)) writer.WritePlane(a);
        using var b = TestStacks.Plane(pool, 8, 8, 1, 2, 1, 0, 1);
        var write = () => writer.WritePlane(b);
        write.Should().Throw<ArgumentException>().WithMessage("*T=2 C=1 Z=0*already written*");
        writer.PlanesWritten.Should().Be(1);
    }

    [Fact]
    public void Create_never_overwrites_an_existing_file()
    {
        using var temp = new TempFolder();
        string tif = temp.File("x.ome.tif");
        File.WriteAllText(tif, "precious");
        var create = () => OmeTiffWriter.Create(tif, new StackDescription());
        create.Should().Throw<IOException>();
        File.ReadAllText(tif).Should().Be("precious");
    }

    [Fact]
    public void A_stack_that_never_got_a_plane_leaves_no_file_behind()
    {
        using var temp = new TempFolder();
        string tif = temp.File("none.ome.tif");
        OmeTiffWriter.Create(tif, new StackDescription()).Dispose();
        File.Exists(tif).Should().BeFalse();
        File.Exists(PlaneJournal.PathFor(tif)).Should().BeFalse();
    }

    [Fact]
    public void A_completed_file_has_no_journal_left()
    {
        using var temp = new TempFolder();
        string tif = temp.File("c.ome.tif");
        TestStacks.WriteStack(tif, 8, 8, 1, 1, 1);
        File.Exists(PlaneJournal.PathFor(tif)).Should().BeFalse();
    }
}
