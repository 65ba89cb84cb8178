using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Json;

namespace LiveScope.Cli.Hosting;

/// <summary>Serilog behind ILogger: a console for people, and (for runs) one JSON log file for machines.</summary>
public static class Logging
{
    public static ILoggerFactory Create(LogEventLevel consoleLevel, string? jsonFile = null)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .Enrich.FromLogContext()
            .WriteTo.Console(restrictedToMinimumLevel: consoleLevel,
                outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Warning);
        if (jsonFile is not null)
            config = config.WriteTo.File(new JsonFormatter(renderMessage: true), jsonFile, flushToDiskInterval: TimeSpan.FromSeconds(1));
        return new SerilogLoggerFactory(config.CreateLogger(), dispose: true);
    }
}
