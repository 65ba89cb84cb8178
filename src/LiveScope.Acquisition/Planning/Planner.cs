using LiveScope.Acquisition.Protocols;

namespace LiveScope.Acquisition.Planning;

/// <summary>
/// Turns a validated protocol into timed events. Imaging phases give timepoints at their interval; each timepoint
/// expands into frames in the protocol's axis order (with autofocus first where due); a stimulation marks time zero;
/// FRAP steps add pre-bleach frames, the bleach and recovery frames at their own interval.
/// </summary>
public static class Planner
{
    /// <summary>Used when a protocol names no position: image wherever the stage is.</summary>
    public static readonly PositionSpec CurrentPosition = new("current", double.NaN, double.NaN, null);

    public static AcquisitionPlan Plan(Protocol protocol, int imageWidth, int imageHeight)
    {
        if (protocol.Channels.Count == 0) throw new ArgumentException("a protocol needs at least one channel");
        var positions = protocol.Positions.Count > 0 ? protocol.Positions : [CurrentPosition];
        var events = new List<PlannedEvent>();
        var t = TimeSpan.Zero;
        TimeSpan? timeZero = null;
        int timeIndex = 0;

        foreach (var phase in protocol.Phases)
        {
            switch (phase)
            {
                case ImagingPhaseSpec imaging:
                    for (int k = 0; k < imaging.Timepoints; k++)
                        AddTimepoint(events, protocol, positions, timeIndex++, t + TimeSpan.FromSeconds(k * imaging.IntervalS),
                            imaging.Name, timeZero is not null);
                    t += TimeSpan.FromSeconds(imaging.DurationS);
                    break;
                case StimulationPhaseSpec stimulation:
                    events.Add(new StimulationEvent { DueAt = t, Phase = stimulation.Name, Stimulation = stimulation, AfterTimeZero = timeZero is not null });
                    timeZero ??= t;
                    break;
            }
        }

        var zero = timeZero ?? TimeSpan.Zero;
        foreach (var frap in protocol.Frap) AddFrap(events, protocol, positions, frap, zero, timeZero is not null);

        // Stable order: due time, then the order the planner produced them in.
        var ordered = events.Select((e, i) => (e, i)).OrderBy(x => x.e.DueAt).ThenBy(x => x.i)
            .Select((x, seq) => x.e with { Sequence = seq }).ToList();
        return new AcquisitionPlan(protocol, ordered, zero, imageWidth, imageHeight);
    }

    private static void AddTimepoint(List<PlannedEvent> events, Protocol protocol, IReadOnlyList<PositionSpec> positions,
        int timeIndex, TimeSpan due, string phase, bool afterZero)
    {
        var af = protocol.Autofocus;
        bool focusDue = af is not null && timeIndex % af.EveryTimepoints == 0;
        int slices = protocol.ZStack?.Slices ?? 1;
        var focused = new HashSet<int>();

        foreach (var (p, c, z) in Order(protocol.AxisOrder, positions.Count, protocol.Channels.Count, slices))
        {
            if (focusDue && (af!.PerPosition || p == 0) && focused.Add(p))
                events.Add(new AutofocusEvent { DueAt = due, Phase = phase, AfterTimeZero = afterZero, PositionIndex = p, Position = positions[p] });
            events.Add(new FrameEvent
            {
                DueAt = due, Phase = phase, AfterTimeZero = afterZero, TimeIndex = timeIndex,
                PositionIndex = p, Position = positions[p], ChannelIndex = c, Channel = protocol.Channels[c],
                ZIndex = z, ZOffsetUm = protocol.ZStack?.OffsetUm(z) ?? 0,
            });
        }
    }

    private static IEnumerable<(int P, int C, int Z)> Order(AxisOrder order, int np, int nc, int nz)
    {
        var (n1, n2, n3) = order switch
        {
            AxisOrder.PositionChannelZ => (np, nc, nz),
            AxisOrder.PositionZChannel => (np, nz, nc),
            AxisOrder.ChannelPositionZ => (nc, np, nz),
            AxisOrder.ZPositionChannel => (nz, np, nc),
            _ => throw new ArgumentOutOfRangeException(nameof(order)),
        };
        for (int a = 0; a < n1; a++)
            for (int b = 0; b < n2; b++)
                for (int c = 0; c < n3; c++)
                    yield return order switch
                    {
                        AxisOrder.PositionChannelZ => (a, b, c),
                        AxisOrder.PositionZChannel => (a, c, b),
                        AxisOrder.ChannelPositionZ => (b, a, c),
                        _ => (b, c, a),
                    };
    }

    private static void AddFrap(List<PlannedEvent> events, Protocol protocol, IReadOnlyList<PositionSpec> positions,
        FrapSpec frap, TimeSpan timeZero, bool hasTimeZero)
    {
        int p = FindIndex(positions, frap.Position, x => x.Name, "position", frap.Name);
        int c = FindIndex(protocol.Channels, frap.Channel, x => x.Name, "channel", frap.Name);
        var bleachAt = timeZero + TimeSpan.FromSeconds(frap.AtS);
        var step = TimeSpan.FromSeconds(frap.RecoveryIntervalS);
        bool after = hasTimeZero && frap.AtS >= 0;
        // A FRAP step's frames form their own series (own file, own T axis): one channel, its own interval.
        int timeIndex = 0;
        FrameEvent Frame(TimeSpan due) => new()
        {
            DueAt = due, Phase = frap.Name, AfterTimeZero = after, TimeIndex = timeIndex++, PositionIndex = p,
            Position = positions[p], ChannelIndex = c, Channel = protocol.Channels[c], ZIndex = 0, Series = frap.Name,
        };
        for (int k = frap.PreBleachFrames; k >= 1; k--) events.Add(Frame(bleachAt - k * step));
        events.Add(new BleachEvent { DueAt = bleachAt, Phase = frap.Name, AfterTimeZero = after, Frap = frap, PositionIndex = p, Position = positions[p] });
        // The first recovery frame shares the bleach's due time and follows it: same-time events keep their order.
        for (int k = 0; k < frap.RecoveryFrames; k++) events.Add(Frame(bleachAt + k * step));
    }

    private static int FindIndex<T>(IReadOnlyList<T> items, string name, Func<T, string> nameOf, string what, string step)
    {
        for (int i = 0; i < items.Count; i++) if (nameOf(items[i]) == name) return i;
        if (what == "position" && items.Count == 1) return 0;
        throw new ArgumentException($"FRAP step '{step}' names {what} '{name}', which the protocol does not define");
    }
}
