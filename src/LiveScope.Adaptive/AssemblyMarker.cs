namespace LiveScope.Adaptive;
internal static class AssemblyMarker { }
