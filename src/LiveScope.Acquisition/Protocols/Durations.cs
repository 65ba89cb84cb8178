using System.Globalization;
using System.Text.RegularExpressions;
using LiveScope.Core.Config;

namespace LiveScope.Acquisition.Protocols;

/// <summary>
/// Reads durations the way people write them. Protocol files say <c>interval: 30 s</c>, <c>duration: 5 min</c>,
/// <c>at: -90 s</c>, <c>2h</c>, <c>1 h 30 min</c> — or give a bare number under a unit-suffixed key
/// (<c>interval_s: 30</c>, <c>interval_min: 0.5</c>). useq-schema files use pydantic's forms: seconds as a number,
/// ISO 8601 (<c>PT5M</c>), <c>H:MM:SS[.ffffff]</c>, or a mapping such as <c>{minutes: 5}</c>.
/// </summary>
public static partial class Durations
{
    private static readonly (string[] Names, double Seconds)[] Units =
    [
        (["ms", "msec", "millisecond", "milliseconds"], 0.001),
        (["s", "sec", "secs", "second", "seconds"], 1),
        (["min", "mins", "minute", "minutes"], 60),
        (["h", "hr", "hrs", "hour", "hours"], 3600),
    ];

    /// <summary>Unit suffixes accepted on keys: <c>interval_s</c>, <c>interval_min</c>, …</summary>
    public static readonly IReadOnlyList<(string Suffix, double Seconds)> KeySuffixes =
        [("_ms", 0.001), ("_s", 1), ("_min", 60), ("_h", 3600)];

    [GeneratedRegex(@"\G\s*(?<n>[+-]?(\d+(\.\d*)?|\.\d+))\s*(?<u>[a-zA-Z]+)")]
    private static partial Regex Part();

    /// <summary>Parses "30 s", "5 min", "2h", "1 h 30 min", "-90 s" to seconds; null when the text is not such a duration.</summary>
    public static double? TryParseWithUnits(string text)
    {
        text = text.Trim();
        if (text.Length == 0) return null;
        double total = 0;
        int at = 0, parts = 0;
        bool negative = false;
        while (at < text.Length)
        {
            var m = Part().Match(text, at);
            if (!m.Success) return null;
            double n = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
            if (parts == 0 && n < 0) negative = true;
            else if (parts > 0 && m.Groups["n"].Value.StartsWith('-')) return null;
            var factor = UnitSeconds(m.Groups["u"].Value);
            if (factor is null) return null;
            total += Math.Abs(n) * factor.Value;
            at = m.Index + m.Length;
            parts++;
            while (at < text.Length && char.IsWhiteSpace(text[at])) at++;
        }
        return negative ? -total : total;
    }

    private static double? UnitSeconds(string unit)
    {
        foreach (var (names, seconds) in Units)
            if (names.Contains(unit, StringComparer.OrdinalIgnoreCase)) return seconds;
        return null;
    }

    /// <summary>A native protocol duration written with its unit; a bare number is refused because its unit is a guess.</summary>
    public static double ReadWithUnits(ConfigNode node, string keyForHint)
    {
        var text = node.AsString();
        if (TryParseWithUnits(text) is { } seconds) return seconds;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var bare))
            throw node.Error($"'{text}' has no unit; write e.g. '{bare.ToString(CultureInfo.InvariantCulture)} s' or " +
                             $"'{bare.ToString(CultureInfo.InvariantCulture)} min' (or {keyForHint}_s: {bare.ToString(CultureInfo.InvariantCulture)})");
        throw node.Error($"expected a duration such as '30 s', '5 min' or '2 h', found '{text}'");
    }

    /// <summary>
    /// Reads <paramref name="key"/> written with units, or <c>key_s</c>/<c>key_min</c>/<c>key_ms</c>/<c>key_h</c> as a
    /// number. Returns null when none is present; more than one form is an error.
    /// </summary>
    public static (double Seconds, ConfigNode Node)? Read(ConfigNode parent, string key)
    {
        var found = new List<(double, ConfigNode)>();
        if (parent.Child(key) is { } plain && !plain.IsNull) found.Add((ReadWithUnits(plain, key), plain));
        foreach (var (suffix, seconds) in KeySuffixes)
            if (parent.Child(key + suffix) is { } n && !n.IsNull) found.Add((n.AsDouble() * seconds, n));
        if (found.Count > 1)
            throw found[1].Item2.Error($"{key} is given more than once; write it one way only");
        return found.Count == 1 ? found[0] : null;
    }

    /// <summary>Every key spelling <see cref="Read"/> accepts for <paramref name="key"/>.</summary>
    public static IEnumerable<string> KeysFor(string key) => KeySuffixes.Select(s => key + s.Suffix).Prepend(key);

    [GeneratedRegex(@"^(?<neg>-)?P(?:(?<d>\d+(?:\.\d+)?)D)?(?:T(?:(?<h>\d+(?:\.\d+)?)H)?(?:(?<m>\d+(?:\.\d+)?)M)?(?:(?<s>\d+(?:\.\d+)?)S)?)?$", RegexOptions.IgnoreCase)]
    private static partial Regex Iso8601();

    [GeneratedRegex(@"^(?<neg>-)?(?:(?<d>\d+) days?,\s*)?(?<h>\d+):(?<m>\d{1,2}):(?<s>\d{1,2}(?:\.\d+)?)$")]
    private static partial Regex Clock();

    /// <summary>A useq-schema (pydantic) timedelta: number of seconds, ISO 8601, H:MM:SS, or {days, hours, minutes, seconds, milliseconds}.</summary>
    public static double ReadUseq(ConfigNode node)
    {
        if (node.IsMapping)
        {
            var fields = new Dictionary<string, double>
            {
                ["weeks"] = 604800, ["days"] = 86400, ["hours"] = 3600, ["minutes"] = 60, ["seconds"] = 1,
                ["milliseconds"] = 0.001, ["microseconds"] = 1e-6,
            };
            node.RejectUnknownKeys(fields.Keys.ToArray());
            return node.Entries.Sum(e => e.Value.AsDouble() * fields[e.Key]);
        }
        var text = node.AsString().Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return seconds;
        if (Iso8601().Match(text) is { Success: true } iso && text.Length > 1 && !text.EndsWith('T'))
            return Sign(iso) * (G(iso, "d") * 86400 + G(iso, "h") * 3600 + G(iso, "m") * 60 + G(iso, "s"));
        if (Clock().Match(text) is { Success: true } clock)
            return Sign(clock) * (G(clock, "d") * 86400 + G(clock, "h") * 3600 + G(clock, "m") * 60 + G(clock, "s"));
        throw node.Error($"expected a duration (seconds, ISO 8601 such as 'PT5M', or 'H:MM:SS'), found '{text}'");
    }

    private static double Sign(Match m) => m.Groups["neg"].Success ? -1 : 1;
    private static double G(Match m, string group) =>
        m.Groups[group].Success ? double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) : 0;

    /// <summary>Seconds as people read them back: "30 s", "5 min", "1.5 h".</summary>
    public static string Format(double seconds)
    {
        var abs = Math.Abs(seconds);
        string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        return abs switch
        {
            0 => "0 s",
            < 1 => $"{F(seconds * 1000)} ms",
            < 120 => $"{F(seconds)} s",
            < 7200 => $"{F(seconds / 60)} min",
            _ => $"{F(seconds / 3600)} h",
        };
    }
}
