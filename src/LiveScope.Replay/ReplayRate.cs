using System.Globalization;

namespace LiveScope.Replay;

/// <summary>How fast a recording is played: at its own plane timestamps, or at a forced number of frames per second.</summary>
public readonly record struct ReplayRate
{
    private ReplayRate(double? framesPerSecond) => FramesPerSecond = framesPerSecond;

    /// <summary>The recording's own pace (plane timestamps).</summary>
    public static ReplayRate Original => new(null);

    public static ReplayRate Fps(double framesPerSecond) =>
        framesPerSecond is > 0 and <= 100_000 && double.IsFinite(framesPerSecond)
            ? new ReplayRate(framesPerSecond)
            : throw new ArgumentOutOfRangeException(nameof(framesPerSecond), "a replay rate must be in (0, 100000] frames/s");

    /// <summary>Null for <see cref="Original"/>.</summary>
    public double? FramesPerSecond { get; }

    public bool IsOriginal => FramesPerSecond is null;

    /// <summary>Parses "original" or a positive number (optionally followed by "fps"); null when the text is neither.</summary>
    public static ReplayRate? TryParse(string text)
    {
        var t = text.Trim();
        if (t.Equals("original", StringComparison.OrdinalIgnoreCase)) return Original;
        if (t.EndsWith("fps", StringComparison.OrdinalIgnoreCase)) t = t[..^3].TrimEnd();
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var fps) && fps is > 0 and <= 100_000
            ? new ReplayRate(fps)
            : null;
    }

    public override string ToString() =>
        FramesPerSecond is { } fps ? $"{fps.ToString("0.###", CultureInfo.InvariantCulture)} fps" : "original";
}
