using LiveScope.Acquisition.Engine;
using Spectre.Console;

namespace LiveScope.Cli.Hosting;

/// <summary>
/// Shows a run's progress: a live Spectre.Console bar (phase, timepoint, position, frames, drops, ETA) on a terminal,
/// plain lines when output goes to a file or a pipe (one per phase change and every tenth of the run).
/// </summary>
public static class ProgressDisplay
{
    public static async Task<RunResult> RunAsync(string title, Func<IProgress<RunProgress>, Task<RunResult>> run)
    {
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            RunResult? result = null;
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                    new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title), maxValue: 1);
                    var progress = new SynchronousProgress(p =>
                    {
                        task.MaxValue = Math.Max(1, p.EventsTotal);
                        task.Value = p.EventsDone;
                        task.Description = Markup.Escape(Describe(p));
                    });
                    result = await run(progress);
                    task.StopTask();
                });
            return result!;
        }
        string? phase = null;
        int lastTenth = -1;
        return await run(new SynchronousProgress(p =>
        {
            int tenth = p.EventsTotal == 0 ? 10 : 10 * p.EventsDone / p.EventsTotal;
            if (p.Phase == phase && tenth == lastTenth) return;
            (phase, lastTenth) = (p.Phase, tenth);
            Console.WriteLine($"{title}: {Describe(p)} — {100.0 * p.EventsDone / Math.Max(1, p.EventsTotal):0}%");
        }));
    }

    private static string Describe(RunProgress p) =>
        $"{p.Phase}{(p.TimeIndex >= 0 ? $" T{p.TimeIndex}" : "")} {p.Position} | {p.FramesAcquired} frames, {p.FramesDropped} dropped | " +
        $"clock {p.Elapsed:hh\\:mm\\:ss} of {p.PlannedDuration:hh\\:mm\\:ss}";

    /// <summary>Reports on the caller's thread: Progress&lt;T&gt; would post to the thread pool and reorder lines.</summary>
    private sealed class SynchronousProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}
