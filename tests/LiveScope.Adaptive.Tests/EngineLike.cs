using LiveScope.Acquisition.Engine;
using LiveScope.Acquisition.Planning;

namespace LiveScope.Adaptive.Tests;

/// <summary>Takes events from a queue the way the engine does, so a cadence attached to it queues the rest as it goes.</summary>
internal static class EngineLike
{
    public static List<PlannedEvent> TakeAll(EventQueue queue, int max = int.MaxValue)
    {
        var taken = new List<PlannedEvent>();
        while (taken.Count < max && queue.TryPeek(out var head))
        {
            queue.TryTake(head).Should().BeTrue();
            taken.Add(head);
        }
        return taken;
    }
}
