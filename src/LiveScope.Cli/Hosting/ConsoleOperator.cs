using LiveScope.Acquisition.Engine;

namespace LiveScope.Cli.Hosting;

/// <summary>Asks the person at the terminal to act (add insulin) and waits for Enter; cancellable like everything else.</summary>
public sealed class ConsoleOperator : IOperatorPrompt
{
    public async Task ConfirmAsync(string instruction, CancellationToken ct)
    {
        Console.WriteLine();
        Console.WriteLine($">>> {instruction} Press Enter when done.");
        var line = Task.Run(Console.ReadLine, CancellationToken.None);
        await line.WaitAsync(ct).ConfigureAwait(false);
        if (line.Result is null) throw new OperationCanceledException("standard input closed before the operator confirmed");
    }

    /// <summary>A person can answer only when input comes from a terminal; otherwise use --yes.</summary>
    public static IOperatorPrompt For(bool autoConfirm) =>
        autoConfirm || Console.IsInputRedirected ? new AutoConfirmOperator(Console.WriteLine) : new ConsoleOperator();
}
