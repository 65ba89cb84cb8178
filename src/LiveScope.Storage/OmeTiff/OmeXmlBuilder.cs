using System.Globalization;
using System.Reflection;
using System.Text;
using System.Xml;

namespace LiveScope.Storage.OmeTiff;

/// <summary>
/// Writes the OME-XML (2016-06 schema) for one stack: sizes from the planes that actually arrived, channel names,
/// one TiffData and one Plane per IFD, the stage label and the sample/condition labels as a MapAnnotation.
/// The output is pure ASCII (µ and other non-ASCII characters become character references), as TIFF's ASCII
/// type asks.
/// </summary>
public static class OmeXmlBuilder
{
    public const string Namespace = "http://www.openmicroscopy.org/Schemas/OME/2016-06";
    public const string LabelsNamespace = "livescope:sample-labels";
    public const string AcquisitionNamespace = "livescope:acquisition";
    private const string Micrometre = "\u00b5m";

    public static byte[] Build(StackDescription d, IReadOnlyList<PlaneRecord> planes,
        IReadOnlyDictionary<int, string> channelNames, Guid uuid)
    {
        if (planes.Count == 0) throw new ArgumentException("no planes", nameof(planes));
        var first = planes[0];
        int sizeT = 1 + planes.Max(p => p.TheT), sizeC = 1 + planes.Max(p => p.TheC), sizeZ = 1 + planes.Max(p => p.TheZ);
        double pixelSize = d.PixelSizeUm ?? first.PixelSizeUm;

        var output = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = Encoding.ASCII, Indent = true, IndentChars = "  " };
        using (var x = XmlWriter.Create(output, settings))
        {
            x.WriteStartDocument();
            x.WriteStartElement("OME", Namespace);
            x.WriteAttributeString("xmlns", "xsi", null, "http://www.w3.org/2001/XMLSchema-instance");
            x.WriteAttributeString("xsi", "schemaLocation", "http://www.w3.org/2001/XMLSchema-instance",
                Namespace + " " + Namespace + "/ome.xsd");
            x.WriteAttributeString("UUID", "urn:uuid:" + uuid.ToString("D"));
            x.WriteAttributeString("Creator", "LiveScope " + SoftwareVersion);

            x.WriteStartElement("Image", Namespace);
            x.WriteAttributeString("ID", "Image:0");
            x.WriteAttributeString("Name", d.ImageName);
            if (d.AcquisitionStartUtc is { } start)
                x.WriteElementString("AcquisitionDate", Namespace,
                    start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(d.Description)) x.WriteElementString("Description", Namespace, d.Description);

            x.WriteStartElement("StageLabel", Namespace);
            x.WriteAttributeString("Name", d.PositionName ?? $"Position {d.PositionIndex}");
            Length(x, "X", first.StageXUm);
            Length(x, "Y", first.StageYUm);
            Length(x, "Z", first.StageZUm);
            x.WriteEndElement();

            x.WriteStartElement("Pixels", Namespace);
            x.WriteAttributeString("ID", "Pixels:0");
            x.WriteAttributeString("DimensionOrder", d.DimensionOrder.ToString());
            x.WriteAttributeString("Type", "uint16");
            x.WriteAttributeString("SignificantBits", "16");
            x.WriteAttributeString("Interleaved", "false");
            x.WriteAttributeString("BigEndian", "false");
            x.WriteAttributeString("SizeX", Int(first.Width));
            x.WriteAttributeString("SizeY", Int(first.Height));
            x.WriteAttributeString("SizeZ", Int(sizeZ));
            x.WriteAttributeString("SizeC", Int(sizeC));
            x.WriteAttributeString("SizeT", Int(sizeT));
            if (pixelSize > 0)
            {
                Length(x, "PhysicalSizeX", pixelSize);
                Length(x, "PhysicalSizeY", pixelSize);
            }
            if (d.ZStepUm is > 0) Length(x, "PhysicalSizeZ", d.ZStepUm.Value);

            for (int c = 0; c < sizeC; c++)
            {
                x.WriteStartElement("Channel", Namespace);
                x.WriteAttributeString("ID", $"Channel:0:{c}");
                string? name = c < d.ChannelNames.Count ? d.ChannelNames[c] : channelNames.GetValueOrDefault(c);
                if (name is not null) x.WriteAttributeString("Name", name);
                x.WriteAttributeString("SamplesPerPixel", "1");
                x.WriteEndElement();
            }
            for (int i = 0; i < planes.Count; i++)
            {
                x.WriteStartElement("TiffData", Namespace);
                x.WriteAttributeString("IFD", Int(i));
                x.WriteAttributeString("FirstZ", Int(planes[i].TheZ));
                x.WriteAttributeString("FirstT", Int(planes[i].TheT));
                x.WriteAttributeString("FirstC", Int(planes[i].TheC));
                x.WriteAttributeString("PlaneCount", "1");
                x.WriteEndElement();
            }
            foreach (var p in planes)
            {
                x.WriteStartElement("Plane", Namespace);
                x.WriteAttributeString("TheZ", Int(p.TheZ));
                x.WriteAttributeString("TheT", Int(p.TheT));
                x.WriteAttributeString("TheC", Int(p.TheC));
                x.WriteAttributeString("DeltaT", Real(p.TimestampTicks / (double)TimeSpan.TicksPerSecond));
                x.WriteAttributeString("DeltaTUnit", "s");
                x.WriteAttributeString("ExposureTime", Real(p.ExposureMs));
                x.WriteAttributeString("ExposureTimeUnit", "ms");
                Length(x, "PositionX", p.StageXUm);
                Length(x, "PositionY", p.StageYUm);
                Length(x, "PositionZ", p.StageZUm);
                x.WriteEndElement();
            }
            x.WriteEndElement(); // Pixels

            x.WriteStartElement("AnnotationRef", Namespace);
            x.WriteAttributeString("ID", "Annotation:0");
            x.WriteEndElement();
            x.WriteStartElement("AnnotationRef", Namespace);
            x.WriteAttributeString("ID", "Annotation:1");
            x.WriteEndElement();
            x.WriteEndElement(); // Image

            x.WriteStartElement("StructuredAnnotations", Namespace);
            MapAnnotation(x, "Annotation:0", LabelsNamespace, d.Labels);
            MapAnnotation(x, "Annotation:1", AcquisitionNamespace, new Dictionary<string, string>
            {
                ["PositionIndex"] = Int(d.PositionIndex),
                ["Binning"] = Int(first.Binning),
                ["PlannedSizeT"] = Int(d.PlannedSizeT),
                ["PlannedSizeC"] = Int(d.PlannedSizeC),
                ["PlannedSizeZ"] = Int(d.PlannedSizeZ),
            });
            x.WriteEndElement();

            x.WriteEndElement(); // OME
            x.WriteEndDocument();
        }
        return output.ToArray();
    }

    internal static string SoftwareVersion { get; } =
        typeof(OmeXmlBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? "0";

    private static void MapAnnotation(XmlWriter x, string id, string ns, IReadOnlyDictionary<string, string> pairs)
    {
        x.WriteStartElement("MapAnnotation", Namespace);
        x.WriteAttributeString("ID", id);
        x.WriteAttributeString("Namespace", ns);
        x.WriteStartElement("Value", Namespace);
        foreach (var (key, value) in pairs)
        {
            x.WriteStartElement("M", Namespace);
            x.WriteAttributeString("K", key);
            x.WriteString(value);
            x.WriteEndElement();
        }
        x.WriteEndElement();
        x.WriteEndElement();
    }

    private static void Length(XmlWriter x, string name, double valueUm)
    {
        x.WriteAttributeString(name, Real(valueUm));
        x.WriteAttributeString(name + "Unit", Micrometre);
    }

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string Real(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
