using System.Text.Json;
using LiveScope.Storage.OmeTiff;

namespace LiveScope.Storage.Tests;

/// <summary>An independent reader (tifffile) must see the stack we meant: shape, dtype, every pixel, OME-ness.</summary>
public sealed class TifffileInteropTests
{
    // Prints the series' axes/shape/dtype and a SHA-256 of each (t,c,z) plane, found through the axes tifffile reports.
    private const string Script = """
        import sys, json, hashlib, numpy, tifffile
        with tifffile.TiffFile(sys.argv[1]) as tf:
            s = tf.series[0]
            a = s.asarray()
            axes = s.axes
            size = {ax: a.shape[i] for i, ax in enumerate(axes)}
            planes = {}
            for t in range(size.get('T', 1)):
                for c in range(size.get('C', 1)):
                    for z in range(size.get('Z', 1)):
                        at = {'T': t, 'C': c, 'Z': z}
                        index = tuple(at[ax] if ax in at else slice(None) for ax in axes)
                        planes[f'{t},{c},{z}'] = hashlib.sha256(numpy.ascontiguousarray(a[index]).tobytes()).hexdigest()
            print(json.dumps({'is_ome': tf.is_ome, 'is_bigtiff': tf.is_bigtiff, 'axes': axes,
                              'shape': list(a.shape), 'dtype': str(a.dtype), 'pages': len(tf.pages), 'planes': planes}))
        """;

    private sealed record TifffileView(bool is_ome, bool is_bigtiff, string axes, int[] shape, string dtype, int pages,
        Dictionary<string, string> planes);

    private static TifffileView Read(string path)
    {
        ExternalTools.RequireTifffile();
        var (code, output) = ExternalTools.RunPython(Script, path);
        code.Should().Be(0, output);
        return JsonSerializer.Deserialize<TifffileView>(output.Trim().Split('\n')[^1])!;
    }

    [Fact]
    public void Tifffile_reads_a_multi_T_C_Z_classic_file_with_the_same_shape_dtype_and_values()
    {
        using var temp = new TempFolder();
        string tif = temp.File("pos.ome.tif");
        var hashes = TestStacks.WriteStack(tif, 40, 30, sizeT: 3, sizeC: 2, sizeZ: 4);

        var view = Read(tif);

        view.is_ome.Should().BeTrue();
        view.is_bigtiff.Should().BeFalse();
        view.dtype.Should().Be("uint16");
        view.pages.Should().Be(3 * 2 * 4);
        view.axes.Should().Be("TZCYX", "XYCZT read slowest-first");
        view.shape.Should().Equal(3, 4, 2, 30, 40);
        view.planes.Should().BeEquivalentTo(hashes);
    }

    [Fact]
    public void Tifffile_reads_a_BigTIFF_file_with_the_same_shape_dtype_and_values()
    {
        using var temp = new TempFolder();
        string tif = temp.File("big.ome.tif");
        var hashes = TestStacks.WriteStack(tif, 33, 17, sizeT: 2, sizeC: 2, sizeZ: 1,
            new OmeTiffWriterOptions { ForceBigTiff = true });

        var view = Read(tif);

        view.is_ome.Should().BeTrue();
        view.is_bigtiff.Should().BeTrue();
        view.dtype.Should().Be("uint16");
        view.shape.Should().Equal(2, 2, 17, 33);
        view.planes.Should().BeEquivalentTo(hashes);
    }

    [Fact]
    public void Tifffile_reads_a_recovered_file_with_every_complete_plane()
    {
        using var temp = new TempFolder();
        string tif = temp.File("crashed.ome.tif");
        var hashes = RecoveryTests.WriteAndAbandon(tif, planesWritten: 5, cutIntoLastPlaneBytes: 100);

        OmeTiffRecovery.RecoverFile(tif).PlanesRecovered.Should().Be(4);
        var view = Read(tif);

        view.is_ome.Should().BeTrue();
        view.pages.Should().Be(4);
        view.planes.Should().BeEquivalentTo(hashes.Take(4).ToDictionary());
    }
}
