using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Adaptive.Frap;
using LiveScope.Adaptive.Rules;

namespace LiveScope.Adaptive.Actions;

/// <summary>
/// Turns a rule's actions into queue changes, each checked against the limits first: interval changes (via
/// <see cref="Cadence"/>), a bleach of a cluster analysis chose followed by its recovery frames, a z-stack, leaving a
/// position, stopping the run. Runs on the analysis thread; the queue wakes the engine.
/// </summary>
public sealed class ActionRunner(ActionContext run)
{
    public ActionOutcome? Apply(AdaptAction action, ActionSite site)
    {
        if (run.Stopped) return null;
        return action switch
        {
            IntervalAction { IntervalS: { } fast } a => Fast(a, fast, site),
            IntervalAction => run.Cadence.GoNormal(site.PositionIndex, site.Now) ? new ActionOutcome("back to the protocol's interval") : null,
            BleachAction b => Bleach(b, site),
            ZStackAction z => ZStack(z, site),
            NextPositionAction => Leave(site),
            StopAction s => Stop(s),
            _ => null,
        };
    }

    private ActionOutcome? Fast(IntervalAction a, double intervalS, ActionSite site)
    {
        int p = site.PositionIndex;
        if (run.Cadence.IsFast(p, site.Now)) return null; // already fast: the window it was given stands
        double timeLeft = run.Limits.MaxFastImagingS - run.Cadence.FastUsedS(p);
        double doseLeft = run.Dose.LeftS(p) / Math.Max(1e-12, run.TimepointDoseS) * intervalS;
        double window = Math.Min(timeLeft, doseLeft);
        if (window < intervalS * a.MinFrames)
            return timeLeft <= doseLeft
                ? ActionOutcome.Refused("max_fast_imaging", $"{Math.Max(0, timeLeft):0.#} s of fast imaging left at this position, {a.MinFrames} frames need {intervalS * a.MinFrames:0.#} s")
                : ActionOutcome.Refused("light_dose_per_position", $"the light budget left allows {Math.Max(0, doseLeft / intervalS):0} fast frames, {a.MinFrames} needed");
        int frames = run.Cadence.GoFast(p, intervalS, a.MinFrames, window, site.Now);
        return frames == 0 ? null : new ActionOutcome($"{frames} frames every {intervalS:0.###} s for up to {window:0.#} s (at least {a.MinFrames})");
    }

    private ActionOutcome Bleach(BleachAction b, ActionSite site)
    {
        int p = site.PositionIndex;
        if (run.Frap.AnyRunning) return ActionOutcome.Refused("one_frap_at_a_time", "a FRAP step is still being imaged");
        if (run.Bleaches >= run.Limits.MaxBleaches) return ActionOutcome.Refused("max_bleaches", $"{run.Bleaches} bleaches already (limit {run.Limits.MaxBleaches})");
        var candidates = run.Bleachable(site.Firing.NewClusters.Count > 0 ? site.Firing.NewClusters : site.Watch.Clusters, site.Watch.Clusters, b.RadiusPx);
        if (candidates.Count == 0) return ActionOutcome.Refused("no_target", "no cluster in a cell, within the laser's reach and clear of its neighbours");
        // A loop, not LINQ: with thousands of candidates LINQ's list builder takes a slow path the warm-up's two
        // clusters never reach, and compiling it made the run's first bleach decision 5.6 ms instead of about 1.
        var allowed = new List<WatchedCluster>(candidates.Count);
        foreach (var c in candidates)
            if (run.Bleached.InCell(p, c.CellId, site.CellAt) < run.Limits.MaxBleachesPerCell) allowed.Add(c);
        if (allowed.Count == 0) return ActionOutcome.Refused("max_bleaches_per_cell", $"every candidate's cell has had {run.Limits.MaxBleachesPerCell} bleach(es)");
        var target = run.Choose(b.Choose, allowed);
        var channel = run.Protocol.Channels.FirstOrDefault(c => c.Name == b.Channel) ?? run.Protocol.Channels[0];
        double bleachDose = LightDose.BleachDoseS(b.RadiusPx, run.SpotDiameterPx, b.DwellMs, b.PowerFraction);
        double dose = bleachDose + (b.PreBleachFrames + b.RecoveryFrames) * LightDose.FrameDoseS(channel);
        if (!run.Dose.Allows(p, dose)) return ActionOutcome.Refused("light_dose_per_position", $"the FRAP would add {dose:0.###} s of light; {run.Dose.LeftS(p):0.###} s left");

        var name = $"auto_frap_{run.Bleaches + 1:D2}";
        var position = run.PositionAt(p);
        var spec = new FrapSpec(name, 0, position.Name, channel.Name, new FrapAnalysisTarget(b.Choose, b.RadiusPx), b.PreBleachFrames,
            b.RecoveryIntervalS, b.RecoveryDurationS, b.DwellMs, b.PowerFraction) { LocalPool = b.LocalPool };
        run.Frap.Expect(spec, p, new FrapTarget(target.XPx, target.YPx, b.RadiusPx, target.TrackId, target.CellId));
        Schedule(spec, p, position, channel, site.Now);
        run.Bleaches++;
        run.Bleached.Add(p, target.XPx, target.YPx);
        run.Dose.Add(p, bleachDose);
        return new ActionOutcome($"{name}: bleach track {target.TrackId} at ({target.XPx:0.0}, {target.YPx:0.0}) px in cell {target.CellId}, " +
                                 $"{b.PreBleachFrames} pre-bleach + {b.RecoveryFrames} recovery frames every {b.RecoveryIntervalS:0.###} s")
        {
            Chosen = new Dictionary<string, double>
            {
                ["target_track_id"] = target.TrackId, ["target_x_px"] = Math.Round(target.XPx, 3), ["target_y_px"] = Math.Round(target.YPx, 3),
                ["target_cell"] = target.CellId,
            },
        };
    }

    /// <summary>Pre-bleach frames from one interval from now, the bleach, then the recovery frames — the planner's FRAP shape.</summary>
    private void Schedule(FrapSpec spec, int p, PositionSpec position, ChannelSpec channel, TimeSpan now)
    {
        var timeline = run.Queue.Timeline;
        var step = TimeSpan.FromSeconds(spec.RecoveryIntervalS);
        int c = IndexOf(channel);
        int t = 0;
        FrameEvent Frame(TimeSpan at)
        {
            var (due, after) = timeline.DueAtClock(at);
            return new FrameEvent
            {
                DueAt = due, AfterTimeZero = after, Phase = spec.Name, TimeIndex = t++, PositionIndex = p, Position = position,
                ChannelIndex = c, Channel = channel, ZIndex = 0, Series = spec.Name,
            };
        }
        var bleachAt = now + step * (spec.PreBleachFrames + 1);
        var events = new List<PlannedEvent>(spec.PreBleachFrames + 1 + spec.RecoveryFrames);
        for (int k = spec.PreBleachFrames; k >= 1; k--) events.Add(Frame(bleachAt - k * step));
        var (bleachDue, bleachAfter) = timeline.DueAtClock(bleachAt);
        events.Add(new BleachEvent { DueAt = bleachDue, AfterTimeZero = bleachAfter, Phase = spec.Name, Frap = spec, PositionIndex = p, Position = position });
        for (int k = 0; k < spec.RecoveryFrames; k++) events.Add(Frame(bleachAt + k * step));
        run.Queue.AddRange(events);
    }

    private int IndexOf(ChannelSpec channel)
    {
        for (int i = 0; i < run.Protocol.Channels.Count; i++) if (run.Protocol.Channels[i].Name == channel.Name) return i;
        return 0;
    }

    private ActionOutcome ZStack(ZStackAction z, ActionSite site)
    {
        int p = site.PositionIndex;
        double dose = z.Slices * run.ChannelsDoseS;
        if (!run.Dose.Allows(p, dose)) return ActionOutcome.Refused("light_dose_per_position", $"the z-stack would add {dose:0.###} s of light; {run.Dose.LeftS(p):0.###} s left");
        var name = $"zstack_{++run.ZStacks:D2}";
        var position = run.PositionAt(p);
        var (due, after) = run.Queue.Timeline.DueAtClock(site.Now);
        var events = new List<PlannedEvent>();
        for (int k = 0; k < z.Slices; k++)
            for (int c = 0; c < run.Protocol.Channels.Count; c++)
                events.Add(new FrameEvent
                {
                    DueAt = due, AfterTimeZero = after, Phase = name, TimeIndex = 0, PositionIndex = p, Position = position,
                    ChannelIndex = c, Channel = run.Protocol.Channels[c], ZIndex = k, ZOffsetUm = -z.RangeUm / 2 + k * z.StepUm, Series = name,
                });
        run.Queue.AddRange(events);
        return new ActionOutcome($"{name}: {z.Slices} slices over {z.RangeUm:0.##} µm");
    }

    private ActionOutcome Leave(ActionSite site)
    {
        int dropped = run.Cadence.Finish(site.PositionIndex, site.Now);
        return new ActionOutcome($"{dropped} remaining frames of this position dropped");
    }

    private ActionOutcome Stop(StopAction s)
    {
        run.Stopped = true;
        int dropped = run.Cadence.FinishAll() + run.Queue.RemoveWhere(_ => true).Count;
        return new ActionOutcome($"{s.Reason}; {dropped} planned events dropped");
    }
}
