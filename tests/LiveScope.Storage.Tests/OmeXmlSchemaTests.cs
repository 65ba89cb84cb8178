using LiveScope.Storage.OmeTiff;

namespace LiveScope.Storage.Tests;

public sealed class OmeXmlSchemaTests
{
    [Theory]
    [InlineData("instrument.ome.xml")]
    [InlineData("minimum-specification.ome.xml")]
    [InlineData("multi-channel-time-series.ome.xml")]
    [InlineData("single-image.ome.xml")]
    [InlineData("time-series.ome.xml")]
    [InlineData("z-series-time-series.ome.xml")]
    public void The_reference_samples_pass_the_validation_command(string sample)
    {
        var (code, output) = ExternalTools.XmllintValidate(Path.Combine(ExternalTools.OmeSchemaFolder, "samples", sample));
        code.Should().Be(0, output);
        output.Should().Contain("validates");
    }

    [Fact]
    public void The_validation_command_rejects_a_document_that_breaks_the_schema()
    {
        using var temp = new TempFolder();
        string bad = temp.File("bad.ome.xml");
        File.WriteAllText(bad, """
            <?xml version="1.0" encoding="UTF-8"?>
            <OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">
              <Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="XYQZT" Type="uint16" SizeX="1" SizeY="1" SizeZ="1" SizeC="1" SizeT="1"/></Image>
            </OME>
            """);
        ExternalTools.XmllintValidate(bad).ExitCode.Should().NotBe(0);
    }

    [Fact]
    public void The_written_OME_XML_of_a_multi_T_C_Z_file_validates_against_the_2016_06_schema()
    {
        using var temp = new TempFolder();
        string tif = temp.File("pos.ome.tif");
        TestStacks.WriteStack(tif, 32, 24, sizeT: 3, sizeC: 2, sizeZ: 2);
        string xmlPath = temp.File("pos.ome.xml");
        using (var reader = OmeTiffReader.Open(tif)) File.WriteAllText(xmlPath, reader.OmeXml);

        var (code, output) = ExternalTools.XmllintValidate(xmlPath);
        code.Should().Be(0, output);
        output.Should().Contain("validates");
    }
}
