using System.CommandLine;
using LiveScope.Analysis.Frap;
using LiveScope.Analysis.Pipeline;
using LiveScope.Core.Imaging;
using LiveScope.Storage.OmeTiff;
using LiveScope.Storage.Run;

namespace LiveScope.Cli.Commands;

/// <summary>
/// <c>livescope analyze RUN_OR_OME_TIFF</c>: the in-line analysis, run on saved data — the same pipeline a live run
/// uses, fed from the OME-TIFF reader. Writes measurements CSVs and overlay PNGs and prints a summary table.
/// In a run folder, each FRAP step's series (named by a "bleach" event) is analysed as FRAP instead
/// (<see cref="FrapRunAnalysis"/>: measurements/frap.csv and frap_curves.csv) and not as a time-lapse: its frames
/// are a bleach experiment at another interval, and the position's own series already counts its clusters.
/// </summary>
public static class AnalyzeCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A run folder (every .ome.tif in it) or one OME-TIFF file." };
        var output = new Option<string?>("--out", "-o") { Description = "Where measurements go; default: <run>/measurements/<image>/." };
        var channel = new Option<string?>("--channel") { Description = "Analyse only frames of this channel." };
        var command = new Command("analyze", "Analyse saved images: clusters, cells, tracks; CSVs, overlay PNGs and a summary.") { input, output, channel };
        command.SetAction((parse, ct) =>
        {
            var path = parse.GetValue(input)!;
            bool isRun = Directory.Exists(path);
            var bleaches = isRun ? FrapRunAnalysis.ReadBleaches(path) : [];
            string[] images = isRun
                ? Directory.GetFiles(path, "*" + RunFolder.ImageExtension).Order(StringComparer.Ordinal).ToArray()
                : File.Exists(path) ? [path] : [];
            string[] files = images.Where(f => !bleaches.Any(b => b.IsSeriesFile(Path.GetFileName(f)))).ToArray();
            if (images.Length == 0)
            {
                Console.Error.WriteLine($"{path}: no OME-TIFF file or run folder there");
                return Task.FromResult(2);
            }
            var root = parse.GetValue(output) ?? Path.Combine(Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!,
                RunFolder.MeasurementsFolderName);
            var summaries = new List<AnalysisSummary>();
            var pool = new FramePool();
            foreach (var file in files)
            {
                using var reader = OmeTiffReader.Open(file);
                var name = Path.GetFileName(file)[..^RunFolder.ImageExtension.Length];
                var condition = reader.Description.Labels.GetValueOrDefault("condition", "");
                var options = new AnalysisOptions { Channel = parse.GetValue(channel), Condition = $"{name} {condition}".Trim() };
                var frames = Enumerable.Range(0, reader.Planes.Count).Select(i => reader.ReadPlane(i, pool));
                summaries.Add(AnalysisPipeline.AnalyseAll(frames, options, Path.Combine(root, name), disposeFrames: true, ct));
                Console.WriteLine($"{file}: {reader.Planes.Count} planes analysed → {Path.Combine(root, name)}");
            }
            if (summaries.Count > 0) Console.WriteLine(AnalysisSummary.FormatTable(summaries));
            if (bleaches.Count > 0)
            {
                var frap = FrapRunAnalysis.AnalyseRun(path, root, ct);
                Console.WriteLine($"{frap.Count} FRAP step(s) analysed → {Path.Combine(root, FrapResultsCsv.ResultsFileName)}");
                Console.WriteLine(FrapRunAnalysis.FormatTable(frap));
            }
            return Task.FromResult(0);
        });
        return command;
    }
}
