using System.Globalization;
using System.Text;

namespace LiveScope.Analysis.Pipeline;

/// <summary>What one analysed run comes to; the CLI prints one row per run (condition).</summary>
public sealed record AnalysisSummary(
    string Condition,
    int Frames,
    double DurationS,
    double MeanClustersPerFrame,
    double MeanCellsPerFrame,
    double MeanDensityPerUm2,
    double MeanPartitionRatio,
    double MeanCondensedFraction,
    int Tracks,
    double MeanTrackLifetimeS,
    double BirthsPerMinute,
    double DeathsPerMinute)
{
    /// <summary>Column names and values, formatted, for any table renderer (Spectre.Console in the CLI).</summary>
    public static readonly string[] Columns =
        ["condition", "frames", "duration s", "clusters/frame", "cells/frame", "density /µm²", "partition ratio", "condensed fraction", "tracks", "mean lifetime s", "births/min", "deaths/min"];

    public string[] Cells()
    {
        var c = CultureInfo.InvariantCulture;
        string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, c) : "–";
        return [Condition, Frames.ToString(c), F(DurationS, "0.#"), F(MeanClustersPerFrame, "0.#"), F(MeanCellsPerFrame, "0.#"),
            F(MeanDensityPerUm2, "0.000"), F(MeanPartitionRatio, "0.00"), F(MeanCondensedFraction, "0.000"), Tracks.ToString(c),
            F(MeanTrackLifetimeS, "0.#"), F(BirthsPerMinute, "0.##"), F(DeathsPerMinute, "0.##")];
    }

    /// <summary>A plain-text table, one row per summary.</summary>
    public static string FormatTable(IEnumerable<AnalysisSummary> summaries)
    {
        var rows = new List<string[]> { Columns };
        rows.AddRange(summaries.Select(s => s.Cells()));
        var widths = Enumerable.Range(0, Columns.Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
            text.AppendLine(string.Join("  ", row.Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
        return text.ToString();
    }
}
