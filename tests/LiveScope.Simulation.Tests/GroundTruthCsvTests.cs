using System.Globalization;
using LiveScope.Simulation.Options;
using LiveScope.Simulation.Truth;

namespace LiveScope.Simulation.Tests;

public class GroundTruthCsvTests
{
    [Fact]
    public async Task One_row_per_cluster_per_frame_keyed_by_sequence_number()
    {
        await using var rig = Rig.Open(new SimulationOptions { Seed = 6 });
        var clusters = new StringWriter(CultureInfo.InvariantCulture);
        var frames = new StringWriter(CultureInfo.InvariantCulture);
        var recorder = new GroundTruthRecorder();
        using (var writer = new GroundTruthCsvWriter(clusters, frames))
        using (rig.Camera.GroundTruth.Subscribe(writer))
        using (rig.Camera.GroundTruth.Subscribe(recorder))
        {
            for (int i = 0; i < 3; i++) (await rig.Camera.SnapAsync(default)).Dispose();
        }
        var rows = clusters.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        rows[0].TrimEnd('\r').Should().Be(GroundTruthCsvWriter.ClusterHeader);
        rows.Length.Should().Be(1 + recorder.Frames.Sum(f => f.Clusters.Count));
        recorder.Frames.Select(f => f.SequenceNumber).Should().Equal(0, 1, 2);

        var first = recorder.Frames[0].Clusters[0];
        var cells = rows[1].TrimEnd('\r').Split(',');
        cells.Should().HaveCount(GroundTruthCsvWriter.ClusterHeader.Split(',').Length);
        cells[0].Should().Be("0");
        long.Parse(cells[2], CultureInfo.InvariantCulture).Should().Be(first.ClusterId);
        double.Parse(cells[5], CultureInfo.InvariantCulture).Should().BeApproximately(first.XPx, 1e-3);
        double.Parse(cells[10], CultureInfo.InvariantCulture).Should().BeApproximately(first.Molecules, 0.01);

        var frameRows = frames.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        frameRows.Should().HaveCount(4);
        frameRows[3].Split(',')[0].Should().Be("2");
    }

    [Fact]
    public async Task Truth_is_not_collected_when_switched_off()
    {
        await using var rig = Rig.Open(new SimulationOptions { Seed = 6, GroundTruth = false });
        var recorder = new GroundTruthRecorder();
        using var _ = rig.Camera.GroundTruth.Subscribe(recorder);
        (await rig.Camera.SnapAsync(default)).Dispose();
        recorder.Frames.Should().BeEmpty();
    }
}
