using LiveScope.Acquisition.Planning;
using LiveScope.Acquisition.Protocols;
using LiveScope.Core.Devices;
using LiveScope.Core.Geometry;
using LiveScope.Core.Timing;
using Microsoft.Extensions.Logging;

namespace LiveScope.Acquisition.Engine;

/// <summary>The device work behind each kind of event.</summary>
public sealed partial class AcquisitionEngine
{
    private async Task AcquireAsync(RunState run, FrameEvent f, FramePipeline pipeline, CancellationToken ct)
    {
        await MoveToAsync(run, f.PositionIndex, f.Position, f.ZOffsetUm, ct).ConfigureAwait(false);
        await SetChannelAsync(run, f.Channel, ct).ConfigureAwait(false);
        var shutter = _scope.Shutter;
        var frame = await _resilience.RunAsync(DeviceKind.Camera, async c =>
        {
            // The shutter is open only while exposing: every other moment of light bleaches the sample for nothing.
            Core.Imaging.Frame? snapped = null;
            try
            {
                if (shutter is not null) await shutter.SetOpenAsync(true, c).ConfigureAwait(false);
                snapped = await _scope.Camera.SnapAsync(c).ConfigureAwait(false);
            }
            finally
            {
                if (shutter is not null) await CloseShutterAsync(shutter, snapped).ConfigureAwait(false);
            }
            return snapped;
        }, ct).ConfigureAwait(false);
        long acquired = System.Diagnostics.Stopwatch.GetTimestamp(); // "frame arrival" for latency figures downstream
        var stage = run.StageAt;
        frame.Metadata = frame.Metadata with
        {
            Channel = f.Channel.Name,
            ChannelIndex = f.ChannelIndex,
            TimeIndex = f.TimeIndex,
            ZIndex = f.ZIndex,
            PositionIndex = f.PositionIndex,
            StageXUm = stage?.XUm ?? double.NaN,
            StageYUm = stage?.YUm ?? double.NaN,
            StageZUm = run.FocusUm.TryGetValue(f.PositionIndex, out var z) ? z + f.ZOffsetUm : double.NaN,
        };
        long sequence = frame.Metadata.SequenceNumber; // the frame belongs to the pipeline once offered
        bool kept = await pipeline.OfferAsync(frame, f, ct, acquired).ConfigureAwait(false);
        Log(kept ? "frame" : "frame.dropped", new()
        {
            ["t"] = f.TimeIndex, ["p"] = f.PositionIndex, ["c"] = f.ChannelIndex, ["z"] = f.ZIndex,
            ["seq"] = sequence, ["phase"] = f.Phase, ["series"] = f.Series,
        });
    }

    /// <summary>
    /// A shutter that will not close is not a position to skip: light keeps falling on the sample. The failure is
    /// raised as fatal (not a device fault), so the run stops and makes the rig safe; the snapped frame is returned.
    /// </summary>
    private static async Task CloseShutterAsync(IShutter shutter, Core.Imaging.Frame? snapped)
    {
        try
        {
            await shutter.SetOpenAsync(false, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            snapped?.Dispose();
            throw new InvalidOperationException($"shutter {shutter.Name} did not close: {e.Message}", e);
        }
    }

    /// <summary>Moves XY (when the position changes) and focus to the position's focus plus a z-stack offset.</summary>
    private async Task MoveToAsync(RunState run, int index, PositionSpec position, double zOffsetUm, CancellationToken ct)
    {
        var xy = _scope.XYStage;
        if (xy is not null && !double.IsNaN(position.XUm))
        {
            var target = new StagePositionUm(position.XUm, position.YUm);
            if (run.StageAt != target)
            {
                await _resilience.RunAsync(DeviceKind.XYStage, c => xy.MoveToAsync(target, c), ct).ConfigureAwait(false);
                await _scope.Clock.WaitAsync(xy.SettleTime, ct).ConfigureAwait(false);
                run.StageAt = target;
                Log("move", new() { ["device"] = xy.Name, ["x_um"] = target.XUm, ["y_um"] = target.YUm });
            }
        }
        var focus = _scope.Focus;
        if (focus is null) return;
        if (!run.FocusUm.TryGetValue(index, out var baseZ))
        {
            baseZ = position.ZUm ?? await _resilience.RunAsync(DeviceKind.FocusStage, focus.GetPositionAsync, ct).ConfigureAwait(false);
            run.FocusUm[index] = baseZ;
        }
        var z = baseZ + zOffsetUm;
        var now = await _resilience.RunAsync(DeviceKind.FocusStage, focus.GetPositionAsync, ct).ConfigureAwait(false);
        if (Math.Abs(now - z) > 1e-3)
        {
            await _resilience.RunAsync(DeviceKind.FocusStage, c => focus.MoveToAsync(z, c), ct).ConfigureAwait(false);
            await _scope.Clock.WaitAsync(focus.SettleTime, ct).ConfigureAwait(false);
        }
    }

    private async Task SetChannelAsync(RunState run, ChannelSpec channel, CancellationToken ct)
    {
        var light = _scope.LightSource;
        if (light is not null)
        {
            if (run.ChannelSet != channel.Name)
            {
                await _resilience.RunAsync(DeviceKind.LightSource, c => light.SelectChannelAsync(channel.Name, c), ct).ConfigureAwait(false);
                run.ChannelSet = channel.Name;
                run.PowerSet = null;
            }
            var power = channel.PowerFraction ?? light.ActiveChannel?.PowerFraction;
            if (power is { } p && run.PowerSet != p)
            {
                await _resilience.RunAsync(DeviceKind.LightSource, c => light.SetPowerAsync(p, c), ct).ConfigureAwait(false);
                run.PowerSet = p;
            }
        }
        if (run.ExposureSet != channel.ExposureMs)
        {
            var settings = _scope.Camera.Settings with { ExposureMs = channel.ExposureMs };
            await _resilience.RunAsync(DeviceKind.Camera, c => _scope.Camera.ApplyAsync(settings, c), ct).ConfigureAwait(false);
            run.ExposureSet = channel.ExposureMs;
        }
    }

    private async Task AutofocusAsync(RunState run, AutofocusEvent a, CancellationToken ct)
    {
        var af = _scope.Autofocus;
        if (af is null) return;
        await MoveToAsync(run, a.PositionIndex, a.Position, 0, ct).ConfigureAwait(false);
        var result = await _resilience.RunAsync(DeviceKind.Autofocus, af.FocusAsync, ct).ConfigureAwait(false);
        if (result.Success) run.FocusUm[a.PositionIndex] = result.ZUm;
        Log("autofocus", new() { ["position"] = a.Position.Name, ["success"] = result.Success, ["z_um"] = result.ZUm, ["score"] = result.Score });
    }

    private async Task StimulateAsync(RunState run, StimulationEvent s, CancellationToken ct)
    {
        var stim = s.Stimulation;
        var what = $"{stim.Reagent} to {stim.Concentration} {stim.Unit}";
        if (stim.By == StimulationBy.Operator)
        {
            Log("operator.wait", new() { ["instruction"] = $"add {what}" });
            await _operator.ConfirmAsync($"Add {what} now, then confirm.", ct).ConfigureAwait(false);
        }
        else
        {
            var pump = _scope.LiquidHandler ?? throw new InvalidOperationException("the protocol adds a reagent but the microscope has no liquid handler");
            await _resilience.RunAsync(DeviceKind.LiquidHandler, c => pump.AddReagentAsync(new ReagentAddition(stim.Reagent, stim.Concentration, stim.Unit), c), ct)
                .ConfigureAwait(false);
        }
        // Time zero is when the reagent went in; everything planned after it keeps its distance from that moment.
        var shift = _scope.Clock.Now - (run.Start + s.DueAt);
        if (!s.AfterTimeZero) run.Queue.Timeline.MarkTimeZero(shift > TimeSpan.Zero ? shift : TimeSpan.Zero);
        _log.LogInformation("Stimulation: {What} by {By}; time zero at {Now}", what, stim.By, _scope.Clock.Now - run.Start);
        Log("stimulation", new()
        {
            ["reagent"] = stim.Reagent, ["concentration"] = stim.Concentration, ["unit"] = stim.Unit,
            ["by"] = stim.By.ToString(), ["time_zero_shift_s"] = run.TimeZeroShift.TotalSeconds,
        });
    }

    /// <summary>False when no target could be chosen and the step was skipped.</summary>
    private async Task<bool> BleachAsync(RunState run, BleachEvent b, CancellationToken ct)
    {
        var targeter = _scope.PhotoTargeter ?? throw new InvalidOperationException("the protocol bleaches but the microscope has no photo-targeter");
        var region = b.Frap.Target switch
        {
            FrapRoiTarget roi => roi.Region,
            FrapAnalysisTarget => TargetChooser?.Choose(b),
            _ => null,
        };
        if (region is null)
        {
            run.BleachesSkipped++;
            _log.LogWarning("FRAP step {Step}: no target to bleach; skipped", b.Frap.Name);
            Log("bleach.skipped", new() { ["step"] = b.Frap.Name, ["reason"] = "no target chosen" });
            return false;
        }
        await MoveToAsync(run, b.PositionIndex, b.Position, 0, ct).ConfigureAwait(false);
        var settings = new BleachSettings(TimeSpan.FromMilliseconds(b.Frap.DwellMs), b.Frap.PowerFraction);
        try
        {
            await _resilience.RunAsync(DeviceKind.PhotoTargeter, c => targeter.BleachAsync(region, settings, c), ct).ConfigureAwait(false);
        }
        catch (DeviceLimitException e)
        {
            // Refused before or while firing (a target beyond the galvo's reach): nothing unsafe happened, so the run
            // goes on without this bleach. The finally below still turns the laser off.
            run.BleachesSkipped++;
            _log.LogWarning("FRAP step {Step}: the photo-targeter refused the bleach ({Error}); skipped", b.Frap.Name, e.Message);
            Log("bleach.skipped", new() { ["step"] = b.Frap.Name, ["reason"] = e.Message });
            return false;
        }
        finally
        {
            // The laser goes off whatever the call did; a half-finished bleach must not leave it firing.
            await targeter.MakeSafeAsync(CancellationToken.None).ConfigureAwait(false);
        }
        // Centre and radius in camera pixels as numbers: FRAP analysis of the saved run reads them back.
        var (x, y, radius) = region switch
        {
            BleachCircle c => (c.Centre.X, c.Centre.Y, c.RadiusPx),
            BleachPoint p => (p.Centre.X, p.Centre.Y, targeter.SpotDiameterPx / 2),
            BleachPolygon poly => (poly.Vertices.Average(v => v.X), poly.Vertices.Average(v => v.Y), double.NaN),
            _ => (double.NaN, double.NaN, double.NaN),
        };
        Log("bleach", new()
        {
            ["step"] = b.Frap.Name, ["position"] = b.Position.Name, ["region"] = region.ToString(),
            ["x_px"] = x, ["y_px"] = y, ["radius_px"] = radius, ["pre_bleach_frames"] = b.Frap.PreBleachFrames,
            ["dwell_ms"] = b.Frap.DwellMs, ["power"] = b.Frap.PowerFraction, ["local_pool"] = b.Frap.LocalPool,
        });
        return true;
    }
}
