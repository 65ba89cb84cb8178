namespace LiveScope.Simulation.Devices;

/// <summary>What the simulated rig is doing that matters for safety, as a snapshot tests can inspect.</summary>
public readonly record struct SafetyState(
    bool LaserOn,
    bool ShutterOpen,
    bool Pumping,
    bool Streaming,
    double LightPowerFraction,
    int MakeSafeCalls,
    int LaserFirings)
{
    /// <summary>Laser off, shutter closed, pump stopped, camera not streaming.</summary>
    public bool IsSafe => !LaserOn && !ShutterOpen && !Pumping && !Streaming;
}
