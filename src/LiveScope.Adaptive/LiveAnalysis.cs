using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Recording;
using LiveScope.Analysis.Pipeline;
using LiveScope.Core.Imaging;
using Microsoft.Extensions.Logging;

namespace LiveScope.Cli.Hosting;

/// <summary>
/// Analyses every frame of a run as it arrives: one analysis pipeline per image series (the same series as the
/// OME-TIFF files), writing into measurements/&lt;series&gt;/ exactly what <c>livescope analyze</c> writes for saved data.
/// </summary>
public sealed class LiveAnalysis(AcquisitionPlan plan, string measurementsFolder, ILogger log) : IFrameSubscriber, IDisposable
{
    private readonly Dictionary<string, AnalysisPipeline> _pipelines = new();

    public List<AnalysisSummary> Summaries { get; } = [];

    public void OnFrame(Frame frame, FrameEvent planned)
    {
        var series = OmeTiffFrameStore.SeriesName(plan, planned.PositionIndex, planned.Series);
        if (!_pipelines.TryGetValue(series, out var pipeline))
        {
            var condition = plan.Protocol.Sample.Condition;
            pipeline = new AnalysisPipeline(new AnalysisOptions { Condition = $"{series} {condition}".Trim() }, Path.Combine(measurementsFolder, series));
            _pipelines.Add(series, pipeline);
        }
        pipeline.Analyse(frame);
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
