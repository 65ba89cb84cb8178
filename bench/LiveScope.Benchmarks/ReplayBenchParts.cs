using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Analysis.Pipeline;
using LiveScope.Core.Devices;
using LiveScope.Core.Imaging;
using LiveScope.Core.Timing;
using LiveScope.Replay;
using LiveScope.Storage;

namespace LiveScope.Benchmarks;

/// <summary>Durations of one stage, in a buffer sized up front so recording them allocates nothing per frame.</summary>
internal sealed class ReplayStageTimes(string name, int capacity)
{
    private readonly double[] _ms = new double[capacity];
    private int _count;

    public string Name { get; } = name;
    public int Count => _count;

    public void Add(long startTimestamp)
    {
        if (_count < _ms.Length) _ms[_count++] = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
    }

    public void AddMs(double ms)
    {
        if (_count < _ms.Length) _ms[_count++] = ms;
    }

    public string Summary()
    {
        if (_count == 0) return $"{Name}: no samples";
        var sorted = _ms.AsSpan(0, _count).ToArray();
        Array.Sort(sorted);
        double sum = 0;
        foreach (var v in sorted) sum += v;
        return string.Create(CultureInfo.InvariantCulture,
            $"{Name}: n {_count}, mean {sum / _count:0.00} ms, p50 {TimingStats.Percentile(sorted, 0.5):0.00} ms, " +
            $"p99 {TimingStats.Percentile(sorted, 0.99):0.00} ms, max {sorted[^1]:0.00} ms");
    }
}

/// <summary>
/// The replay camera seen from the engine, timed: how long each snap waited for its plane to be due (pacing) and how
/// long reading the plane into a pooled frame took (the frame's timestamp is taken between the two).
/// </summary>
internal sealed class ReplayTimedCamera(ReplayCamera inner, IMicroscopeClock clock, ReplayStageTimes wait, ReplayStageTimes read) : ICamera
{
    public string Name => inner.Name;
    public DeviceKind Kind => inner.Kind;
    public int SensorWidth => inner.SensorWidth;
    public int SensorHeight => inner.SensorHeight;
    public int BitDepth => inner.BitDepth;
    public double PixelSizeUm => inner.PixelSizeUm;
    public CameraSettings Settings => inner.Settings;
    public Task ApplyAsync(CameraSettings settings, CancellationToken ct) => inner.ApplyAsync(settings, ct);
    public Task MakeSafeAsync(CancellationToken ct) => inner.MakeSafeAsync(ct);
    public ValueTask DisposeAsync() => inner.DisposeAsync();

    public async Task<Frame> SnapAsync(CancellationToken ct)
    {
        var called = clock.Now;
        var frame = await inner.SnapAsync(ct).ConfigureAwait(false);
        var returned = clock.Now;
        wait.AddMs((frame.Metadata.Timestamp - called).TotalMilliseconds);
        read.AddMs((returned - frame.Metadata.Timestamp).TotalMilliseconds);
        return frame;
    }

    public async IAsyncEnumerable<Frame> StreamAsync(int frameCount, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var frame in inner.StreamAsync(frameCount, ct).ConfigureAwait(false)) yield return frame;
    }
}

/// <summary>An OME-TIFF writer with each <see cref="WritePlane"/> timed (the store's share of the pipeline consumer).</summary>
internal sealed class ReplayTimedWriter(IImageStackWriter inner, ReplayStageTimes times) : IImageStackWriter
{
    public int PlanesWritten => inner.PlanesWritten;

    public void WritePlane(Frame frame)
    {
        long start = Stopwatch.GetTimestamp();
        inner.WritePlane(frame);
        times.Add(start);
    }

    public void Complete() => inner.Complete();
    public void Dispose() => inner.Dispose();
}

/// <summary>A frame subscriber with each call timed (its share of the pipeline consumer).</summary>
internal sealed class ReplayTimedSubscriber(IFrameSubscriber inner, ReplayStageTimes times) : IFrameSubscriber, IDisposable
{
    public ReplayStageTimes Times => times;

    public void OnFrame(Frame frame, FrameEvent planned) => OnFrame(frame, planned, Stopwatch.GetTimestamp());

    /// <summary>Passes the acquisition time on: the controller's frame-to-decision latency starts there.</summary>
    public void OnFrame(Frame frame, FrameEvent planned, long acquiredTimestamp)
    {
        long start = Stopwatch.GetTimestamp();
        inner.OnFrame(frame, planned, acquiredTimestamp);
        times.Add(start);
    }

    public void OnAcquired(FrameEvent planned) => inner.OnAcquired(planned);

    public void Dispose() => (inner as IDisposable)?.Dispose();
}

/// <summary>Live analysis as a run has it: the cluster detector, cell masks, tracking and metrics on every frame.</summary>
internal sealed class ReplayAnalysisSubscriber : IFrameSubscriber, IDisposable
{
    private readonly AnalysisPipeline _pipeline = new(new AnalysisOptions { Condition = "replay benchmark" });

    public int FramesAnalysed => _pipeline.FramesAnalysed;

    public void OnFrame(Frame frame, FrameEvent planned) => _pipeline.Analyse(frame);

    public void Dispose()
    {
        _pipeline.Complete();
        _pipeline.Dispose();
    }
}

/// <summary>Process memory figures from /proc/self/status (Linux).</summary>
internal static class ReplayMemory
{
    /// <summary>Peak resident set size so far, MiB (VmHWM); NaN where /proc is not available.</summary>
    public static double PeakRssMiB() => StatusKiB("VmHWM:") / 1024.0;

    public static double RssMiB() => StatusKiB("VmRSS:") / 1024.0;

    /// <summary>Resets the peak to the current RSS (writing 5 to clear_refs), so a phase can be measured on its own.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static double StatusKiB(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return double.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        return double.NaN;
    }
}
