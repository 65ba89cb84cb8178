using System.Diagnostics;
using LiveScope.Core.Imaging;
using LiveScope.Storage.OmeTiff;

namespace LiveScope.Storage.Tests;

public sealed class KillRecoveryTests
{
    [Fact]
    public async Task A_writer_process_killed_mid_run_leaves_every_plane_that_reached_the_disk_recoverable()
    {
        using var temp = new TempFolder();
        string tif = temp.File("pos000.ome.tif");
        string journal = PlaneJournal.PathFor(tif);
        // `dotnet test` tells child processes which host it runs on; a plain `dotnet` on PATH otherwise.
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var psi = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(KillTarget).Assembly.Location);
        psi.ArgumentList.Add(KillTarget.Verb);
        psi.ArgumentList.Add(tif);
        using var child = Process.Start(psi)!;
        try
        {
            // Wait (bounded, but with no timing assertion) until a good number of planes are on disk.
            long planeBytes = KillTarget.Width * KillTarget.Height * 2;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!(File.Exists(tif) && new FileInfo(tif).Length > 16 + 200 * planeBytes) && !child.HasExited && DateTime.UtcNow < deadline)
                await Task.Delay(20);
            child.HasExited.Should().BeFalse("the child must still be writing when killed: " + (child.HasExited ? child.StandardError.ReadToEnd() : ""));
        }
        finally
        {
            if (!child.HasExited) child.Kill(); // SIGKILL: no finally blocks, no Dispose, no Complete
            await child.WaitForExitAsync();
        }

        File.Exists(journal).Should().BeTrue("an unfinished file keeps its journal");
        long lengthAtKill = new FileInfo(tif).Length;
        var report = await OmeTiffRecovery.RecoverAsync(temp.Path);

        var recovered = report.Files.Should().ContainSingle().Subject;
        recovered.PlanesRecovered.Should().BeGreaterThanOrEqualTo(200);
        recovered.PlanesRecovered.Should().Be((int)((lengthAtKill - 16) / (KillTarget.Width * KillTarget.Height * 2)),
            "every whole plane in the file is kept");
        var pool = new FramePool();
        using var reader = OmeTiffReader.Open(tif);
        reader.Planes.Should().HaveCount(recovered.PlanesRecovered);
        for (int t = 0; t < reader.Planes.Count; t++)
        {
            using var expected = TestStacks.Plane(pool, KillTarget.Width, KillTarget.Height, KillTarget.Seed, t, 0, 0, t);
            using var actual = reader.ReadPlane(t, pool);
            actual.Metadata.TimeIndex.Should().Be(t);
            if (!actual.Pixels.SequenceEqual(expected.Pixels)) Assert.Fail($"plane {t} differs from what was written");
        }
    }
}
