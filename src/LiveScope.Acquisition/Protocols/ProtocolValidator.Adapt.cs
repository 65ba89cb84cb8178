namespace LiveScope.Acquisition.Protocols;

/// <summary>Checks of the adapt: section that need the rest of the protocol or the rig.</summary>
public sealed partial class ProtocolValidator
{
    private sealed partial class Run
    {
        private void Adapt()
        {
            var spec = p.Adapt;
            if (spec.IsEmpty) return;
            var imagingPhases = p.Phases.OfType<ImagingPhaseSpec>().ToList();
            var shortest = imagingPhases.Select(x => x.IntervalS).DefaultIfEmpty(0).Min();
            var imaging = imagingPhases.Select(x => x.Name).ToList();
            for (int i = 0; i < spec.Rules.Count; i++)
            {
                var rule = spec.Rules[i];
                var path = rule.SourcePath;
                foreach (var phase in rule.Phases ?? [])
                    if (!imaging.Contains(phase))
                        Fail($"{path}.phases", $"'{phase}' is not an imaging phase of this protocol (imaging phases: {string.Join(", ", imaging)})");
                foreach (var action in rule.Then)
                {
                    switch (action)
                    {
                        case IntervalAction { IntervalS: { } fast }:
                            var frameS = p.Channels.Sum(c => estimator.FrameS(c)) * Math.Max(1, p.Positions.Count) * (p.ZStack?.Slices ?? 1);
                            if (fast < frameS)
                                Fail($"{path}.then.interval", $"{S(fast)} is shorter than one timepoint of every position and channel ({S(frameS)})");
                            if (shortest > 0 && fast >= shortest)
                                Fail($"{path}.then.interval", $"{S(fast)} is not faster than the protocol's shortest interval ({S(shortest)})");
                            break;
                        case BleachAction b:
                            BleachAction($"{path}.then.bleach", b);
                            break;
                        case ZStackAction when !rig.HasFocus:
                            Fail($"{path}.then.z_stack", "this microscope has no focus drive, so it cannot take a z-stack");
                            break;
                    }
                }
            }
            // Rule-made series are named auto_frap_NN and zstack_NN; a planned step of that name would share their files.
            for (int i = 0; i < p.Frap.Count; i++)
                if (p.Frap[i].Name.StartsWith("auto_frap_", StringComparison.Ordinal) || p.Frap[i].Name.StartsWith("zstack_", StringComparison.Ordinal))
                    Fail($"frap[{i}].name", $"'{p.Frap[i].Name}': names starting auto_frap_ or zstack_ are kept for steps the adaptive rules start");
            if (spec.Limits.LightDosePerPositionS is <= 0)
                Fail("adapt.limits.light_dose_per_position", "must be greater than zero (leave it out for no budget)");
            if (spec.Limits.MaxFastImagingS < 0) Fail("adapt.limits.max_fast_imaging", "must not be negative");
        }

        private void BleachAction(string path, BleachAction b)
        {
            if (!rig.HasPhotoTargeter) Fail(path, "this microscope has no photo-targeter, so a rule cannot bleach");
            if (b.RadiusPx <= 0) Fail($"{path}.radius_px", $"must be greater than zero, found {N(b.RadiusPx)} px");
            Positive($"{path}.recovery_interval", b.RecoveryIntervalS);
            Positive($"{path}.recovery_duration", b.RecoveryDurationS);
            if (b.RecoveryIntervalS > 0 && b.RecoveryFrames < 4)
                Fail($"{path}.recovery_duration", $"gives {b.RecoveryFrames} recovery frames; a recovery fit needs at least 4");
            if (b.DwellMs <= 0) Fail($"{path}.dwell_ms", $"must be greater than zero, found {N(b.DwellMs)} ms");
            else if (b.DwellMs > rig.Limits.MaxBleachDwellMs)
                Fail($"{path}.dwell_ms", $"{N(b.DwellMs)} ms is over this microscope's limit of {N(rig.Limits.MaxBleachDwellMs)} ms (limits.max_bleach_dwell_ms)");
            if (b.PowerFraction <= 0) Fail($"{path}.power", $"must be greater than zero, found {N(b.PowerFraction)}");
            else Power($"{path}.power", b.PowerFraction, rig.Limits.MaxBleachPowerFraction, "bleach laser", "limits.max_bleach_power_fraction");
            var channels = p.Channels.Select(c => c.Name).ToList();
            if (b.Channel is { } name && !channels.Contains(name))
                Fail($"{path}.channel", $"no channel '{name}' in this protocol{Core.Config.Suggest.DidYouMean(name, channels)}; channels: {List(channels)}");
            var channel = p.Channels.FirstOrDefault(c => c.Name == (b.Channel ?? channels.FirstOrDefault()));
            if (channel is not null && b.RecoveryIntervalS > 0 && estimator.FrameS(channel) > b.RecoveryIntervalS)
                Fail($"{path}.recovery_interval", $"{S(b.RecoveryIntervalS)} is shorter than one {channel.Name} frame ({S(estimator.FrameS(channel))})");
        }
    }
}
