using LiveScope.Simulation.Options;
using LiveScope.Simulation.Random;

namespace LiveScope.Simulation.Devices;

/// <summary>Decides, reproducibly from the seed, whether a device call fails. Off unless faults are enabled.</summary>
public sealed class FaultInjector(FaultOptions options, long seed)
{
    private readonly object _gate = new();
    private Xoshiro _random = new((ulong)seed, 4);

    public FaultOptions Options { get; } = options;
    public long InjectedCameraTimeouts { get; private set; }
    public long InjectedStageErrors { get; private set; }

    public bool CameraTimesOut()
    {
        if (!Options.Enabled || Options.CameraTimeoutProbability <= 0) return false;
        lock (_gate)
        {
            bool fail = _random.NextDouble() < Options.CameraTimeoutProbability;
            if (fail) InjectedCameraTimeouts++;
            return fail;
        }
    }

    public bool StageFails()
    {
        if (!Options.Enabled || Options.StageErrorProbability <= 0) return false;
        lock (_gate)
        {
            bool fail = _random.NextDouble() < Options.StageErrorProbability;
            if (fail) InjectedStageErrors++;
            return fail;
        }
    }
}
