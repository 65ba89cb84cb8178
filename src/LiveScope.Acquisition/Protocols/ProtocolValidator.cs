using System.Globalization;
using System.Text.RegularExpressions;
using LiveScope.Core.Config;
using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;

namespace LiveScope.Acquisition.Protocols;

/// <summary>
/// Checks a protocol against itself and against a microscope's <see cref="RigCapabilities"/> before anything moves,
/// collecting every problem: non-positive times and exposures, exposures and powers over the configured limits,
/// unknown channel presets, positions outside stage travel, stimulation the rig cannot do, FRAP without a
/// photo-targeter or pointing at unknown positions/channels, and timepoints that cannot fit their interval.
/// Each error names file:line:column and the key path (through <see cref="ProtocolSources"/>).
/// </summary>
public sealed partial class ProtocolValidator(RigCapabilities rig)
{
    private readonly TimepointEstimator _estimator = new(rig);

    public void ThrowIfInvalid(LoadedProtocol loaded)
    {
        var errors = Validate(loaded);
        if (errors.Count > 0) throw new ProtocolValidationException(errors);
    }

    /// <summary>Validates a protocol built in code (errors then name only its source file).</summary>
    public IReadOnlyList<ConfigException> Validate(Protocol protocol) =>
        Validate(new LoadedProtocol(protocol, new ProtocolSources(protocol.SourceFile)));

    public IReadOnlyList<ConfigException> Validate(LoadedProtocol loaded)
    {
        var run = new Run(loaded.Protocol, loaded.Sources, new ProtocolErrors(), rig, _estimator);
        run.All();
        return run.Errors.All;
    }

    private sealed partial class Run(Protocol p, ProtocolSources at, ProtocolErrors errors, RigCapabilities rig, TimepointEstimator estimator)
    {
        public ProtocolErrors Errors => errors;

        private void Fail(string modelPath, string problem) => errors.Add(at.Error(modelPath, problem));

        public void All()
        {
            Phases();
            Channels();
            Positions();
            ZStackAndAutofocus();
            Frap();
            Adapt();
            Timing();
            OutputAndConditions();
        }

        private static readonly string[] Placeholders = ["protocol", "condition", "date", "time"];

        private void OutputAndConditions()
        {
            if (string.IsNullOrWhiteSpace(p.Output.Folder)) Fail("output.folder", "names no folder");
            if (string.IsNullOrWhiteSpace(p.Output.Name)) Fail("output.name", "is empty; the default is {date}_{time}_{protocol}");
            foreach (Match m in Regex.Matches(p.Output.Name, @"\{([^{}]*)\}"))
                if (!Placeholders.Contains(m.Groups[1].Value))
                    Fail("output.name", $"unknown placeholder {m.Value}{Suggest.DidYouMean(m.Groups[1].Value, Placeholders)}; " +
                                        "use {protocol}, {condition}, {date} or {time}");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < p.Conditions.Count; i++)
                if (!seen.Add(p.Conditions[i].Name))
                    Fail($"conditions[{i}].name", $"condition '{p.Conditions[i].Name}' is listed twice");
        }

        private void Phases()
        {
            if (!p.Phases.OfType<ImagingPhaseSpec>().Any())
                Fail("phases", "has no imaging phase; add one with an interval and a duration");
            bool stimulated = false;
            for (int i = 0; i < p.Phases.Count; i++)
            {
                var path = $"phases[{i}]";
                switch (p.Phases[i])
                {
                    case ImagingPhaseSpec img:
                        Positive($"{path}.interval", img.IntervalS);
                        Positive($"{path}.duration", img.DurationS);
                        if (img.IntervalS > 0 && img.DurationS > 0 && img.DurationS < img.IntervalS)
                            Fail($"{path}.duration", $"{S(img.DurationS)} is shorter than the interval ({S(img.IntervalS)}), so the phase has no timepoint");
                        break;
                    case StimulationPhaseSpec stim:
                        if (stimulated)
                            Fail(path, "a protocol has one stimulation (it marks time zero); this is the second");
                        stimulated = true;
                        Stimulation(stim, path);
                        break;
                }
            }
        }

        private void Stimulation(StimulationPhaseSpec stim, string path)
        {
            if (string.IsNullOrWhiteSpace(stim.Reagent)) Fail($"{path}.reagent", "names no reagent");
            if (stim.Concentration <= 0) Fail($"{path}.concentration", $"must be greater than zero, found {N(stim.Concentration)}");
            if (stim.By != StimulationBy.LiquidHandler || string.IsNullOrWhiteSpace(stim.Reagent)) return;
            if (!rig.HasLiquidHandler)
                Fail($"{path}.reagent", $"'{stim.Reagent}' is to be added by the liquid handler, but this microscope has none; " +
                                        "write by: operator to pause the run for the operator instead");
            else if (!rig.Reagents.Contains(stim.Reagent, StringComparer.OrdinalIgnoreCase))
                Fail($"{path}.reagent", $"the liquid handler does not carry '{stim.Reagent}'{Suggest.DidYouMean(stim.Reagent, rig.Reagents)}; " +
                                        $"it carries: {List(rig.Reagents)} (or write by: operator)");
        }

        private void Channels()
        {
            if (p.Channels.Count == 0) Fail("channels", "lists no channels; add at least one");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < p.Channels.Count; i++)
            {
                var c = p.Channels[i];
                var path = $"channels[{i}]";
                if (!seen.Add(c.Name)) Fail($"{path}.name", $"channel '{c.Name}' is listed twice");
                if (!rig.ChannelPresets.Contains(c.Name, StringComparer.Ordinal))
                    Fail($"{path}.name", rig.ChannelPresets.Count == 0
                        ? $"unknown channel preset '{c.Name}'; this microscope's light source has no presets"
                        : $"unknown channel preset '{c.Name}'{Suggest.DidYouMean(c.Name, rig.ChannelPresets)}; the light source has: {List(rig.ChannelPresets)}");
                if (c.ExposureMs <= 0) Fail($"{path}.exposure", $"must be greater than zero, found {N(c.ExposureMs)} ms");
                else if (c.ExposureMs > rig.Limits.MaxExposureMs)
                    Fail($"{path}.exposure", $"{N(c.ExposureMs)} ms is over this microscope's limit of {N(rig.Limits.MaxExposureMs)} ms (limits.max_exposure_ms)");
                if (c.PowerFraction is { } power) Power($"{path}.power", power, rig.Limits.MaxLightPowerFraction, "light source", "limits.max_light_power_fraction");
            }
        }

        private void Power(string path, double power, double limit, string what, string limitKey)
        {
            if (power is < 0 or > 1)
                Fail(path, $"must be between 0 and 1 (a fraction of the {what}'s maximum), found {N(power)}");
            else if (power > limit && at.Has(path))
                Fail(path, $"{N(power)} is over this microscope's limit of {N(limit)} ({limitKey})");
            else if (power > limit)
                errors.Add(at.Below(path[..path.LastIndexOf('.')], "power").Error(
                    $"{N(power)} is over this microscope's limit of {N(limit)} ({limitKey}); power is not written, so the default applies: set a lower one"));
        }

        private void Positions()
        {
            if (p.Positions.Count == 0) Fail("positions", "lists no positions; add at least one");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < p.Positions.Count; i++)
            {
                var pos = p.Positions[i];
                var path = $"positions[{i}]";
                if (!seen.Add(pos.Name)) Fail($"{path}.name", $"position name '{pos.Name}' is used twice");
                if (!rig.HasXYStage && i > 0)
                    Fail(path, "this microscope has no XY stage, so it can image only one position");
                Travel($"{path}.x", "x", pos.XUm, rig.XLimitsUm);
                Travel($"{path}.y", "y", pos.YUm, rig.YLimitsUm);
                if (pos.ZUm is { } z) Travel($"{path}.z", "z", z, rig.ZLimitsUm);
            }
        }

        private void Travel(string path, string axis, double um, AxisLimitsUm? limits)
        {
            if (limits is { } l && !l.Contains(um))
                Fail(path, $"{axis} = {N(um)} µm is outside the stage's travel [{N(l.MinUm)}, {N(l.MaxUm)}] µm");
        }

        private void ZStackAndAutofocus()
        {
            if (p.ZStack is { } z)
            {
                if (!rig.HasFocus) Fail("z_stack", "this microscope has no focus drive, so it cannot take z-stacks");
                Positive("z_stack.step", z.StepUm, "µm");
                if (z.RangeUm < 0) Fail("z_stack.range", $"must not be negative, found {N(z.RangeUm)} µm");
            }
            if (p.Autofocus is { } af)
            {
                if (!rig.HasAutofocus) Fail("autofocus", "this microscope has no autofocus device");
                if (af.EveryTimepoints < 1) Fail("autofocus.every", $"must be at least 1, found {af.EveryTimepoints}");
            }
        }

        private void Frap()
        {
            var timeline = new ProtocolTimeline(p.Phases);
            var positions = p.Positions.Select(x => x.Name).ToList();
            var channels = p.Channels.Select(x => x.Name).ToList();
            for (int i = 0; i < p.Frap.Count; i++)
            {
                var f = p.Frap[i];
                var path = $"frap[{i}]";
                if (!rig.HasPhotoTargeter)
                    Fail(path, "this microscope has no photo-targeter, so FRAP steps cannot run");
                if (!positions.Contains(f.Position))
                    Fail($"{path}.position", $"no position named '{f.Position}'{Suggest.DidYouMean(f.Position, positions)}; positions: {List(positions)}");
                if (!channels.Contains(f.Channel))
                    Fail($"{path}.channel", $"no channel '{f.Channel}' in this protocol{Suggest.DidYouMean(f.Channel, channels)}; channels: {List(channels)}");
                if (f.PreBleachFrames < 0) Fail($"{path}.pre_bleach_frames", $"must not be negative, found {f.PreBleachFrames}");
                Positive($"{path}.recovery_interval", f.RecoveryIntervalS);
                Positive($"{path}.recovery_duration", f.RecoveryDurationS);
                if (f.DwellMs <= 0) Fail($"{path}.dwell_ms", $"must be greater than zero, found {N(f.DwellMs)} ms");
                else if (f.DwellMs > rig.Limits.MaxBleachDwellMs)
                    Fail($"{path}.dwell_ms", $"{N(f.DwellMs)} ms is over this microscope's limit of {N(rig.Limits.MaxBleachDwellMs)} ms (limits.max_bleach_dwell_ms)");
                if (f.PowerFraction <= 0) Fail($"{path}.power", $"must be greater than zero, found {N(f.PowerFraction)}");
                else Power($"{path}.power", f.PowerFraction, rig.Limits.MaxBleachPowerFraction, "bleach laser", "limits.max_bleach_power_fraction");
                if (f.AtS < timeline.StartS || f.AtS > timeline.EndS)
                    Fail($"{path}.at", $"{S(f.AtS)} from time zero is outside the run, which images from {S(timeline.StartS)} to {S(timeline.EndS)}");
                if (f.Target is FrapRoiTarget roi && !OnSensor(roi.Region))
                    Fail($"{path}.roi", $"the ROI reaches outside the camera sensor (x 0 to {rig.SensorWidthPx - 1}, y 0 to {rig.SensorHeightPx - 1} px)");
                if (f.Target is FrapRoiTarget { Region: BleachPolygon { Vertices.Count: < 3 } })
                    Fail($"{path}.roi", "a polygon needs at least 3 vertices");
                if (f.Target is FrapRoiTarget { Region: BleachCircle { RadiusPx: <= 0 } })
                    Fail($"{path}.roi", "a circle's radius_px must be greater than zero");
                if (f.Target is FrapAnalysisTarget { RadiusPx: <= 0 } a)
                    Fail($"{path}.radius_px", $"must be greater than zero, found {N(a.RadiusPx)} px");
                var channel = p.Channels.FirstOrDefault(c => c.Name == f.Channel);
                if (channel is not null && f.RecoveryIntervalS > 0 && estimator.FrameS(channel) > f.RecoveryIntervalS)
                    Fail($"{path}.recovery_interval", $"{S(f.RecoveryIntervalS)} is shorter than one {f.Channel} frame " +
                                                      $"({S(estimator.FrameS(channel))}: exposure + {N(rig.ReadoutOverheadMs)} ms readout)");
            }
        }

        private bool OnSensor(BleachRegion region)
        {
            bool In(PixelPoint q, double margin = 0) =>
                q.X - margin >= -0.5 && q.Y - margin >= -0.5 && q.X + margin <= rig.SensorWidthPx - 0.5 && q.Y + margin <= rig.SensorHeightPx - 0.5;
            return region switch
            {
                BleachPoint pt => In(pt.Centre),
                BleachCircle c => In(c.Centre, Math.Max(c.RadiusPx, 0)),
                BleachPolygon poly => poly.Vertices.All(v => In(v)),
                _ => true,
            };
        }

        private void Timing()
        {
            if (p.Channels.Count == 0 || p.Channels.Any(c => c.ExposureMs <= 0)) return;
            var estimate = estimator.Estimate(p);
            for (int i = 0; i < p.Phases.Count; i++)
            {
                if (p.Phases[i] is not ImagingPhaseSpec { IntervalS: > 0 } img || estimate.TotalS <= img.IntervalS) continue;
                int slices = p.ZStack is { StepUm: > 0 } z ? z.Slices : 1;
                Fail($"phases[{i}].interval",
                    $"one timepoint takes about {S(estimate.TotalS)} ({Math.Max(p.Positions.Count, 1)} positions × {p.Channels.Count} channels × " +
                    $"{slices} z-slices, exposure + {N(rig.ReadoutOverheadMs)} ms readout each, plus stage moves, settling" +
                    $"{(p.Autofocus is null ? "" : " and autofocus")}), longer than the interval of {S(img.IntervalS)}");
            }
        }

        private void Positive(string path, double value, string? unit = null)
        {
            if (value > 0) return;
            Fail(path, $"must be greater than zero, found {(unit is null ? S(value) : $"{N(value)} {unit}")}");
        }

        private static string S(double seconds) => Durations.Format(seconds);
        private static string N(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        private static string List(IEnumerable<string> names) => names.Any() ? string.Join(", ", names) : "(none)";
    }
}
