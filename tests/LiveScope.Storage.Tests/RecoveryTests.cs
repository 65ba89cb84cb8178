using LiveScope.Core.Imaging;
using LiveScope.Storage.OmeTiff;

namespace LiveScope.Storage.Tests;

public sealed class RecoveryTests
{
    private const int W = 48, H = 20;

    /// <summary>
    /// Simulates kill -9: planes go through a writer whose streams are then closed under it (no Complete, no
    /// Dispose), and the TIFF is cut <paramref name="cutIntoLastPlaneBytes"/> short, as if the last write was torn.
    /// Returns the hashes of the planes in write order (T varies, C=Z=0).
    /// </summary>
    internal static Dictionary<string, string> WriteAndAbandon(string tif, int planesWritten, int cutIntoLastPlaneBytes,
        OmeTiffWriterOptions? options = null)
    {
        var pool = new FramePool();
        var hashes = new Dictionary<string, string>();
        var tiffStream = new FileStream(tif, FileMode.CreateNew, FileAccess.ReadWrite);
        var journalStream = new FileStream(PlaneJournal.PathFor(tif), FileMode.CreateNew, FileAccess.Write);
        var writer = new OmeTiffWriter(tiffStream, journalStream, TestStacks.Description(10, 1, 1), options, leaveOpen: true);
        for (int t = 0; t < planesWritten; t++)
        {
            using var frame = TestStacks.Plane(pool, W, H, seed: 5, t, 0, 0, t);
            hashes[$"{t},0,0"] = TestStacks.Sha256(frame.Pixels);
            writer.WritePlane(frame);
        }
        GC.KeepAlive(writer);
        tiffStream.Dispose();
        journalStream.Dispose();
        if (cutIntoLastPlaneBytes > 0)
            using (var f = new FileStream(tif, FileMode.Open)) f.SetLength(f.Length - cutIntoLastPlaneBytes);
        pool.Outstanding.Should().Be(0, "the writer must not keep frames");
        return hashes;
    }

    [Fact]
    public void An_abandoned_file_is_not_a_readable_TIFF_until_recovered()
    {
        using var temp = new TempFolder();
        string tif = temp.File("a.ome.tif");
        WriteAndAbandon(tif, planesWritten: 3, cutIntoLastPlaneBytes: 0);

        var open = () => OmeTiffReader.Open(tif).Dispose();
        open.Should().Throw<InvalidDataException>().WithMessage("*recover*");
    }

    [Fact]
    public async Task An_unreadable_journal_is_reported_and_left_alone_while_the_other_files_are_recovered()
    {
        using var temp = new TempFolder();
        string good = temp.File("pos000.ome.tif");
        WriteAndAbandon(good, planesWritten: 4, cutIntoLastPlaneBytes: 0);
        // A crash while the second file was being created: its journal is empty.
        string broken = temp.File("pos001.ome.tif");
        File.WriteAllBytes(broken, new byte[16]);
        File.WriteAllBytes(PlaneJournal.PathFor(broken), []);

        var report = await OmeTiffRecovery.RecoverAsync(temp.Path);

        report.Files.Should().HaveCount(2);
        report.Files.Single(f => f.Path == good).PlanesRecovered.Should().Be(4);
        report.Files.Single(f => f.Path == broken).Error.Should().NotBeNullOrEmpty();
        File.Exists(PlaneJournal.PathFor(broken)).Should().BeTrue("a file that could not be recovered is left as it was");
        using var reader = OmeTiffReader.Open(good);
        reader.Planes.Should().HaveCount(4);
    }

    [Fact]
    public async Task Recovery_keeps_every_complete_plane_and_drops_the_torn_one()
    {
        using var temp = new TempFolder();
        string tif = temp.File("pos000.ome.tif");
        var hashes = WriteAndAbandon(tif, planesWritten: 6, cutIntoLastPlaneBytes: 333);

        var report = await OmeTiffRecovery.RecoverAsync(temp.Path);

        report.Files.Should().ContainSingle();
        var file = report.Files[0];
        file.PlanesRecovered.Should().Be(5);
        file.PlanesDiscarded.Should().Be(1);
        file.Removed.Should().BeFalse();
        File.Exists(PlaneJournal.PathFor(tif)).Should().BeFalse();

        var pool = new FramePool();
        using var reader = OmeTiffReader.Open(tif);
        reader.Planes.Should().HaveCount(5);
        reader.SizeT.Should().Be(5);
        reader.Description.Labels["condition"].Should().Be("insulin-resistant & metformin <2 mM>");
        for (int i = 0; i < 5; i++)
        {
            using var frame = reader.ReadPlane(i, pool);
            TestStacks.Sha256(frame.Pixels).Should().Be(hashes[$"{i},0,0"]);
            frame.Metadata.TimeIndex.Should().Be(i);
            frame.Metadata.Timestamp.Should().Be(TimeSpan.FromSeconds(i * 30.0) + TimeSpan.FromTicks(i));
        }
    }

    [Fact]
    public async Task Recovered_OME_XML_validates()
    {
        using var temp = new TempFolder();
        string tif = temp.File("v.ome.tif");
        WriteAndAbandon(tif, planesWritten: 3, cutIntoLastPlaneBytes: 1);
        await OmeTiffRecovery.RecoverAsync(temp.Path);

        string xml = temp.File("v.xml");
        using (var reader = OmeTiffReader.Open(tif)) File.WriteAllText(xml, reader.OmeXml);
        var (code, output) = ExternalTools.XmllintValidate(xml);
        code.Should().Be(0, output);
    }

    [Fact]
    public async Task A_file_forced_to_BigTIFF_is_recovered_as_BigTIFF()
    {
        using var temp = new TempFolder();
        string tif = temp.File("big.ome.tif");
        WriteAndAbandon(tif, planesWritten: 2, cutIntoLastPlaneBytes: 0, new OmeTiffWriterOptions { ForceBigTiff = true });

        (await OmeTiffRecovery.RecoverAsync(temp.Path)).Files[0].IsBigTiff.Should().BeTrue();
        using var reader = OmeTiffReader.Open(tif);
        reader.IsBigTiff.Should().BeTrue();
        reader.Planes.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_torn_journal_record_ends_recovery_at_the_last_whole_record()
    {
        using var temp = new TempFolder();
        string tif = temp.File("j.ome.tif");
        WriteAndAbandon(tif, planesWritten: 4, cutIntoLastPlaneBytes: 0);
        using (var j = new FileStream(PlaneJournal.PathFor(tif), FileMode.Open)) j.SetLength(j.Length - 7);

        var report = await OmeTiffRecovery.RecoverAsync(temp.Path);

        report.Files[0].PlanesRecovered.Should().Be(3);
        using var reader = OmeTiffReader.Open(tif);
        reader.Planes.Should().HaveCount(3);
    }

    [Fact]
    public async Task A_file_with_no_complete_plane_is_removed_rather_than_left_unreadable()
    {
        using var temp = new TempFolder();
        string tif = temp.File("empty.ome.tif");
        WriteAndAbandon(tif, planesWritten: 1, cutIntoLastPlaneBytes: 10);

        var report = await OmeTiffRecovery.RecoverAsync(temp.Path);

        report.Files[0].Removed.Should().BeTrue();
        report.PlanesRecovered.Should().Be(0);
        File.Exists(tif).Should().BeFalse();
    }

    [Fact]
    public async Task Recovery_is_idempotent_and_leaves_completed_files_alone()
    {
        using var temp = new TempFolder();
        string done = temp.File("done.ome.tif");
        TestStacks.WriteStack(done, W, H, 2, 1, 1);
        byte[] before = File.ReadAllBytes(done);
        string crashed = temp.File("crashed.ome.tif");
        WriteAndAbandon(crashed, planesWritten: 2, cutIntoLastPlaneBytes: 0);

        (await OmeTiffRecovery.RecoverAsync(temp.Path)).Files.Should().ContainSingle(f => f.Path == crashed);
        (await OmeTiffRecovery.RecoverAsync(temp.Path)).Files.Should().BeEmpty();

        File.ReadAllBytes(done).Should().Equal(before);
        using var reader = OmeTiffReader.Open(crashed);
        reader.Planes.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_crash_during_close_is_recovered_too()
    {
        // The finisher appends XML and IFDs and commits the header last; a crash after the append but before the
        // header leaves trailing bytes that recovery must cut off and redo.
        using var temp = new TempFolder();
        string tif = temp.File("closing.ome.tif");
        var hashes = WriteAndAbandon(tif, planesWritten: 3, cutIntoLastPlaneBytes: 0);
        using (var f = new FileStream(tif, FileMode.Append)) f.Write(new byte[777]);

        var report = await OmeTiffRecovery.RecoverAsync(temp.Path);

        report.Files[0].PlanesRecovered.Should().Be(3);
        report.Files[0].BytesTruncated.Should().Be(777);
        using var reader = OmeTiffReader.Open(tif);
        using var frame = reader.ReadPlane(2, new FramePool());
        TestStacks.Sha256(frame.Pixels).Should().Be(hashes["2,0,0"]);
    }
}
