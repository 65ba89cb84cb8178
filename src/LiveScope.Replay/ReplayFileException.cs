namespace LiveScope.Replay;

/// <summary>
/// A recording cannot be replayed as asked. Names the file and the setting at fault (<c>file</c>, <c>channel</c>,
/// <c>rate</c>, …) so the device-config loader can point at that key.
/// </summary>
public sealed class ReplayFileException(string file, string field, string problem, Exception? inner = null)
    : Exception($"{file}: {problem}", inner)
{
    public string File { get; } = file;
    /// <summary>The camera setting (snake_case key) the problem belongs to.</summary>
    public string Field { get; } = field;
    public string Problem { get; } = problem;
}

/// <summary>
/// The recording has no planes left and the camera does not loop. Not a device fault: retrying or skipping a
/// position cannot help, so a run stops with this message.
/// </summary>
public sealed class ReplayExhaustedException(string camera, string file, long served)
    : InvalidOperationException($"{camera}: the recording {file} has no more planes (all {served} served); set loop: true to repeat it")
{
    public string File { get; } = file;
}
