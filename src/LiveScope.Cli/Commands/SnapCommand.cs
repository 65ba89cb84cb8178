using System.CommandLine;
using LiveScope.Cli.Hosting;
using LiveScope.Core.Hardware;
using LiveScope.Core.Imaging;
using LiveScope.Storage;
using LiveScope.Storage.OmeTiff;
using Serilog.Events;

namespace LiveScope.Cli.Commands;

/// <summary><c>livescope snap</c>: one frame from the configured camera into an OME-TIFF.</summary>
public static class SnapCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var set = CommonOptions.Set();
        var output = new Option<string>("--out", "-o") { Description = "OME-TIFF to write.", DefaultValueFactory = _ => "snap.ome.tif" };
        var exposure = new Option<double?>("--exposure-ms") { Description = "Exposure; default: the channel's or the camera's." };
        var channel = new Option<string?>("--channel") { Description = "Light-source channel preset to image with." };
        var command = new Command("snap", "Take one image and write it as OME-TIFF.") { config, set, output, exposure, channel };
        command.SetAction(async (parse, _) =>
        {
            using var shutdown = new Shutdown();
            var ct = shutdown.Token;
            using var loggers = Logging.Create(LogEventLevel.Information);
            await using var scope = await new MicroscopeLoader(Backends.Create(), loggers)
                .LoadAsync(ProjectPaths.Resolve(parse.GetValue(config)!), CommonOptions.Overrides(parse.GetValue(set)), ct);
            try
            {
                var light = scope.LightSource;
                var channelName = parse.GetValue(channel) ?? light?.Channels.FirstOrDefault()?.Name;
                if (light is not null && channelName is not null) await light.SelectChannelAsync(channelName, ct);
                var exposureMs = parse.GetValue(exposure) ?? light?.ActiveChannel?.ExposureMs ?? scope.Camera.Settings.ExposureMs;
                await scope.Camera.ApplyAsync(scope.Camera.Settings with { ExposureMs = exposureMs }, ct);
                Frame frame;
                try
                {
                    if (scope.Shutter is { } shutter) await shutter.SetOpenAsync(true, ct);
                    frame = await scope.Camera.SnapAsync(ct);
                }
                finally
                {
                    if (scope.Shutter is { } shutter) await shutter.SetOpenAsync(false, CancellationToken.None);
                }
                using var owned = frame;
                frame.Metadata = frame.Metadata with { Channel = channelName };
                var path = parse.GetValue(output)!;
                using (var writer = OmeTiffWriter.Create(path, new StackDescription
                       {
                           ImageName = "snap", ChannelNames = channelName is null ? [] : [channelName],
                           PixelSizeUm = frame.Metadata.PixelSizeUm, AcquisitionStartUtc = scope.Clock.StartedAt,
                       }))
                {
                    writer.WritePlane(frame);
                }
                var px = frame.Pixels;
                ushort min = ushort.MaxValue, max = 0;
                double sum = 0;
                foreach (var v in px) { if (v < min) min = v; if (v > max) max = v; sum += v; }
                Console.WriteLine($"{path}: {frame.Width}×{frame.Height}, {exposureMs} ms, channel {channelName ?? "-"}, " +
                                  $"min {min}, max {max}, mean {sum / px.Length:0.0}");
            }
            finally
            {
                await scope.MakeSafeAsync();
            }
            return 0;
        });
        return command;
    }
}
