using System.Globalization;
using System.Text;

namespace LiveScope.Storage.Run;

/// <summary>
/// One run's folder and the names of what goes in it: an OME-TIFF per stage position, events.jsonl, manifest.json,
/// the JSON log, ground-truth.csv (simulated runs) and measurements/. <see cref="Create"/> never reuses an existing
/// folder: a run name already taken gets a numeric suffix, so no earlier run can be overwritten.
/// </summary>
public sealed class RunFolder
{
    public const string EventsFileName = "events.jsonl";
    public const string ManifestFileName = "manifest.json";
    public const string LogFileName = "log.jsonl";
    public const string GroundTruthFileName = "ground-truth.csv";
    public const string MeasurementsFolderName = "measurements";
    public const string ImageExtension = ".ome.tif";
    /// <summary>Created with CreateNew inside each run folder; claiming it is what makes a folder ours.</summary>
    public const string MarkerFileName = ".livescope-run";

    private RunFolder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Name = System.IO.Path.GetFileName(Path);
    }

    public string Path { get; }
    public string Name { get; }
    public string EventsPath => Combine(EventsFileName);
    public string ManifestPath => Combine(ManifestFileName);
    public string LogPath => Combine(LogFileName);
    public string GroundTruthPath => Combine(GroundTruthFileName);
    public string MeasurementsFolder => Combine(MeasurementsFolderName);

    /// <summary>
    /// Creates <c>outputRoot/runName</c>, or <c>runName-2</c>, <c>-3</c>, … when taken (also by another process
    /// racing for the same name). The name is made safe for a folder: characters other than letters, digits,
    /// '.', '_' and '-' become '-'.
    /// </summary>
    public static RunFolder Create(string outputRoot, string runName)
    {
        string safe = SafeName(runName);
        Directory.CreateDirectory(outputRoot);
        for (int attempt = 1; attempt <= 10_000; attempt++)
        {
            string candidate = System.IO.Path.Combine(outputRoot,
                attempt == 1 ? safe : safe + "-" + attempt.ToString(CultureInfo.InvariantCulture));
            if (Directory.Exists(candidate) || File.Exists(candidate)) continue;
            Directory.CreateDirectory(candidate);
            try
            {
                using var marker = new FileStream(System.IO.Path.Combine(candidate, MarkerFileName), FileMode.CreateNew);
            }
            catch (IOException)
            {
                continue; // another process created the same folder between our check and our claim
            }
            return new RunFolder(candidate);
        }
        throw new IOException($"no free run folder name for '{safe}' under {outputRoot}");
    }

    /// <summary>An existing run folder (for recover, analyze, replay).</summary>
    public static RunFolder Open(string path)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"run folder not found: {path}");
        return new RunFolder(path);
    }

    /// <summary>The OME-TIFF for one stage position: <c>pos003_A1.ome.tif</c> (or <c>pos003.ome.tif</c> without a name).</summary>
    public string ImagePath(int positionIndex, string? positionName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(positionIndex);
        string stem = "pos" + positionIndex.ToString("D3", CultureInfo.InvariantCulture);
        if (!string.IsNullOrWhiteSpace(positionName)) stem += "_" + SafeName(positionName);
        return Combine(stem + ImageExtension);
    }

    /// <summary>Starts the OME-TIFF (and its journal) for the position <paramref name="description"/> names.</summary>
    public OmeTiff.OmeTiffWriter CreateImageWriter(StackDescription description, OmeTiff.OmeTiffWriterOptions? options = null)
        => OmeTiff.OmeTiffWriter.Create(ImagePath(description.PositionIndex, description.PositionName), description, options);

    /// <summary>A file under measurements/, creating the folder on first use.</summary>
    public string MeasurementPath(string fileName)
    {
        Directory.CreateDirectory(MeasurementsFolder);
        return System.IO.Path.Combine(MeasurementsFolder, System.IO.Path.GetFileName(fileName));
    }

    public IReadOnlyList<string> ImageFiles()
        => Directory.EnumerateFiles(Path, "*" + ImageExtension).Order(StringComparer.Ordinal).ToList();

    private string Combine(string name) => System.IO.Path.Combine(Path, name);

    public static string SafeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char ch in name.Trim())
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-' ? ch : '-');
        string safe = sb.ToString().Trim('.');
        return safe.Length == 0 ? "run" : safe;
    }

    public override string ToString() => Path;
}
