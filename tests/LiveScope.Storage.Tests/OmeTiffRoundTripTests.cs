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
    public void The_durable_mode_writes_the_same_file_content()
    {
        using var temp = new TempFolder();
        var fast = TestStacks.WriteStack(temp.File("fast.ome.tif"), 24, 12, 2, 1, 2);
        var durable = TestStacks.WriteStack(temp.File("durable.ome.tif"), 24, 12, 2, 1, 2,
            new OmeTiffWriterOptions { SyncToDiskEveryPlane = true, FlushEveryPlane = false });
        durable.Should().BeEquivalentTo(fast);
        var pool = new FramePool();
        using var reader = OmeTiffReader.Open(temp.File("durable.ome.tif"));
        reader.Planes.Should().HaveCount(4);
        using var last = reader.ReadPlane(3, pool);
        TestStacks.Sha256(last.Pixels).Should().Be(fast["1,0,1"]);
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

public sealed class WriteFailureTests
{
    /// <summary>A stream that accepts a fixed number of bytes, then fails like a full disk.</summary>
    private sealed class FullDiskStream(long capacity) : Stream
    {
        private readonly MemoryStream _inner = new();
        public bool CapacityLifted { get; set; }
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => true;
        public override long Length => _inner.Length;
        public override long Position { get => _inner.Position; set => _inner.Position = value; }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);
        public override void SetLength(long value) => _inner.SetLength(value);
        public override void Write(byte[] buffer, int offset, int count)
        {
            if (!CapacityLifted && _inner.Position + count > capacity)
            {
                _inner.Write(buffer, offset, (int)Math.Max(0, capacity - _inner.Position));
                throw new IOException("No space left on device");
            }
            _inner.Write(buffer, offset, count);
        }
        public byte[] ToArray() => _inner.ToArray();
    }

    [Fact]
    public void After_a_failed_write_the_writer_refuses_more_planes_and_finishes_with_the_good_ones()
    {
        var pool = new FramePool();
        int planeBytes = 16 * 8 * 2;
        var stream = new FullDiskStream(capacity: 16 + 2 * planeBytes + planeBytes / 2);
        var writer = new OmeTiffWriter(stream, null, new StackDescription(), leaveOpen: true);
        var hashes = new List<string>();
        for (int t = 0; t < 2; t++)
        {
            using var f = TestStacks.Plane(pool, 16, 8, 3, t, 0, 0, t);
            hashes.Add(TestStacks.Sha256(f.Pixels));
            writer.WritePlane(f);
        }
        using (var third = TestStacks.Plane(pool, 16, 8, 3, 2, 0, 0, 2))
        {
            var write = () => writer.WritePlane(third);
            write.Should().Throw<IOException>();
            write.Should().Throw<InvalidOperationException>().WithMessage("*earlier plane failed*");
        }
        stream.CapacityLifted = true; // space freed: the finish (XML, IFDs) can be written
        writer.Complete();

        using var reader = new OmeTiffReader(new MemoryStream(stream.ToArray()));
        reader.Planes.Should().HaveCount(2);
        for (int i = 0; i < 2; i++)
            using (var f = reader.ReadPlane(i, pool)) TestStacks.Sha256(f.Pixels).Should().Be(hashes[i]);
    }
}
