using LiveScope.Core.Config;
using LiveScope.Core.Hardware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveScope.MicroManager.Backend;

/// <summary>
/// The "micromanager" device backend: drives a real microscope through Micro-Manager's MMCoreJ, hosted in this
/// process through JNI. Register it with <c>registry.Register(new MicroManagerBackend())</c>.
/// </summary>
public sealed class MicroManagerBackend : IDeviceBackend
{
    public const string BackendName = "micromanager";
    private readonly ILoggerFactory? _loggers;

    public MicroManagerBackend() { }

    /// <summary>Logs to this factory instead of the one the loader passes in the context.</summary>
    public MicroManagerBackend(ILoggerFactory loggerFactory) => _loggers = loggerFactory;

    public string Name => BackendName;
    public string Description => "Micro-Manager (MMCoreJ through an in-process JVM): cameras, stages, shutters, channel groups, galvos";

    public IBackendSession Open(BackendContext context, ConfigNode? settings)
    {
        var loggers = _loggers ?? context.LoggerFactory ?? NullLoggerFactory.Instance;
        return MicroManagerSession.Open(context, settings, loggers.CreateLogger<MicroManagerSession>());
    }
}
