using System.CommandLine;
using LiveScope.Analysis.Pipeline;
using LiveScope.Core.Imaging;
using LiveScope.Storage.OmeTiff;
using LiveScope.Storage.Run;

namespace LiveScope.Cli.Commands;

/// <summary>
/// <c>livescope analyze RUN_OR_OME_TIFF</c>: the in-line analysis, run on saved data — the same pipeline a live run
/// uses, fed from the OME-TIFF reader. Writes measurements CSVs and overlay PNGs and prints a summary table.
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
            string[] files = Directory.Exists(path)
                ? Directory.GetFiles(path, "*" + RunFolder.ImageExtension).Order().ToArray()
                : File.Exists(path) ? [path] : [];
            if (files.Length == 0)
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
            Console.WriteLine(AnalysisSummary.FormatTable(summaries));
            return Task.FromResult(0);
        });
        return command;
    }
}
