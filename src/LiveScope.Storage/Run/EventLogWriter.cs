using System.Buffers;
using System.Text.Json;

namespace LiveScope.Storage.Run;

/// <summary>
/// events.jsonl: one JSON object per line — wall-clock time (UTC), microscope time when known, kind, message and
/// free-form data — written under a lock and flushed per line, so concurrent writers never interleave and a crash
/// loses at most the line being written. Readers skip a torn last line.
/// </summary>
public sealed class EventLogWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;
    private readonly JsonSerializerOptions _options;
    private bool _disposed;

    public EventLogWriter(Stream stream, TimeProvider? time = null, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _time = time ?? TimeProvider.System;
        _json = new Utf8JsonWriter(_buffer);
        _options = EventLog.JsonOptions;
    }

    /// <summary>Appends to <paramref name="path"/> (creating it), so a resumed or recovered run keeps earlier lines.</summary>
    public static EventLogWriter Open(string path, TimeProvider? time = null)
        => new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), time);

    public long LinesWritten { get; private set; }

    /// <param name="kind">What happened, short and stable: "run-start", "stimulation", "bleach", "fault", …</param>
    /// <param name="microscopeTime">Time on the microscope clock (simulated time on the simulator).</param>
    public void Write(string kind, string? message = null, IReadOnlyDictionary<string, object?>? data = null,
        TimeSpan? microscopeTime = null)
        => WriteCore(kind, message, data, microscopeTime);

    /// <summary>Appends an event whose data is any serialisable value (typically a record).</summary>
    public void Write<T>(string kind, T data, string? message = null, TimeSpan? microscopeTime = null)
        => WriteCore(kind, message, data, microscopeTime);

    private void WriteCore<T>(string kind, string? message, T data, TimeSpan? microscopeTime)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            _json.WriteStartObject();
            _json.WriteString("time", _time.GetUtcNow());
            if (microscopeTime is { } mt) _json.WriteNumber("microscopeTimeS", mt.TotalSeconds);
            _json.WriteString("kind", kind);
            if (message is not null) _json.WriteString("message", message);
            if (data is not null)
            {
                _json.WritePropertyName("data");
                JsonSerializer.Serialize(_json, data, data.GetType(), _options);
            }
            _json.WriteEndObject();
            _json.Flush();
            _buffer.Write("\n"u8);
            _stream.Write(_buffer.WrittenSpan);
            _stream.Flush();
            LinesWritten++;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _json.Dispose();
            if (!_leaveOpen) _stream.Dispose();
        }
    }
}

/// <summary>One line of events.jsonl as read back.</summary>
public sealed record LoggedEvent(DateTimeOffset Time, TimeSpan? MicroscopeTime, string Kind, string? Message, JsonElement? Data);

public static class EventLog
{
    /// <summary>
    /// Web defaults, plus NaN and ±∞ written as the strings "NaN", "Infinity", "-Infinity": a fit that found no
    /// recovery or a polygon's radius must not make a line (a laser shot's record) fail to serialise.
    /// </summary>
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Reads every whole line; a torn final line (the process died mid-write) is skipped.</summary>
    public static IReadOnlyList<LoggedEvent> ReadAll(string path)
    {
        var events = new List<LoggedEvent>();
        var lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(lines[i]); }
            catch (JsonException) when (i == lines.Length - 1) { break; }
            using (doc)
            {
                var root = doc.RootElement;
                events.Add(new LoggedEvent(
                    root.GetProperty("time").GetDateTimeOffset(),
                    root.TryGetProperty("microscopeTimeS", out var mt) ? TimeSpan.FromSeconds(mt.GetDouble()) : null,
                    root.GetProperty("kind").GetString()!,
                    root.TryGetProperty("message", out var m) ? m.GetString() : null,
                    root.TryGetProperty("data", out var d) ? d.Clone() : null));
            }
        }
        return events;
    }
}
