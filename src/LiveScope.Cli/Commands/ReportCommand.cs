using System.CommandLine;
using LiveScope.Reporting;

namespace LiveScope.Cli.Commands;

/// <summary>
/// <c>livescope report RUN_FOLDER... [--out FILE]</c>: the HTML report of each run (&lt;run&gt;/report.html) and, for
/// several runs, one page comparing them as conditions (default &lt;parent of the first run&gt;/comparison.html).
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "One or more run folders.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out", "-o")
        {
            Description = "One run: where its report goes (default <run>/report.html). Several: where the comparison goes (default <parent>/comparison.html).",
        };
        var command = new Command("report", "Write the HTML report of runs, and a comparison of conditions when several are given.") { runs, output };
        command.SetAction(parse =>
        {
            var folders = parse.GetValue(runs)!;
            var missing = folders.Where(f => !Directory.Exists(f)).ToList();
            foreach (var f in missing) Console.Error.WriteLine($"{f}: no such run folder");
            if (missing.Count > 0) return 2;
            var outPath = parse.GetValue(output);
            if (folders.Length == 1)
            {
                Console.WriteLine($"report: {RunReport.Write(folders[0], outPath)}");
                return 0;
            }
            foreach (var folder in folders) Console.WriteLine($"report: {RunReport.Write(folder)}");
            var parent = Path.GetDirectoryName(Path.GetFullPath(folders[0]).TrimEnd(Path.DirectorySeparatorChar)) ?? ".";
            Console.WriteLine($"comparison: {ComparisonReport.Write(folders, outPath ?? Path.Combine(parent, ComparisonReport.FileName))}");
            return 0;
        });
        return command;
    }
}
