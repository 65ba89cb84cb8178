namespace LiveScope.Core.Devices;

public sealed record AutofocusResult(bool Success, double ZUm, double Score);

/// <summary>Hardware (reflection-based) or image-based autofocus; either way it ends with the focus stage at the result.</summary>
public interface IAutofocus : IDevice
{
    string Method { get; }
    Task<AutofocusResult> FocusAsync(CancellationToken ct);
}
