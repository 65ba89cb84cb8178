namespace LiveScope.Replay;
internal static class AssemblyMarker { }
