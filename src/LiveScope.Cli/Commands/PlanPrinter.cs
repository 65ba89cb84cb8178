using LiveScope.Acquisition.Planning;
using Spectre.Console;

namespace LiveScope.Cli.Commands;

/// <summary>Renders a plan for people: phases as rows, then the totals.</summary>
public static class PlanPrinter
{
    public static void Print(AcquisitionPlan plan, bool everyEvent)
    {
        var timeline = new Table().Title($"Plan of {Markup.Escape(plan.Protocol.Name)} (time zero = stimulation at {Clock(plan.TimeZero)})")
            .AddColumns("From", "To", "Phase", "What");
        var rows = everyEvent
            ? plan.Events.Select(e => (e.DueAt, e.DueAt, e.Phase, Describe(e)))
            : plan.Events.GroupBy(e => (e.Phase, Kind(e))).Select(g => (g.Min(e => e.DueAt), g.Max(e => e.DueAt), g.Key.Phase, Summary(g.ToList())));
        foreach (var (from, to, phase, what) in rows.OrderBy(r => r.Item1))
            timeline.AddRow(Clock(from - plan.TimeZero), Clock(to - plan.TimeZero), Markup.Escape(phase), Markup.Escape(what));
        AnsiConsole.Write(timeline);

        var t = plan.Totals();
        var totals = new Table().Title("Totals").AddColumns("", "");
        totals.AddRow("Duration", $"{t.Duration:hh\\:mm\\:ss}");
        totals.AddRow("Frames", t.Frames.ToString());
        totals.AddRow("On disk", $"{t.BytesOnDisk / 1048576.0:0.0} MiB ({plan.ImageWidth}×{plan.ImageHeight}, 16-bit)");
        totals.AddRow("Stimulations", t.Stimulations.ToString());
        totals.AddRow("Bleach events", t.BleachEvents.ToString());
        totals.AddRow("Autofocus", t.AutofocusEvents.ToString());
        foreach (var d in t.DosePerPosition)
            totals.AddRow($"Light dose at {Markup.Escape(d.Position)}", $"{d.ExposureMsTimesPower / 1000:0.###} s × power ({d.Frames} frames)");
        AnsiConsole.Write(totals);
    }

    private static string Clock(TimeSpan t) => (t < TimeSpan.Zero ? "-" : "+") + t.Duration().ToString(@"hh\:mm\:ss");

    private static string Kind(PlannedEvent e) => e.GetType().Name;

    private static string Summary(IReadOnlyList<PlannedEvent> events) => events[0] switch
    {
        FrameEvent => $"{events.Count} frames in {events.OfType<FrameEvent>().Select(f => f.TimeIndex).Distinct().Count()} timepoints",
        _ when events.Count == 1 => Describe(events[0]),
        AutofocusEvent => $"{events.Count} × autofocus at {events.OfType<AutofocusEvent>().Select(a => a.Position.Name).Distinct().Count()} position(s)",
        _ => $"{events.Count} × {Describe(events[0])}",
    };

    private static string Describe(PlannedEvent e) => e switch
    {
        FrameEvent f => $"frame T{f.TimeIndex} {f.Position.Name} {f.Channel.Name} {f.Channel.ExposureMs} ms Z{f.ZIndex}{(f.Series is null ? "" : $" ({f.Series})")}",
        StimulationEvent s => $"add {s.Stimulation.Reagent} {s.Stimulation.Concentration} {s.Stimulation.Unit} by {s.Stimulation.By}",
        BleachEvent b => $"bleach at {b.Position.Name}, {b.Frap.DwellMs} ms dwell, power {b.Frap.PowerFraction}",
        AutofocusEvent a => $"autofocus at {a.Position.Name}",
        _ => e.GetType().Name,
    };
}
