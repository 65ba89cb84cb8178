using System.Globalization;
using System.Xml.Linq;
using LiveScope.Core.Imaging;

namespace LiveScope.Storage.OmeTiff;

/// <summary>What LiveScope reads back from an OME-XML document: the description, sizes and per-IFD plane metadata.</summary>
public sealed record OmeXmlContents(
    StackDescription Description, int SizeX, int SizeY, int SizeT, int SizeC, int SizeZ,
    IReadOnlyDictionary<int, FrameMetadata> PlanesByIfd);

/// <summary>Parses the OME-XML this project writes (and the common subset other writers use) back into metadata.</summary>
public static class OmeXmlParser
{
    private static readonly XNamespace Ome = OmeXmlBuilder.Namespace;

    public static OmeXmlContents Parse(string xml)
    {
        var doc = XDocument.Parse(xml);
        var image = doc.Root?.Element(Ome + "Image") ?? throw new InvalidDataException("OME-XML has no Image");
        var pixels = image.Element(Ome + "Pixels") ?? throw new InvalidDataException("OME-XML Image has no Pixels");
        var maps = doc.Root!.Element(Ome + "StructuredAnnotations")?.Elements(Ome + "MapAnnotation")
            .ToDictionary(m => (string?)m.Attribute("Namespace") ?? "", ReadMap) ?? new();
        var labels = maps.GetValueOrDefault(OmeXmlBuilder.LabelsNamespace) ?? new Dictionary<string, string>();
        var acquisition = maps.GetValueOrDefault(OmeXmlBuilder.AcquisitionNamespace) ?? new Dictionary<string, string>();

        int sizeT = Int(pixels, "SizeT"), sizeC = Int(pixels, "SizeC"), sizeZ = Int(pixels, "SizeZ");
        var channelNames = pixels.Elements(Ome + "Channel").Select(c => (string?)c.Attribute("Name") ?? "").ToList();
        double pixelSize = Real(pixels, "PhysicalSizeX") ?? 0;
        int positionIndex = acquisition.TryGetValue("PositionIndex", out var pi) ? int.Parse(pi, CultureInfo.InvariantCulture) : 0;
        int binning = acquisition.TryGetValue("Binning", out var b) ? int.Parse(b, CultureInfo.InvariantCulture) : 1;

        var description = new StackDescription
        {
            ImageName = (string?)image.Attribute("Name") ?? "image",
            PositionIndex = positionIndex,
            PositionName = (string?)image.Element(Ome + "StageLabel")?.Attribute("Name"),
            PlannedSizeT = Planned(acquisition, "PlannedSizeT", sizeT),
            PlannedSizeC = Planned(acquisition, "PlannedSizeC", sizeC),
            PlannedSizeZ = Planned(acquisition, "PlannedSizeZ", sizeZ),
            ChannelNames = channelNames,
            PixelSizeUm = pixelSize > 0 ? pixelSize : null,
            ZStepUm = Real(pixels, "PhysicalSizeZ"),
            DimensionOrder = Enum.Parse<OmeDimensionOrder>((string?)pixels.Attribute("DimensionOrder") ?? "XYCZT"),
            Description = (string?)image.Element(Ome + "Description"),
            Labels = labels,
            AcquisitionStartUtc = (string?)image.Element(Ome + "AcquisitionDate") is { } date
                ? DateTimeOffset.Parse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null,
        };

        var planeElements = pixels.Elements(Ome + "Plane")
            .GroupBy(p => (Int(p, "TheT"), Int(p, "TheC"), Int(p, "TheZ")))
            .ToDictionary(g => g.Key, g => g.First());
        var byIfd = new Dictionary<int, FrameMetadata>();
        foreach (var tiffData in pixels.Elements(Ome + "TiffData"))
        {
            int ifd = IntOr(tiffData, "IFD", 0);
            int count = IntOr(tiffData, "PlaneCount", 1);
            int t0 = IntOr(tiffData, "FirstT", 0), c0 = IntOr(tiffData, "FirstC", 0), z0 = IntOr(tiffData, "FirstZ", 0);
            for (int k = 0; k < count; k++)
            {
                var (t, c, z) = Advance(description.DimensionOrder, t0, c0, z0, k, sizeT, sizeC, sizeZ);
                var plane = planeElements.GetValueOrDefault((t, c, z));
                byIfd[ifd + k] = new FrameMetadata
                {
                    SequenceNumber = ifd + k,
                    Timestamp = plane is null ? TimeSpan.Zero
                        : TimeSpan.FromTicks((long)Math.Round((Real(plane, "DeltaT") ?? 0) * TimeSpan.TicksPerSecond)),
                    ExposureMs = plane is null ? 0 : ExposureMs(plane),
                    Binning = binning,
                    PixelSizeUm = pixelSize,
                    StageXUm = plane is null ? 0 : Real(plane, "PositionX") ?? 0,
                    StageYUm = plane is null ? 0 : Real(plane, "PositionY") ?? 0,
                    StageZUm = plane is null ? 0 : Real(plane, "PositionZ") ?? 0,
                    Channel = c < channelNames.Count && channelNames[c].Length > 0 ? channelNames[c] : null,
                    TimeIndex = t,
                    ChannelIndex = c,
                    ZIndex = z,
                    PositionIndex = positionIndex,
                };
            }
        }
        return new OmeXmlContents(description, Int(pixels, "SizeX"), Int(pixels, "SizeY"), sizeT, sizeC, sizeZ, byIfd);
    }

    /// <summary>The k-th plane after (t0, c0, z0) in the file's dimension order (the fastest axis is the third letter).</summary>
    private static (int T, int C, int Z) Advance(OmeDimensionOrder order, int t, int c, int z, int k, int sizeT, int sizeC, int sizeZ)
    {
        if (k == 0) return (t, c, z);
        string axes = order.ToString()[2..];
        var index = new Dictionary<char, int> { ['T'] = t, ['C'] = c, ['Z'] = z };
        var size = new Dictionary<char, int> { ['T'] = sizeT, ['C'] = sizeC, ['Z'] = sizeZ };
        for (int step = 0; step < k; step++)
            foreach (char axis in axes)
            {
                if (++index[axis] < size[axis]) break;
                index[axis] = 0;
            }
        return (index['T'], index['C'], index['Z']);
    }

    private static double ExposureMs(XElement plane)
    {
        double value = Real(plane, "ExposureTime") ?? 0;
        return ((string?)plane.Attribute("ExposureTimeUnit") ?? "s") switch
        {
            "ms" => value,
            "s" => value * 1000,
            "\u00b5s" or "us" => value / 1000,
            _ => value,
        };
    }

    private static Dictionary<string, string> ReadMap(XElement map) =>
        map.Element(Ome + "Value")?.Elements(Ome + "M")
            .GroupBy(m => (string?)m.Attribute("K") ?? "")
            .ToDictionary(g => g.Key, g => g.First().Value) ?? new Dictionary<string, string>();

    private static int Planned(Dictionary<string, string> map, string key, int fallback)
        => map.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static int Int(XElement e, string name)
        => int.Parse((string?)e.Attribute(name) ?? throw new InvalidDataException($"OME-XML {e.Name.LocalName} lacks {name}"),
            CultureInfo.InvariantCulture);

    private static int IntOr(XElement e, string name, int fallback)
        => (string?)e.Attribute(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static double? Real(XElement e, string name)
        => (string?)e.Attribute(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : null;
}
