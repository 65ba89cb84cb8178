using LiveScope.Acquisition.Protocols;

namespace LiveScope.Acquisition.Planning;

/// <summary>Light delivered at one position: Σ exposure × power fraction, in ms (a relative dose).</summary>
public sealed record PositionDose(string Position, double ExposureMsTimesPower, int Frames);

/// <summary>What a plan will cost; <c>livescope plan</c> prints it and a run's result reports the same figures.</summary>
public sealed record PlanTotals(
    TimeSpan Duration,
    int Frames,
    long BytesOnDisk,
    int BleachEvents,
    int Stimulations,
    int AutofocusEvents,
    IReadOnlyList<PositionDose> DosePerPosition);

/// <summary>The events of a protocol in due order, with where time zero (stimulation) falls.</summary>
public sealed record AcquisitionPlan(
    Protocol Protocol,
    IReadOnlyList<PlannedEvent> Events,
    TimeSpan TimeZero,
    int ImageWidth,
    int ImageHeight)
{
    public PlanTotals Totals() => PlanAccounting.Totals(this, Events);
}

/// <summary>Sums frames, bytes, doses and bleaches over any list of events: the plan's, or what a run actually did.</summary>
public static class PlanAccounting
{
    /// <summary>TIFF/OME overhead per plane (IFD and tags); the OME-XML header is small next to pixel data.</summary>
    public const int BytesPerPlaneOverhead = 256;

    public static PlanTotals Totals(AcquisitionPlan plan, IEnumerable<PlannedEvent> events)
    {
        int frames = 0, bleaches = 0, stims = 0, focus = 0;
        TimeSpan end = TimeSpan.Zero;
        var dose = new Dictionary<string, (double Dose, int Frames)>();
        foreach (var p in plan.Protocol.Positions) dose[p.Name] = (0, 0);
        foreach (var e in events)
        {
            switch (e)
            {
                case FrameEvent f:
                    frames++;
                    var power = f.Channel.PowerFraction ?? 1.0;
                    var d = dose.GetValueOrDefault(f.Position.Name);
                    dose[f.Position.Name] = (d.Dose + f.Channel.ExposureMs * power, d.Frames + 1);
                    end = Max(end, e.DueAt + TimeSpan.FromMilliseconds(f.Channel.ExposureMs));
                    break;
                case BleachEvent:
                    bleaches++;
                    end = Max(end, e.DueAt);
                    break;
                case StimulationEvent:
                    stims++;
                    end = Max(end, e.DueAt);
                    break;
                case AutofocusEvent:
                    focus++;
                    break;
            }
        }
        long bytesPerFrame = (long)plan.ImageWidth * plan.ImageHeight * 2 + BytesPerPlaneOverhead;
        return new PlanTotals(end, frames, frames * bytesPerFrame, bleaches, stims, focus,
            dose.Select(kv => new PositionDose(kv.Key, kv.Value.Dose, kv.Value.Frames)).ToList());
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
