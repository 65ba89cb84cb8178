using System.Globalization;
using System.Text.Json;
using LiveScope.Core.Config;
using LiveScope.Simulation.Options;
using LiveScope.Simulation.Sample;
using Xunit.Abstractions;

namespace LiveScope.Cli.Tests;

/// <summary>
/// The insulin-resistance experiment, dry: `livescope run protocols/insulin-resistance-comparison.yaml` on the
/// simulated microscope, three conditions, adaptive imaging and closed-loop FRAP. Checks the directions the paper
/// reports (Dall'Agnese et al. 2022): insulin raises clustering in sensitive cells only, metformin partly rescues
/// it, and IR exchanges more slowly in resistant cells (FRAP t½ resistant &gt; metformin &gt; sensitive) — and that
/// the measured effects are within 10% of the simulator's ground truth: clusters per field late after insulin over
/// before it (ground-truth-frames.csv), and each condition's FRAP t½ (the median over good fits) against ln2/k_off of
/// the simulated cells' exchange rate at the bleach, from the run's own configuration (manifest.json).
/// </summary>
public class InsulinResistanceExperimentTests(ITestOutputHelper output)
{
    private sealed record Condition(string Name, double CountFold, double TruthCountFold, double PartitionFold,
        IReadOnlyList<double> HalfTimes, double TruthHalfTime, int FrapRows, int FrapRowsWithTrack, int FastDecisions, int Bleaches)
    {
        /// <summary>The condition's FRAP t½: the median of its good fits (robust to the odd recovery a neighbour spoiled).</summary>
        public double HalfTime => Median(HalfTimes);
    }

    [Fact]
    public async Task The_dry_run_reproduces_the_papers_clustering_directions_and_effect_sizes_with_rules_and_closed_loop_frap()
    {
        var folder = Path.Combine(Path.GetTempPath(), "livescope-ir-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var run = CliProcess.Start(CliProcess.Root, "run", "protocols/insulin-resistance-comparison.yaml", "--yes", "--out", folder);
            var exit = await run.WaitAsync(TimeSpan.FromMinutes(12));
            exit.Should().Be(0, run.Errors);

            var conditions = Directory.GetDirectories(folder).Select(Read).ToDictionary(c => c.Name);
            foreach (var c in conditions.Values)
                output.WriteLine($"{c.Name}: clusters ×{c.CountFold:0.000} (truth ×{c.TruthCountFold:0.000}), partition ratio ×{c.PartitionFold:0.000}, " +
                                 $"FRAP t½ {c.HalfTime:0.0} s (truth {c.TruthHalfTime:0.0} s) from good fits " +
                                 $"[{string.Join(", ", c.HalfTimes.Select(t => t.ToString("0.0", CultureInfo.InvariantCulture)))}] s, " +
                                 $"{c.FastDecisions} fast-imaging decisions, {c.Bleaches} bleaches");
            conditions.Keys.Should().BeEquivalentTo(["insulin_sensitive", "insulin_resistant", "resistant_metformin"]);
            var (sensitive, resistant, metformin) = (conditions["insulin_sensitive"], conditions["insulin_resistant"], conditions["resistant_metformin"]);

            // Directions: clusters per field late after insulin over before it.
            sensitive.CountFold.Should().BeGreaterThan(1.5, "insulin raises clustering in sensitive cells");
            resistant.CountFold.Should().BeInRange(0.85, 1.15, "resistant cells barely respond");
            metformin.CountFold.Should().BeInRange(resistant.CountFold, sensitive.CountFold, "metformin partly rescues");
            sensitive.PartitionFold.Should().BeGreaterThan(resistant.PartitionFold, "clusters also condense more where insulin works");

            // Effect sizes: what the detector measured against what the simulator had in view, within 10%.
            foreach (var c in conditions.Values)
                c.CountFold.Should().BeApproximately(c.TruthCountFold, 0.1 * c.TruthCountFold, $"{c.Name}'s measured effect follows the ground truth");

            // The rules acted: fast imaging only where clusters condensed; closed-loop FRAP everywhere, each fit on its track.
            sensitive.FastDecisions.Should().BeGreaterThan(resistant.FastDecisions, "only responding cells trigger fast imaging");
            foreach (var c in conditions.Values)
            {
                c.Bleaches.Should().BeGreaterThan(0);
                c.FrapRows.Should().Be(c.Bleaches, $"{c.Name}: every bleach has its FRAP result");
                c.FrapRowsWithTrack.Should().Be(c.FrapRows, "each result is attached to the bleached cluster's track");
            }

            // FRAP: slower exchange in resistant cells, metformin between; each condition's t½ within 10% of the truth.
            resistant.HalfTime.Should().BeGreaterThan(metformin.HalfTime, "IR exchanges most slowly in resistant cells");
            metformin.HalfTime.Should().BeGreaterThan(sensitive.HalfTime, "metformin only partly restores the exchange");
            foreach (var c in conditions.Values)
            {
                c.HalfTimes.Count.Should().BeGreaterThanOrEqualTo(3, $"{c.Name}: enough recoveries fit well to take a median");
                c.HalfTime.Should().BeApproximately(c.TruthHalfTime, 0.1 * c.TruthHalfTime, $"{c.Name}'s measured FRAP t½ follows the ground truth");
            }
            File.Exists(Path.Combine(folder, "insulin-resistance-comparison_comparison.html")).Should().BeTrue();
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static Condition Read(string folder)
    {
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        var name = manifest.RootElement.GetProperty("labels").GetProperty("condition").GetString()!;
        var events = File.ReadLines(Path.Combine(folder, "events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        string Kind(JsonElement e) => e.GetProperty("kind").GetString()!;
        var stimulation = events.First(e => Kind(e) == "stimulation");
        double insulin = stimulation.GetProperty("microscopeTimeS").GetDouble();
        // Which position each regular frame was (its sequence number is the truth file's key).
        var positionOf = events.Where(e => Kind(e) == "frame" && e.GetProperty("data").GetProperty("series").ValueKind == JsonValueKind.Null)
            .ToDictionary(e => e.GetProperty("data").GetProperty("seq").GetInt64(), e => e.GetProperty("data").GetProperty("p").GetInt32());
        var truth = Csv(Path.Combine(folder, "ground-truth-frames.csv"));

        var counts = new List<double>();
        var truthCounts = new List<double>();
        var partitions = new List<double>();
        foreach (var (position, index) in new[] { ("field_1", 0), ("field_2", 1) })
        {
            var rows = Csv(Path.Combine(folder, "measurements", position, "frames.csv"));
            counts.Add(Fold(rows, "time_s", "clusters", insulin));
            partitions.Add(Fold(rows, "time_s", "partition_ratio", insulin));
            truthCounts.Add(Fold(truth.Where(r => positionOf.GetValueOrDefault((long)r["sequence_number"], -1) == index).ToList(),
                "time_s", "clusters_in_view", insulin));
        }
        var frap = Csv(Path.Combine(folder, "measurements", "frap.csv"));
        var good = frap.Where(IsGoodFit).Select(r => r["t_half_s"]).ToList();
        double truthHalfTime = TruthHalfTimeS(manifest, name, insulin, stimulation.GetProperty("data").GetProperty("concentration").GetDouble(), frap.Select(r => r["bleach_time_s"]).Where(double.IsFinite).ToList());
        int fast = events.Count(e => Kind(e) == "adapt.decision" && e.GetProperty("data").GetProperty("rule").GetString()!.StartsWith("faster", StringComparison.Ordinal));
        int bleaches = events.Count(e => Kind(e) == "bleach");
        return new Condition(name, counts.Average(), truthCounts.Average(), partitions.Average(), good, truthHalfTime, frap.Count,
            frap.Count(r => double.IsFinite(r["track_id"])), fast, bleaches);
    }

    /// <summary>
    /// A fit that measured its cluster's exchange: fitted (no failure), R² ≥ 0.9 (the analyzer's own poor-fit line),
    /// a mobile fraction between 0 and 1.5 (above that, more came back than was bleached: a neighbour grew or drifted
    /// into the ROI, and t½ runs off towards infinity), and a cluster that did not start to dissolve before t½/2 (then
    /// there was hardly a recovery to measure, and t½ rests on the decay alone).
    /// </summary>
    private static bool IsGoodFit(Dictionary<string, double> r) =>
        double.IsFinite(r["t_half_s"]) && r["t_half_s"] > 0 && r["r_squared"] >= 0.9 && r["mobile_fraction"] > 0 && r["mobile_fraction"] <= 1.5
        && !(r["dissolves_from_s"] < r["t_half_s"] / 2);

    /// <summary>
    /// The simulator's true FRAP t½ for a condition: ln2/k_off of its cells at the bleaches (each mobile molecule leaves
    /// its cluster at k_off), from the simulated backend's settings the run recorded and the condition the protocol set;
    /// insulin is added as in the run (it changes births and sizes, not k_off, in the default model). The median over the bleaches.
    /// </summary>
    private static double TruthHalfTimeS(JsonDocument manifest, string condition, double insulinAtS, double insulinNm, IReadOnlyList<double> bleachTimesS)
    {
        var config = ConfigNode.Parse(manifest.RootElement.GetProperty("configurationText").GetString()!, "manifest.json");
        var options = ConfigBinder.Bind<SimulationOptions>(config.Child("backends")?.Child("simulated"));
        var cells = new ConditionState(Enum.Parse<SampleCondition>(condition.Replace("_", ""), ignoreCase: true), options.Conditions, options.Reagents);
        cells.Add(insulinAtS, "insulin", insulinNm);
        return Median(bleachTimesS.Select(t => Math.Log(2) / cells.At(t).KOffPerS));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : (sorted[sorted.Count / 2] + sorted[(sorted.Count - 1) / 2]) / 2;
    }

    /// <summary>Mean of a column late after insulin (its last 10 min) over its mean before insulin.</summary>
    private static double Fold(List<Dictionary<string, double>> rows, string time, string column, double insulin)
    {
        double Mean(Func<double, bool> when) => rows.Where(r => when(r[time]) && double.IsFinite(r[column])).Average(r => r[column]);
        return Mean(t => t > insulin + 600) / Mean(t => t < insulin);
    }

    /// <summary>Numeric columns of a CSV (text cells read as NaN).</summary>
    private static List<Dictionary<string, double>> Csv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var cells = FrapAnalyzeCommandTests.SplitCsv(l);
            return header.Select((h, i) => (h, v: i < cells.Count && double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN))
                .ToDictionary(x => x.h, x => x.v);
        }).ToList();
    }
}
