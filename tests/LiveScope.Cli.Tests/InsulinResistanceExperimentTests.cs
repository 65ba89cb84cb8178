using System.Globalization;
using System.Text.Json;

namespace LiveScope.Cli.Tests;

/// <summary>
/// The insulin-resistance experiment, dry: `livescope run protocols/insulin-resistance-comparison.yaml` on the
/// simulated microscope, three conditions, adaptive imaging and closed-loop FRAP. Checks the directions the paper
/// reports (Dall'Agnese et al. 2022): insulin raises clustering in sensitive cells only, metformin partly rescues
/// it; recovery is slower in resistant cells, metformin in between.
/// </summary>
public class InsulinResistanceExperimentTests
{
    private sealed record Condition(string Name, double PartitionFold, IReadOnlyList<double> HalfTimes, int Decisions, int Bleaches);

    [Fact]
    public async Task The_dry_run_reproduces_the_papers_directions_with_rules_and_closed_loop_frap()
    {
        var output = Path.Combine(Path.GetTempPath(), "livescope-ir-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var run = CliProcess.Start(CliProcess.Root, "run", "protocols/insulin-resistance-comparison.yaml", "--yes", "--out", output);
            var exit = await run.WaitAsync(TimeSpan.FromMinutes(12));
            exit.Should().Be(0, run.Errors);

            var conditions = Directory.GetDirectories(output).Select(Read).ToDictionary(c => c.Name);
            conditions.Keys.Should().BeEquivalentTo(["insulin_sensitive", "insulin_resistant", "resistant_metformin"]);
            var (sensitive, resistant, metformin) = (conditions["insulin_sensitive"], conditions["insulin_resistant"], conditions["resistant_metformin"]);

            // Clustering: partition ratio late after insulin over before it.
            sensitive.PartitionFold.Should().BeGreaterThan(1.3, "insulin raises clustering in sensitive cells");
            resistant.PartitionFold.Should().BeInRange(0.85, 1.15, "resistant cells barely respond");
            metformin.PartitionFold.Should().BeInRange(resistant.PartitionFold, sensitive.PartitionFold, "metformin partly rescues");

            // Dynamics: median t½ of good fits.
            foreach (var c in conditions.Values) c.HalfTimes.Should().NotBeEmpty($"{c.Name} has at least one FRAP with a good fit");
            Median(resistant.HalfTimes).Should().BeGreaterThan(Median(sensitive.HalfTimes), "exchange is slower in resistant cells");
            Median(metformin.HalfTimes).Should().BeInRange(Median(sensitive.HalfTimes), Median(resistant.HalfTimes));

            // The rules acted: faster imaging where clusters condensed, bleaches of new clusters everywhere.
            foreach (var c in conditions.Values) c.Bleaches.Should().BeGreaterThan(0);
            sensitive.Decisions.Should().BeGreaterThan(resistant.Decisions, "only responding cells trigger fast imaging");
        }
        finally
        {
            try { Directory.Delete(output, recursive: true); } catch (IOException) { }
        }
    }

    private static double Median(IReadOnlyList<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static Condition Read(string folder)
    {
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        var name = manifest.RootElement.GetProperty("labels").GetProperty("condition").GetString()!;
        var events = File.ReadLines(Path.Combine(folder, "events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        double insulin = events.First(e => e.GetProperty("kind").GetString() == "stimulation").GetProperty("microscopeTimeS").GetDouble();

        var folds = new List<double>();
        foreach (var position in new[] { "field_1", "field_2" })
        {
            var rows = Csv(Path.Combine(folder, "measurements", position, "frames.csv"));
            double Mean(Func<double, bool> when) => rows.Where(r => when(r["time_s"]) && double.IsFinite(r["partition_ratio"])).Average(r => r["partition_ratio"]);
            folds.Add(Mean(t => t > insulin + 900) / Mean(t => t < insulin));
        }
        var fits = Csv(Path.Combine(folder, "measurements", "frap.csv"))
            .Where(r => r["r_squared"] >= 0.9 && double.IsFinite(r["t_half_s"]) && r["t_half_s"] > 0).Select(r => r["t_half_s"]).ToList();
        int decisions = events.Count(e => e.GetProperty("kind").GetString() == "adapt.decision");
        int bleaches = events.Count(e => e.GetProperty("kind").GetString() == "bleach");
        return new Condition(name, folds.Average(), fits, decisions, bleaches);
    }

    /// <summary>Numeric columns of a CSV (text cells read as NaN).</summary>
    private static List<Dictionary<string, double>> Csv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var cells = l.Split(',');
            return header.Select((h, i) => (h, v: i < cells.Length && double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN))
                .ToDictionary(x => x.h, x => x.v);
        }).ToList();
    }
}
