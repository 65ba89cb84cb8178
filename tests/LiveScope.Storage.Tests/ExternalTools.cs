using LiveScope.Testing;

namespace LiveScope.Storage.Tests;

/// <summary>
/// The outside judges of our files: xmllint (Debian libxml2-utils) against the OME schema, and tifffile
/// (Debian python3-tifffile) under /usr/bin/python3, run by <see cref="ExternalProgram"/>.
/// </summary>
internal static class ExternalTools
{
    /// <summary>../shared/data/ome-schema, found from the repository root (the folder holding LiveScope.sln).</summary>
    public static string OmeSchemaFolder
    {
        get
        {
            string schema = Path.GetFullPath(Path.Combine(LiveScope.Testing.RepoRoot.Path, "..", "shared", "data", "ome-schema"));
            if (!File.Exists(Path.Combine(schema, "ome.xsd")))
                throw new InvalidOperationException($"OME schema not found at {schema}/ome.xsd (expected ../shared beside the repository)");
            return schema;
        }
    }

    public static (int ExitCode, string Output) XmllintValidate(string xmlPath)
    {
        string xsd = Path.Combine(OmeSchemaFolder, "ome.xsd");
        // --nonet: the schema imports xml.xsd from w3.org; offline, xmllint skips that import with a warning.
        var result = ExternalProgram.Run("xmllint", ["--noout", "--nonet", "--schema", xsd, xmlPath],
            "xmllint is missing: install Debian package libxml2-utils (README's test command does)");
        return (result.ExitCode, result.Output);
    }

    public static (int ExitCode, string Output) RunPython(string script, params string[] args)
    {
        var result = ExternalProgram.RunPython(script, "python3-tifffile", args);
        return (result.ExitCode, result.Output);
    }

    public static void RequireTifffile()
    {
        var (code, output) = RunPython("import tifffile, numpy; print(tifffile.__version__)");
        if (code != 0)
            throw new InvalidOperationException(
                "python3-tifffile is not importable by /usr/bin/python3: install Debian package python3-tifffile " +
                "(README's test command does). Output: " + output);
    }
}
