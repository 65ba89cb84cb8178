using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Core.Imaging;
using LiveScope.Storage;
using LiveScope.Storage.OmeTiff;
using LiveScope.Storage.Run;

namespace LiveScope.Acquisition.Recording;

/// <summary>
/// Keeps a run's frames as OME-TIFF: one file per stage position with the regular T×C×Z series, and one file per
/// FRAP step (its own time axis at the recovery interval). Files open on their first frame and close complete on
/// dispose; a crash leaves their journals for <c>livescope recover</c>.
/// </summary>
public sealed class OmeTiffFrameStore : IFrameStore
{
    private readonly string _folder;
    private readonly AcquisitionPlan _plan;
    private readonly double _pixelSizeUm;
    private readonly DateTimeOffset _startedAt;
    private readonly Func<string, StackDescription, IImageStackWriter> _open;
    private readonly Dictionary<(int Position, string? Frap), IImageStackWriter> _writers = new();

    public OmeTiffFrameStore(string folder, AcquisitionPlan plan, double pixelSizeUm, DateTimeOffset startedAt,
        Func<string, StackDescription, IImageStackWriter>? open = null)
    {
        _folder = folder;
        _plan = plan;
        _pixelSizeUm = pixelSizeUm;
        _startedAt = startedAt;
        _open = open ?? ((path, description) => OmeTiffWriter.Create(path, description));
    }

    public ValueTask WriteAsync(Frame frame, FrameEvent planned, CancellationToken ct)
    {
        var key = (planned.PositionIndex, planned.Series);
        if (!_writers.TryGetValue(key, out var writer))
        {
            writer = _open(Path.Combine(_folder, FileName(key.PositionIndex, key.Series)), Describe(planned));
            _writers.Add(key, writer);
        }
        writer.WritePlane(frame);
        return ValueTask.CompletedTask;
    }

    private string FileName(int position, string? series) => SeriesName(_plan, position, series) + ".ome.tif";

    /// <summary>Name of one image series (a position's regular frames, or one FRAP step's): the file's name without extension.</summary>
    public static string SeriesName(AcquisitionPlan plan, int position, string? series)
    {
        var name = RunFolder.SafeName(PositionName(plan, position));
        return series is null ? name : $"{name}_{RunFolder.SafeName(series)}";
    }

    private string PositionName(int index) => PositionName(_plan, index);

    private static string PositionName(AcquisitionPlan plan, int index) =>
        index < plan.Protocol.Positions.Count ? plan.Protocol.Positions[index].Name : $"pos{index}";

    private StackDescription Describe(FrameEvent first)
    {
        var protocol = _plan.Protocol;
        var series = _plan.Events.OfType<FrameEvent>()
            .Where(e => e.PositionIndex == first.PositionIndex && e.Series == first.Series).ToList();
        var sample = protocol.Sample;
        return new StackDescription
        {
            ImageName = first.Series is null ? PositionName(first.PositionIndex) : $"{PositionName(first.PositionIndex)} {first.Series}",
            PositionIndex = first.PositionIndex,
            PositionName = PositionName(first.PositionIndex),
            PlannedSizeT = series.Select(e => e.TimeIndex).Distinct().Count(),
            PlannedSizeC = series.Select(e => e.ChannelIndex).Distinct().Count(),
            PlannedSizeZ = series.Select(e => e.ZIndex).Distinct().Count(),
            ChannelNames = protocol.Channels.Select(c => c.Name).ToList(),
            PixelSizeUm = _pixelSizeUm,
            ZStepUm = protocol.ZStack?.StepUm,
            DimensionOrder = OmeDimensionOrder.XYZCT,
            Description = $"{protocol.Name}{(first.Series is null ? "" : $", series {first.Series}")}",
            Labels = new Dictionary<string, string>
            {
                ["protocol"] = protocol.Name,
                ["cell_line"] = sample.CellLine,
                ["condition"] = sample.Condition,
                ["treatment_history"] = sample.TreatmentHistory,
            },
            AcquisitionStartUtc = _startedAt,
        };
    }

    public ValueTask DisposeAsync()
    {
        List<Exception>? errors = null;
        foreach (var writer in _writers.Values)
        {
            try { writer.Dispose(); }
            catch (Exception e) { (errors ??= []).Add(e); }
        }
        _writers.Clear();
        if (errors is not null) throw new AggregateException("some OME-TIFF files could not be completed", errors);
        return ValueTask.CompletedTask;
    }
}
