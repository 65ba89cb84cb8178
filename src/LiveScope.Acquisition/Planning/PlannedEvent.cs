using LiveScope.Acquisition.Protocols;

namespace LiveScope.Acquisition.Planning;

/// <summary>
/// One step of a run, due at <see cref="DueAt"/> on the run's timeline (run start = 0; events after stimulation shift
/// with the actual moment of stimulation). Events due at the same time run in sequence order.
/// </summary>
public abstract record PlannedEvent
{
    public required TimeSpan DueAt { get; init; }
    /// <summary>Tie-breaker and identity: the order the planner (or the adaptive controller) produced events in.</summary>
    public long Sequence { get; init; }
    /// <summary>Name of the protocol phase this event belongs to.</summary>
    public required string Phase { get; init; }
    /// <summary>True for events after the stimulation: they move with the actual time zero.</summary>
    public bool AfterTimeZero { get; init; }
}

/// <summary>Acquire one plane: move (if needed), set channel and focus offset, expose, hand the frame on.</summary>
public sealed record FrameEvent : PlannedEvent
{
    public required int TimeIndex { get; init; }
    public required int PositionIndex { get; init; }
    public required PositionSpec Position { get; init; }
    public required int ChannelIndex { get; init; }
    public required ChannelSpec Channel { get; init; }
    public required int ZIndex { get; init; }
    public double ZOffsetUm { get; init; }
    /// <summary>
    /// Set on frames that form a series of their own (own file, own T axis): a FRAP step's pre-bleach and recovery
    /// frames (the step's name), or a z-stack the adaptive controller asked for. Null for the position's regular frames.
    /// </summary>
    public string? Series { get; init; }
}

public sealed record AutofocusEvent : PlannedEvent
{
    public required int PositionIndex { get; init; }
    public required PositionSpec Position { get; init; }
}

/// <summary>Add a reagent; marks time zero. With an operator, the run pauses until they confirm.</summary>
public sealed record StimulationEvent : PlannedEvent
{
    public required StimulationPhaseSpec Stimulation { get; init; }
}

/// <summary>Bleach at one position (region from the protocol, or chosen by analysis when the event runs).</summary>
public sealed record BleachEvent : PlannedEvent
{
    public required FrapSpec Frap { get; init; }
    public required int PositionIndex { get; init; }
    public required PositionSpec Position { get; init; }
}
