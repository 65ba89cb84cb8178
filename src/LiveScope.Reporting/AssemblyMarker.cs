namespace LiveScope.Reporting;
internal static class AssemblyMarker { }
