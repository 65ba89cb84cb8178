using LiveScope.Core.Config;
using LiveScope.Core.Devices;
using LiveScope.Core.Hardware;
using LiveScope.Core.Timing;

namespace LiveScope.Replay;

/// <summary>One opened replay backend: the replay cameras (and autofocus) of a configuration. It keeps no clock of its own.</summary>
internal sealed class ReplaySession(BackendContext context) : IBackendSession
{
    private readonly List<ReplayCamera> _cameras = [];
    private readonly List<ReplayAutofocus> _autofocus = [];

    public IMicroscopeClock? Clock => null;

    public IDevice CreateDevice(string name, DeviceKind kind, ConfigNode? settings)
    {
        if (kind == DeviceKind.Autofocus)
        {
            if (settings is { IsNull: false }) settings.RejectUnknownKeys([]);
            var autofocus = new ReplayAutofocus(name);
            _autofocus.Add(autofocus);
            return autofocus;
        }
        if (kind != DeviceKind.Camera)
            throw new ConfigException(settings?.Location ?? new SourceLocation(context.ConfigFile, 0, 0), settings?.KeyPath ?? name,
                $"the replay backend provides cameras and autofocus only; give {ConfigBinder.KeyName(kind.ToString())} '{name}' another backend (e.g. simulated)");
        var options = ConfigBinder.Bind<ReplayCameraOptions>(settings);
        var rate = ReplayRate.TryParse(options.Rate)
                   ?? throw At(settings, "rate", $"'{options.Rate}' is neither 'original' nor a number of frames per second in (0, 100000]");
        if (string.IsNullOrWhiteSpace(options.File))
            throw At(settings, "file", $"is required: the OME-TIFF camera '{name}' replays (e.g. --set devices.{name}.settings.file=run/pos0.ome.tif)");
        var path = Resolve(options.File);
        ReplayRecording? recording = null;
        try
        {
            recording = ReplayRecording.Open(path, new ReplaySelection
            {
                Channel = options.Channel, ZIndex = options.ZIndex, Position = options.Position,
            });
            var camera = new ReplayCamera(name, recording, rate, options.Loop, context.FramePool,
                pixelSizeUm: options.PixelSizeUm, bitDepth: options.BitDepth, maxExposureMs: options.MaxExposureMs);
            _cameras.Add(camera);
            return camera;
        }
        catch (ReplayFileException e)
        {
            recording?.Dispose();
            throw At(settings, e.Field, e.Message);
        }
    }

    /// <summary>Relative to the config's folder first (files named in the config), else to the current directory (--set).</summary>
    private string Resolve(string file)
    {
        if (Path.IsPathRooted(file)) return file;
        var besideConfig = Path.GetFullPath(Path.Combine(context.ConfigDirectory, file));
        return File.Exists(besideConfig) || Directory.Exists(besideConfig) ? besideConfig : Path.GetFullPath(file);
    }

    /// <summary>An error at the setting's key when the file has it, else at the settings block (naming the key), else at the file.</summary>
    private ConfigException At(ConfigNode? settings, string field, string problem) =>
        settings?.Child(field)?.Error(problem)
        ?? (settings is null
            ? new ConfigException(new SourceLocation(context.ConfigFile, 0, 0), $"settings.{field}", problem)
            : new ConfigException(settings.Location, $"{settings.KeyPath}.{field}", problem));

    public Task InitializeAsync(Microscope microscope, CancellationToken ct)
    {
        foreach (var camera in _cameras) camera.UseClock(microscope.Clock);
        foreach (var autofocus in _autofocus) autofocus.Attach(microscope);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var camera in _cameras) await camera.DisposeAsync().ConfigureAwait(false);
    }
}
