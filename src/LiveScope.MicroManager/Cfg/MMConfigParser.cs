using System.Globalization;
using LiveScope.Core.Config;
using LiveScope.Core.Geometry;

namespace LiveScope.MicroManager.Cfg;

/// <summary>
/// Reads a Micro-Manager hardware configuration file (.cfg) the way MMCore does — one command per line, fields
/// separated by commas (empty fields collapse, as MMCore's tokenizer does), '#' comments, lines processed in
/// order — and validates it more strictly than MMCore, which silently ignores unknown commands: unknown line kinds,
/// wrong field counts, undefined devices, missing parents, undefined state labels in presets and bad numbers are
/// all reported with their line number. Every line is read; parsing never stops at the first problem.
/// </summary>
public static class MMConfigParser
{
    public static readonly IReadOnlyList<string> LineKinds =
    [
        "Device", "Property", "Parent", "Label", "ConfigGroup", "ConfigPixelSize", "PixelSize_um", "PixelSizeAffine",
        "PixelSizeAngle_dxdz", "PixelSizeAngle_dydz", "PixelSizeOptimalZ_Um", "FocusDirection", "Delay",
    ];

    private static readonly string[] CoreDeviceRoles = ["Camera", "Shutter", "Focus", "XYStage", "AutoFocus", "Galvo", "SLM", "ImageProcessor"];

    public static MMConfigFile ParseFile(string path)
    {
        if (!File.Exists(path))
        {
            var missing = new MMConfigFile(path, 0);
            missing.Problems.Add(new MMCfgProblem(path, 0, "file not found"));
            return missing;
        }
        return Parse(File.ReadAllText(path), path);
    }

    public static MMConfigFile Parse(string text, string fileName)
    {
        var lines = text.Split('\n');
        var cfg = new MMConfigFile(fileName, text.EndsWith('\n') ? lines.Length - 1 : lines.Length);
        var state = new ParseState(cfg);
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = line.Split(',', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                state.Problem(i + 1, "a line with no fields (only commas)");
                continue;
            }
            state.Line(i + 1, fields);
        }
        state.Finish();
        return cfg;
    }

    private sealed class ParseState(MMConfigFile cfg)
    {
        private readonly Dictionary<string, (string Name, int Line, List<MMCfgPreset> Presets, Dictionary<string, List<MMCfgSetting>> Settings)> _groups = [];
        private readonly Dictionary<string, (int Line, List<MMCfgSetting> Settings, double? Size, AffineTransform2D? Affine)> _pixels = [];
        private readonly List<string> _groupOrder = [];
        private readonly List<string> _pixelOrder = [];

        public void Problem(int line, string message) => cfg.Problems.Add(new MMCfgProblem(cfg.File, line, message));

        private bool Fields(int line, string[] f, params int[] counts)
        {
            if (counts.Contains(f.Length)) return true;
            var expected = string.Join(" or ", counts.Select(c => c.ToString(CultureInfo.InvariantCulture)));
            Problem(line, $"{f[0]} needs {expected} fields, found {f.Length}");
            return false;
        }

        private bool KnownDevice(int line, string label, string what)
        {
            if (label == "Core" || cfg.Device(label) is not null) return true;
            Problem(line, $"{what} names device '{label}', which no Device line before it defines{Suggest.DidYouMean(label, cfg.Devices.Select(d => d.Label))}");
            return false;
        }

        private double? Number(int line, string text, string what)
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)) return v;
            Problem(line, $"{what} '{text}' is not a number");
            return null;
        }

        public void Line(int n, string[] f)
        {
            switch (f[0])
            {
                case "Device":
                    if (!Fields(n, f, 4)) return;
                    if (cfg.Device(f[1]) is { } existing) Problem(n, $"device '{f[1]}' is already defined on line {existing.Line}");
                    else cfg.Devices.Add(new MMCfgDevice(f[1], f[2], f[3], n));
                    return;
                case "Property":
                    if (!Fields(n, f, 3, 4) || !KnownDevice(n, f[1], "Property")) return;
                    var value = f.Length == 4 ? f[3] : "";
                    cfg.Properties.Add(new MMCfgProperty(f[1], f[2], value, n));
                    if (f[1] == "Core")
                    {
                        if (CoreDeviceRoles.Contains(f[2]) && value.Length > 0) KnownDevice(n, value, $"Core role {f[2]}");
                        cfg.CoreProperties[f[2]] = value;
                    }
                    return;
                case "Parent":
                    if (!Fields(n, f, 3) || !KnownDevice(n, f[1], "Parent")) return;
                    if (cfg.Device(f[2]) is null)
                    {
                        Problem(n, $"missing parent: device '{f[1]}' names parent '{f[2]}', which no Device line before it defines{Suggest.DidYouMean(f[2], cfg.Devices.Select(d => d.Label))}");
                        return;
                    }
                    cfg.Parents[f[1]] = f[2];
                    return;
                case "Label":
                    if (!Fields(n, f, 4) || !KnownDevice(n, f[1], "Label")) return;
                    if (!int.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var stateNumber) || stateNumber < 0)
                    {
                        Problem(n, $"state '{f[2]}' of device '{f[1]}' is not a whole number ≥ 0");
                        return;
                    }
                    cfg.StateLabels.Add(new MMCfgStateLabel(f[1], stateNumber, f[3], n));
                    return;
                case "ConfigGroup":
                    if (!Fields(n, f, 2, 5, 6)) return;
                    var group = Group(f[1], n);
                    if (f.Length == 2) return;
                    if (!KnownDevice(n, f[3], $"preset '{f[1]}/{f[2]}'")) return;
                    var setting = new MMCfgSetting(f[3], f[4], f.Length == 6 ? f[5] : "", n);
                    CheckStateLabel(n, setting, $"preset '{f[1]}/{f[2]}'");
                    if (!group.Settings.TryGetValue(f[2], out var settings))
                    {
                        settings = [];
                        group.Settings[f[2]] = settings;
                        group.Presets.Add(new MMCfgPreset(f[1], f[2], settings));
                    }
                    settings.Add(setting);
                    return;
                case "ConfigPixelSize":
                    if (!Fields(n, f, 5) || !KnownDevice(n, f[2], $"pixel-size preset '{f[1]}'")) return;
                    var pixelSetting = new MMCfgSetting(f[2], f[3], f[4], n);
                    CheckStateLabel(n, pixelSetting, $"pixel-size preset '{f[1]}'");
                    Pixel(f[1], n).Settings.Add(pixelSetting);
                    return;
                case "PixelSize_um":
                    if (!Fields(n, f, 3) || !KnownPixel(n, f[1])) return;
                    if (Number(n, f[2], $"pixel size of '{f[1]}'") is { } size)
                    {
                        if (size <= 0) Problem(n, $"pixel size of '{f[1]}' must be positive, found {f[2]}");
                        else _pixels[f[1]] = _pixels[f[1]] with { Size = size };
                    }
                    return;
                case "PixelSizeAffine":
                    if (!Fields(n, f, 8) || !KnownPixel(n, f[1])) return;
                    var t = new double[6];
                    for (int i = 0; i < 6; i++)
                    {
                        if (Number(n, f[i + 2], $"affine element {i + 1} of '{f[1]}'") is not { } v) return;
                        t[i] = v;
                    }
                    _pixels[f[1]] = _pixels[f[1]] with { Affine = new AffineTransform2D(t[0], t[1], t[2], t[3], t[4], t[5]) };
                    return;
                case "PixelSizeAngle_dxdz" or "PixelSizeAngle_dydz" or "PixelSizeOptimalZ_Um":
                    if (Fields(n, f, 3) && KnownPixel(n, f[1])) Number(n, f[2], $"{f[0]} of '{f[1]}'");
                    return;
                case "FocusDirection":
                    if (!Fields(n, f, 3) || !KnownDevice(n, f[1], "FocusDirection")) return;
                    if (f[2] is "-1" or "0" or "1") cfg.FocusDirections[f[1]] = int.Parse(f[2], CultureInfo.InvariantCulture);
                    else Problem(n, $"focus direction of '{f[1]}' must be -1, 0 or 1, found '{f[2]}'");
                    return;
                case "Delay":
                    if (!Fields(n, f, 3) || !KnownDevice(n, f[1], "Delay")) return;
                    if (Number(n, f[2], $"delay of '{f[1]}'") is { } ms)
                    {
                        if (ms < 0) Problem(n, $"delay of '{f[1]}' must not be negative, found {f[2]}");
                        else cfg.DelaysMs[f[1]] = ms;
                    }
                    return;
                case "Equipment" or "ImageSynchro":
                    Problem(n, $"'{f[0]}' lines are no longer supported by MMCore; remove the line");
                    return;
                case "Config":
                    Problem(n, "legacy 'Config' line (MMCore ignores it); use ConfigGroup");
                    return;
                default:
                    Problem(n, $"unknown line kind '{f[0]}'{Suggest.DidYouMean(f[0], LineKinds)}; expected one of: {string.Join(", ", LineKinds)}");
                    return;
            }
        }

        /// <summary>A preset that selects a state by label needs that label defined (Label lines come first in MM's files).</summary>
        private void CheckStateLabel(int n, MMCfgSetting s, string what)
        {
            if (s.Property != "Label" || s.Device == "Core") return;
            var labels = cfg.StateLabels.Where(l => l.Device == s.Device).Select(l => l.Label).ToList();
            if (labels.Count > 0 && !labels.Contains(s.Value))
                Problem(n, $"{what} selects label '{s.Value}' of device '{s.Device}', which no Label line defines{Suggest.DidYouMean(s.Value, labels)}");
        }

        private (string Name, int Line, List<MMCfgPreset> Presets, Dictionary<string, List<MMCfgSetting>> Settings) Group(string name, int line)
        {
            if (!_groups.TryGetValue(name, out var g))
            {
                g = (name, line, [], []);
                _groups[name] = g;
                _groupOrder.Add(name);
            }
            return g;
        }

        private (int Line, List<MMCfgSetting> Settings, double? Size, AffineTransform2D? Affine) Pixel(string name, int line)
        {
            if (!_pixels.TryGetValue(name, out var p))
            {
                p = (line, [], null, null);
                _pixels[name] = p;
                _pixelOrder.Add(name);
            }
            return p;
        }

        private bool KnownPixel(int n, string name)
        {
            if (_pixels.ContainsKey(name)) return true;
            Problem(n, $"pixel-size preset '{name}' is not defined by a ConfigPixelSize line before it{Suggest.DidYouMean(name, _pixelOrder)}");
            return false;
        }

        public void Finish()
        {
            foreach (var name in _groupOrder)
            {
                var g = _groups[name];
                cfg.Groups.Add(new MMCfgGroup(name, g.Presets, g.Line));
            }
            foreach (var name in _pixelOrder)
            {
                var p = _pixels[name];
                cfg.PixelSizes.Add(new MMCfgPixelSize(name, p.Settings, p.Size, p.Affine, p.Line));
            }
        }
    }
}
