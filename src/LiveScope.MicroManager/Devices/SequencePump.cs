using System.Threading.Channels;
using LiveScope.Core.Devices;
using LiveScope.Core.Imaging;
using LiveScope.MicroManager.Core;
using LiveScope.MicroManager.Jni;

namespace LiveScope.MicroManager.Devices;

/// <summary>
/// Runs one MMCore sequence acquisition on a dedicated thread attached to the JVM for its whole life: polls
/// getRemainingImageCount, pops each image into a pooled frame and hands it on. It always stops the sequence and
/// drains what MMCore still buffers (one extra frame can follow stopSequenceAcquisition), and detaches its thread.
/// </summary>
internal sealed class SequencePump
{
    private static readonly TimeSpan NoFrameTimeout = TimeSpan.FromSeconds(5);
    private readonly MMCamera _camera;
    private readonly int _frameCount;
    private readonly ChannelWriter<Frame> _writer;
    private readonly CancellationToken _stop;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SequencePump(MMCamera camera, int frameCount, ChannelWriter<Frame> writer, CancellationToken stop)
    {
        _camera = camera;
        _frameCount = frameCount;
        _writer = writer;
        _stop = stop;
    }

    public Task Completion => _done.Task;

    public void Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = $"MM sequence {_camera.Label}" };
        thread.Start();
    }

    private void Run()
    {
        Exception? failure = null;
        try
        {
            Pump();
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            _writer.TryComplete(failure);
            _done.TrySetResult();
        }
    }

    private void Pump()
    {
        var core = _camera.Core;
        var format = _camera.FormatForSequence();

        using var scope = core.Vm.Enter(16);
        var env = scope.Env;
        var label = env.NewGlobalRef(env.NewString(_camera.Label));
        var remainingId = core.CoreMethod(env, "getRemainingImageCount", "()I");
        var runningId = core.CoreMethod(env, "isSequenceRunning", "(Ljava/lang/String;)Z");
        var popId = core.CoreMethod(env, "popNextImage", "()Ljava/lang/Object;");
        double pixelSizeUm = _camera.PixelSizeUm; // read once: a JNI call per frame would allocate
        var exposure = TimeSpan.FromMilliseconds(_camera.Settings.ExposureMs);
        try
        {
            // Started only once everything the loop needs is in hand, and inside the try whose finally stops it.
            if (_frameCount > 0) core.StartSequenceAcquisition(_camera.Label, _frameCount, 0, stopOnOverflow: true);
            else core.StartContinuousSequenceAcquisition(0);
            int delivered = 0;
            var lastFrameAt = _camera.Clock.Now;
            while (!_stop.IsCancellationRequested && (_frameCount == 0 || delivered < _frameCount))
            {
                int remaining = env.CallInt(core.CoreObject, remainingId, [], "getRemainingImageCount");
                if (remaining > 0)
                {
                    var frame = _camera.Pool.Rent(format.Width, format.Height);
                    try
                    {
                        core.ImageInto(env, _camera.Label, popId, "popNextImage", frame);
                        frame.Metadata = _camera.NextMetadata(_camera.Clock.Now - exposure, pixelSizeUm);
                    }
                    catch
                    {
                        frame.Dispose();
                        throw;
                    }
                    if (!Write(frame)) break;
                    delivered++;
                    lastFrameAt = _camera.Clock.Now;
                    continue;
                }
                if (!env.CallBoolean(core.CoreObject, runningId, [JValue.Of(label)], "isSequenceRunning")
                    && env.CallInt(core.CoreObject, remainingId, [], "getRemainingImageCount") == 0)
                {
                    if (_frameCount > 0)
                        throw new DeviceException(_camera.Name, "stream", $"the camera stopped after {delivered} of {_frameCount} frames");
                    break;
                }
                if (_camera.Clock.Now - lastFrameAt > exposure + NoFrameTimeout)
                    throw new DeviceTimeoutException(_camera.Name, "stream", exposure + NoFrameTimeout);
                // Sleep a millisecond between polls, or just yield the core for exposures too short for that.
                Thread.Sleep(exposure.TotalMilliseconds >= 4 ? 1 : 0);
            }
        }
        catch (JavaException e)
        {
            throw MicroManagerException.From(_camera.Label, "sequence acquisition", e);
        }
        finally
        {
            try
            {
                core.StopSequenceAcquisition(_camera.Label);
                // Drain what arrived after the last frame we took, so the next acquisition starts clean.
                while (core.GetRemainingImageCount() > 0)
                {
                    var discard = env.CallObject(core.CoreObject, popId, [], "popNextImage");
                    env.DeleteLocalRef(discard);
                }
            }
            finally
            {
                env.DeleteGlobalRef(label);
            }
        }
    }

    /// <summary>Hands a frame on, waiting while the consumer is behind; false (frame disposed) when stopped.</summary>
    private bool Write(Frame frame)
    {
        while (!_writer.TryWrite(frame))
        {
            bool open;
            try
            {
                open = _writer.WaitToWriteAsync(_stop).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                open = false;
            }
            if (!open)
            {
                frame.Dispose();
                return false;
            }
        }
        return true;
    }
}
