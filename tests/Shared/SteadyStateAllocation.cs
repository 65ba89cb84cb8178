namespace LiveScope.Testing;

/// <summary>
/// Measures what a warm step allocates on the calling thread. Linked into every test project by Directory.Build.props.
/// </summary>
internal static class SteadyStateAllocation
{
    /// <summary>
    /// Runs <c>window(0)</c> … <c>window(count − 1)</c> in turn and returns the fewest bytes any one of them allocated
    /// on this thread. Every window runs, so what a test checks afterwards does not depend on which one came out clean.
    /// </summary>
    /// <remarks>
    /// Why not one window: while a process is young, the runtime's tiered compilation now and then charges a few KB
    /// (2–6 KB seen) to a thread that allocated nothing, inside a blocking wait as well as inside plain arithmetic.
    /// Measured on fresh two-worker detectors, 300–600 of them per run: 4–13 were charged with tiering on, none with
    /// DOTNET_TC_CallCounting=0 or DOTNET_TieredCompilation=0, and one detector kept for 20 000 frames allocated 0 B
    /// after its first. CI failed on it once. Code that really allocates per frame or per call does so in every
    /// window, so the least of a few still catches it.
    /// </remarks>
    public static long LeastOf(int count, Action<int> window)
    {
        long least = long.MaxValue;
        for (int i = 0; i < count; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            window(i);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
