using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;

namespace LiveScope.Replay;

/// <summary>
/// Autofocus for a replay rig: a recording's focus was decided when it was recorded, so focusing changes nothing.
/// It reports success at the focus stage's current position (0 without one) and moves nothing, so protocols with an
/// <c>autofocus:</c> section replay unchanged.
/// </summary>
public sealed class ReplayAutofocus(string name) : IAutofocus
{
    private Microscope? _microscope;

    public string Name { get; } = name;
    public DeviceKind Kind => DeviceKind.Autofocus;
    public string Method => "recorded (a replay keeps the recording's focus)";

    /// <summary>The microscope whose focus stage is reported; the backend session hands it over once it exists.</summary>
    public void Attach(Microscope microscope) => _microscope = microscope;

    public async Task<AutofocusResult> FocusAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        double z = _microscope?.Focus is { } focus ? await focus.GetPositionAsync(ct).ConfigureAwait(false) : 0;
        return new AutofocusResult(true, z, 1);
    }

    public Task MakeSafeAsync(CancellationToken ct) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
