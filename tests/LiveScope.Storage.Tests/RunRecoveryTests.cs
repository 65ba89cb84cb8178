using LiveScope.Core.Imaging;
using LiveScope.Storage.OmeTiff;
using LiveScope.Storage.Run;

namespace LiveScope.Storage.Tests;

public sealed class RunRecoveryTests
{
    [Fact]
    public async Task Recovering_a_crashed_run_finishes_its_images_and_marks_the_manifest_interrupted()
    {
        using var temp = new TempFolder();
        var run = RunFolder.Create(temp.Path, "crashed run");
        var start = new DateTimeOffset(2026, 11, 21, 16, 0, 0, TimeSpan.Zero);
        RunManifestFile.Write(run.ManifestPath, new RunManifest { RunName = run.Name, StartTimeUtc = start });
        using (var events = EventLogWriter.Open(run.EventsPath))
        {
            events.Write("run-start");
            events.Write("timepoint", microscopeTime: TimeSpan.FromSeconds(30));
        }
        File.AppendAllText(run.EventsPath, "{\"time\":"); // the line being written when the process died

        // Position 0 finished normally; position 1 was being written when the process died.
        var pool = new FramePool();
        using (var done = run.CreateImageWriter(new StackDescription { PositionIndex = 0, PositionName = "A1" }))
            using (var f = TestStacks.Plane(pool, 16, 8, 1, 0, 0, 0, 0)) done.WritePlane(f);
        string crashed = run.ImagePath(1, "B2");
        RecoveryTests.WriteAndAbandon(crashed, planesWritten: 3, cutIntoLastPlaneBytes: 11);

        var report = await RunRecovery.RecoverAsync(run.Path);

        report.Images.Files.Should().ContainSingle().Which.Path.Should().Be(crashed);
        report.Images.PlanesRecovered.Should().Be(2);
        report.ManifestMarkedInterrupted.Should().BeTrue();
        report.EventLinesReadable.Should().Be(2);
        var manifest = RunManifestFile.Read(run.ManifestPath);
        manifest.Outcome.Should().Be(RunRecovery.InterruptedOutcome);
        manifest.EndTimeUtc.Should().Be(EventLog.ReadAll(run.EventsPath)[^1].Time);
        foreach (var image in run.ImageFiles())
            using (var reader = OmeTiffReader.Open(image))
                reader.Planes.Should().NotBeEmpty();

        (await RunRecovery.RecoverAsync(run.Path)).ManifestMarkedInterrupted.Should().BeFalse("already recorded");
    }
}
