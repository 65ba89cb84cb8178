namespace LiveScope.Acquisition.Protocols;

/// <summary>How long one timepoint of a protocol takes, part by part (seconds).</summary>
public sealed record TimepointEstimate(
    int Frames, double ExposureS, double ReadoutS, double StageMoveS, double SettleS, double ChannelSwitchS, double AutofocusS)
{
    public double TotalS => ExposureS + ReadoutS + StageMoveS + SettleS + ChannelSwitchS + AutofocusS;
}

/// <summary>
/// Estimates one timepoint: positions × channels × z-slices frames of (exposure + readout overhead), XY moves between
/// positions (and back to the first, ready for the next timepoint) at the assumed stage speed with both axes moving
/// together, settling after each XY move and each z step, channel switches as the axis order implies, and autofocus.
/// Validation uses it to check that timepoints fit their interval; the planner's totals can reuse it.
/// </summary>
public sealed class TimepointEstimator(RigCapabilities rig)
{
    public RigCapabilities Rig => rig;

    /// <summary>One frame at <paramref name="channel"/>: exposure plus readout overhead, seconds.</summary>
    public double FrameS(ChannelSpec channel) => (Math.Max(channel.ExposureMs, 0) + rig.ReadoutOverheadMs) / 1000;

    /// <summary>A timepoint of <paramref name="protocol"/>; with autofocus when <paramref name="withAutofocus"/> and the protocol has it.</summary>
    public TimepointEstimate Estimate(Protocol protocol, bool withAutofocus = true)
    {
        int positions = Math.Max(protocol.Positions.Count, 1);
        int channels = protocol.Channels.Count;
        int slices = protocol.ZStack is { StepUm: > 0, RangeUm: >= 0 } z ? z.Slices : 1;
        double exposureS = positions * slices * protocol.Channels.Sum(c => Math.Max(c.ExposureMs, 0)) / 1000;
        int frames = positions * channels * slices;
        double readoutS = frames * rig.ReadoutOverheadMs / 1000;

        double moveS = 0;
        var p = protocol.Positions;
        if (p.Count > 1 && rig.StageSpeedUmPerS > 0)
            for (int i = 0; i < p.Count; i++)
            {
                var (a, b) = (p[i], p[(i + 1) % p.Count]);
                moveS += Math.Max(Math.Abs(b.XUm - a.XUm), Math.Abs(b.YUm - a.YUm)) / rig.StageSpeedUmPerS;
            }
        double settleS = (p.Count > 1 ? p.Count * rig.XYSettleMs : 0) / 1000;
        if (protocol.ZStack is not null)
        {
            // A z sweep per channel when channels are outside z (…cz orders); one sweep per position otherwise.
            int sweeps = protocol.AxisOrder is AxisOrder.PositionChannelZ or AxisOrder.ChannelPositionZ ? Math.Max(channels, 1) : 1;
            settleS += positions * sweeps * slices * rig.FocusSettleMs / 1000;
        }
        else if (p.Count > 1 && p.Any(x => x.ZUm is not null)) settleS += positions * rig.FocusSettleMs / 1000;

        int switches = channels <= 1 ? 0 : protocol.AxisOrder switch
        {
            AxisOrder.PositionChannelZ => positions * channels,
            AxisOrder.ChannelPositionZ => channels,
            _ => positions * slices * channels,
        };
        double switchS = switches * rig.ChannelSwitchMs / 1000;

        double afS = withAutofocus && protocol.Autofocus is { } af
            ? (af.PerPosition ? positions : 1) * rig.AutofocusMs / 1000
            : 0;
        return new TimepointEstimate(frames, exposureS, readoutS, moveS, settleS, switchS, afS);
    }
}
