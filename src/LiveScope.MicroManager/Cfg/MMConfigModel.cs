using LiveScope.Core.Geometry;

namespace LiveScope.MicroManager.Cfg;

/// <summary>A <c>Device,label,library,adapter</c> line.</summary>
public sealed record MMCfgDevice(string Label, string Library, string Adapter, int Line);

/// <summary>A <c>Property,device,property,value</c> line (pre-init settings and Core roles).</summary>
public sealed record MMCfgProperty(string Device, string Property, string Value, int Line);

/// <summary>One device property a preset sets.</summary>
public sealed record MMCfgSetting(string Device, string Property, string Value, int Line);

/// <summary>A preset of a configuration group (e.g. Channel/FITC) and the properties it sets.</summary>
public sealed record MMCfgPreset(string Group, string Name, IReadOnlyList<MMCfgSetting> Settings);

public sealed record MMCfgGroup(string Name, IReadOnlyList<MMCfgPreset> Presets, int Line);

/// <summary>A pixel-size preset: the settings that select it (an objective), its size and optional affine.</summary>
public sealed record MMCfgPixelSize(string Name, IReadOnlyList<MMCfgSetting> Settings, double? PixelSizeUm, AffineTransform2D? Affine, int Line);

/// <summary>A <c>Label,device,state,label</c> line.</summary>
public sealed record MMCfgStateLabel(string Device, int State, string Label, int Line);

/// <summary>Something wrong in a .cfg, at a 1-based line; <see cref="ToString"/> reads <c>file:line: message</c>.</summary>
public sealed record MMCfgProblem(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}

/// <summary>A .cfg that failed validation; the message lists every problem, one per line.</summary>
public sealed class MMConfigInvalidException(IReadOnlyList<MMCfgProblem> problems)
    : Exception($"{problems.Count} problem(s) in the Micro-Manager configuration:{Environment.NewLine}" +
                string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<MMCfgProblem> Problems { get; } = problems;
}

/// <summary>A pixel-size preset in LiveScope's terms.</summary>
public sealed record MMPixelSizePreset(string Name, double PixelSizeUm, AffineTransform2D? Affine, IReadOnlyList<MMCfgSetting> SelectedBy);
