using LiveScope.Acquisition.Engine;
using LiveScope.Storage.Run;

namespace LiveScope.Acquisition.Recording;

/// <summary>The engine's event log written as the run folder's events.jsonl.</summary>
public sealed class EventLogRunLog(EventLogWriter writer) : IRunEventLog
{
    public void Write(string type, TimeSpan at, IReadOnlyDictionary<string, object?> fields)
        => writer.Write(type, null, fields, at);
}
