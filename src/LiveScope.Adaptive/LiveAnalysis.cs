using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Recording;
using LiveScope.Analysis.Pipeline;
using LiveScope.Core.Imaging;
using Microsoft.Extensions.Logging;

namespace LiveScope.Adaptive;

/// <summary>
/// What one analysed frame gave: the series' pipeline holds its clusters, track ids, cells and metrics until the next
/// frame. <c>AcquiredTimestamp</c>: when the camera handed the frame to the engine (Stopwatch), for latency figures.
/// </summary>
public readonly record struct AnalysedFrame(Frame Frame, FrameEvent Planned, AnalysisPipeline Pipeline, FrameAnalysis Result, long AcquiredTimestamp);

/// <summary>
/// Analyses every frame of a run as it arrives: one analysis pipeline per image series (the same series as the
/// OME-TIFF files), writing into measurements/&lt;series&gt;/ exactly what <c>livescope analyze</c> writes for saved
/// data. Listeners (the adaptive controller) see each result while the frame and the pipeline's state are current.
/// Runs on the frame pipeline's consumer thread.
/// </summary>
public sealed class LiveAnalysis(AcquisitionPlan plan, string measurementsFolder, ILogger log) : IFrameSubscriber, IDisposable
{
    private readonly Dictionary<string, AnalysisPipeline> _pipelines = new();
    private readonly int _middleSlice = (plan.Protocol.ZStack?.Slices ?? 1) / 2;

    public List<AnalysisSummary> Summaries { get; } = [];

    /// <summary>Called after each frame's analysis, on the analysing thread; must be quick.</summary>
    public event Action<AnalysedFrame>? Analysed;

    /// <summary>Frames of a series these return true for are not analysed as a time-lapse (a z-stack, say).</summary>
    public Func<FrameEvent, bool> Skip { get; set; } = _ => false;

    public void OnFrame(Frame frame, FrameEvent planned) => OnFrame(frame, planned, System.Diagnostics.Stopwatch.GetTimestamp());

    public void OnFrame(Frame frame, FrameEvent planned, long acquiredTimestamp)
    {
        if (Skip(planned)) return;
        // A position's time-lapse is analysed in its first channel (the IR-GFP one) and, with a z-stack, in the middle
        // slice: other channels and slices are not further timepoints, and would fool tracking and the rules.
        if (planned.Series is null && (planned.ChannelIndex != 0 || planned.ZIndex != _middleSlice)) return;
        var series = OmeTiffFrameStore.SeriesName(plan, planned.PositionIndex, planned.Series);
        if (!_pipelines.TryGetValue(series, out var pipeline))
        {
            var condition = plan.Protocol.Sample.Condition;
            pipeline = new AnalysisPipeline(new AnalysisOptions { Condition = $"{series} {condition}".Trim() }, Path.Combine(measurementsFolder, series));
            _pipelines.Add(series, pipeline);
        }
        if (pipeline.Analyse(frame) is { } result) Analysed?.Invoke(new AnalysedFrame(frame, planned, pipeline, result, acquiredTimestamp));
    }

    /// <summary>Finishes every series (tracks, MSD) and keeps their summaries.</summary>
    public void Dispose()
    {
        foreach (var (series, pipeline) in _pipelines.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            try
            {
                Summaries.Add(pipeline.Complete());
            }
            catch (Exception e)
            {
                log.LogError(e, "Finishing the analysis of {Series} failed", series);
            }
            pipeline.Dispose();
        }
        _pipelines.Clear();
    }
}
