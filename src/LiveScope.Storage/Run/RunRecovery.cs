using LiveScope.Storage.OmeTiff;

namespace LiveScope.Storage.Run;

/// <summary>What <see cref="RunRecovery.RecoverAsync"/> did to a run folder.</summary>
public sealed record RunRecoveryReport(RecoveryReport Images, bool ManifestMarkedInterrupted, int EventLinesReadable);

/// <summary>
/// Everything <c>livescope recover RUN</c> does: finishes every unfinished OME-TIFF (<see cref="OmeTiffRecovery"/>),
/// and, when the manifest still says the run is running, records that it was interrupted, ending at the last event
/// that reached the disk. events.jsonl needs no repair: readers skip a torn last line.
/// </summary>
public static class RunRecovery
{
    public const string InterruptedOutcome = "interrupted (recovered)";

    public static async Task<RunRecoveryReport> RecoverAsync(string runFolder, CancellationToken ct = default)
    {
        var run = RunFolder.Open(runFolder);
        var images = await OmeTiffRecovery.RecoverAsync(run.Path, ct).ConfigureAwait(false);

        var events = File.Exists(run.EventsPath) ? EventLog.ReadAll(run.EventsPath) : [];
        bool marked = false;
        if (File.Exists(run.ManifestPath))
        {
            var manifest = RunManifestFile.Read(run.ManifestPath);
            if (manifest.EndTimeUtc is null)
            {
                var end = events.Count > 0 ? events[^1].Time : new DateTimeOffset(File.GetLastWriteTimeUtc(run.ManifestPath));
                RunManifestFile.MarkEnded(run.ManifestPath, end, InterruptedOutcome);
                marked = true;
            }
        }
        return new RunRecoveryReport(images, marked, events.Count);
    }
}
