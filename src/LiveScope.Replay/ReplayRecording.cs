using System.Globalization;
using LiveScope.Core.Imaging;
using LiveScope.Storage.OmeTiff;

namespace LiveScope.Replay;

/// <summary>Which planes of a recording to play.</summary>
public sealed record ReplaySelection
{
    /// <summary>Channel name or index; null plays every plane (allowed only when the file has one channel).</summary>
    public string? Channel { get; init; }
    public int? ZIndex { get; init; }
    /// <summary>When the path is a run folder: the position's file name without <c>.ome.tif</c>.</summary>
    public string? Position { get; init; }
}

/// <summary>
/// An opened OME-TIFF and the planes of it a replay camera serves, in file order, with each plane's offset from the
/// first (from the recorded plane timestamps). Pixels are read on demand straight into pooled frames: nothing of the
/// recording is held in memory beyond the IFD list, so a 2048² recording of any length replays in constant memory.
/// Not thread-safe: one reader at a time (the camera serialises its acquisitions).
/// </summary>
public sealed class ReplayRecording : IDisposable
{
    private const string Extension = ".ome.tif";
    private readonly OmeTiffReader _reader;
    private readonly int[] _planeIndices;
    private readonly TimeSpan[] _offsets;

    private ReplayRecording(string path, OmeTiffReader reader, int[] planeIndices)
    {
        Path = path;
        _reader = reader;
        _planeIndices = planeIndices;
        _offsets = new TimeSpan[planeIndices.Length];
        for (int i = 0; i < planeIndices.Length; i++)
            _offsets[i] = reader.Planes[planeIndices[i]].Timestamp - reader.Planes[planeIndices[0]].Timestamp;
        HasTimestamps = IsPaced(_offsets);
        CyclePeriod = Period(_offsets, ExposureOf(0));
    }

    public string Path { get; }
    public int Width => _reader.Width;
    public int Height => _reader.Height;
    /// <summary>Planes served per pass through the recording.</summary>
    public int Count => _planeIndices.Length;
    /// <summary>Pixel size the file records (OME PhysicalSizeX), if any.</summary>
    public double? PixelSizeUm => _reader.Description.PixelSizeUm is > 0 ? _reader.Description.PixelSizeUm : null;
    /// <summary>True when the recorded timestamps can pace a replay (they rise from the first plane to the last).</summary>
    public bool HasTimestamps { get; }
    /// <summary>Offset of served plane <paramref name="i"/> from the first, from the recording's timestamps.</summary>
    public TimeSpan OffsetOf(int i) => _offsets[i];
    /// <summary>
    /// Time from a pass's first plane to the next pass's first plane at the original rate: the recording's span plus
    /// its typical (median) interval, so a loop keeps the recorded rhythm across the seam.
    /// </summary>
    public TimeSpan CyclePeriod { get; }
    /// <summary>Metadata the file records for served plane <paramref name="i"/>.</summary>
    public FrameMetadata MetadataOf(int i) => _reader.Planes[_planeIndices[i]];
    /// <summary>Index in the file (IFD order) of served plane <paramref name="i"/>.</summary>
    public int FilePlaneOf(int i) => _planeIndices[i];

    /// <summary>Reads served plane <paramref name="i"/> into a pooled frame (no intermediate copy).</summary>
    public Frame Read(int i, FramePool pool) => _reader.ReadPlane(_planeIndices[i], pool);

    private double ExposureOf(int i) => _reader.Planes[_planeIndices[i]].ExposureMs;

    /// <summary>
    /// Opens <paramref name="path"/> (an OME-TIFF, or a run folder of them) and selects the planes to serve.
    /// Reads the first and last selected planes once, so a truncated file fails here rather than mid-run.
    /// Every problem is a <see cref="ReplayFileException"/> naming the file and the setting at fault.
    /// </summary>
    public static ReplayRecording Open(string path, ReplaySelection? selection = null)
    {
        selection ??= new ReplaySelection();
        string file = ChooseFile(path, selection.Position);
        OmeTiffReader reader;
        try
        {
            reader = OmeTiffReader.Open(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException
                                      or ArgumentException or NotSupportedException or FormatException)
        {
            throw new ReplayFileException(file, "file", $"is not a readable 16-bit OME-TIFF: {e.Message}", e);
        }
        try
        {
            if (reader.OmeXml is null)
                throw new ReplayFileException(file, "file", "is a TIFF without OME-XML metadata, not an OME-TIFF; LiveScope replays OME-TIFF files it (or tifffile, Fiji) wrote");
            if (reader.Planes.Count == 0)
                throw new ReplayFileException(file, "file", "holds no planes");
            var recording = new ReplayRecording(file, reader, SelectPlanes(file, reader, selection));
            recording.Probe(0);
            recording.Probe(recording.Count - 1);
            return recording;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private void Probe(int i)
    {
        var pool = new FramePool(maxPooled: 0);
        try
        {
            Read(i, pool).Dispose();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
        {
            throw new ReplayFileException(Path, "file", $"plane {FilePlaneOf(i)} cannot be read (truncated or damaged file?): {e.Message}", e);
        }
    }

    private static string ChooseFile(string path, string? position)
    {
        if (System.IO.File.Exists(path))
        {
            if (position is not null && !StemOf(path).Equals(position, StringComparison.OrdinalIgnoreCase))
                throw new ReplayFileException(path, "position", $"position '{position}' was asked for, but this file is '{StemOf(path)}'; point file at the run folder to choose among positions");
            return path;
        }
        if (!Directory.Exists(path))
            throw new ReplayFileException(path, "file", "does not exist");
        var files = Directory.GetFiles(path, "*" + Extension).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
            throw new ReplayFileException(path, "file", $"is a folder with no {Extension} files");
        if (position is null)
            return files.Length == 1 ? files[0]
                : throw new ReplayFileException(path, "position", $"holds {files.Length} positions; choose one with position: {string.Join(", ", files.Select(StemOf))}");
        return files.FirstOrDefault(f => StemOf(f).Equals(position, StringComparison.OrdinalIgnoreCase))
               ?? throw new ReplayFileException(path, "position", $"has no position '{position}'; it holds: {string.Join(", ", files.Select(StemOf))}");
    }

    private static string StemOf(string file)
    {
        var name = System.IO.Path.GetFileName(file);
        return name.EndsWith(Extension, StringComparison.OrdinalIgnoreCase) ? name[..^Extension.Length] : System.IO.Path.GetFileNameWithoutExtension(name);
    }

    private static int[] SelectPlanes(string file, OmeTiffReader reader, ReplaySelection selection)
    {
        var planes = reader.Planes;
        var channels = planes.Select(p => p.ChannelIndex).Distinct().Order().ToArray();
        int? channel = null;
        if (selection.Channel is { } wanted)
            channel = ResolveChannel(file, reader, channels, wanted);
        else if (channels.Length > 1)
            throw new ReplayFileException(file, "channel",
                $"holds {channels.Length} channels ({DescribeChannels(reader, channels)}); choose one with channel");
        if (selection.ZIndex is { } z && !planes.Any(p => p.ZIndex == z))
            throw new ReplayFileException(file, "z_index",
                $"has no z-slice {z}; its slices are {string.Join(", ", planes.Select(p => p.ZIndex).Distinct().Order())}");

        var selected = Enumerable.Range(0, planes.Count)
            .Where(i => (channel is null || planes[i].ChannelIndex == channel) && (selection.ZIndex is null || planes[i].ZIndex == selection.ZIndex))
            .ToArray();
        return selected.Length > 0 ? selected
            : throw new ReplayFileException(file, selection.ZIndex is null ? "channel" : "z_index", "selects no planes");
    }

    private static int ResolveChannel(string file, OmeTiffReader reader, int[] channels, string wanted)
    {
        foreach (var c in channels)
            if (string.Equals(ChannelName(reader, c), wanted, StringComparison.OrdinalIgnoreCase)) return c;
        if (int.TryParse(wanted, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && channels.Contains(index)) return index;
        throw new ReplayFileException(file, "channel", $"has no channel '{wanted}'; it holds {DescribeChannels(reader, channels)}");
    }

    private static string? ChannelName(OmeTiffReader reader, int index) =>
        index < reader.Description.ChannelNames.Count ? reader.Description.ChannelNames[index]
            : reader.Planes.FirstOrDefault(p => p.ChannelIndex == index).Channel;

    private static string DescribeChannels(OmeTiffReader reader, int[] channels) =>
        string.Join(", ", channels.Select(c => ChannelName(reader, c) is { } name ? $"{c} ({name})" : c.ToString(CultureInfo.InvariantCulture)));

    private static bool IsPaced(TimeSpan[] offsets)
    {
        for (int i = 1; i < offsets.Length; i++)
            if (offsets[i] < offsets[i - 1]) return false;
        return offsets.Length == 1 || offsets[^1] > TimeSpan.Zero;
    }

    private static TimeSpan Period(TimeSpan[] offsets, double firstExposureMs)
    {
        if (offsets.Length < 2) return TimeSpan.FromMilliseconds(Math.Max(1, firstExposureMs));
        var steps = new TimeSpan[offsets.Length - 1];
        for (int i = 1; i < offsets.Length; i++) steps[i - 1] = offsets[i] - offsets[i - 1];
        Array.Sort(steps);
        return offsets[^1] + steps[steps.Length / 2];
    }

    public void Dispose() => _reader.Dispose();
}
