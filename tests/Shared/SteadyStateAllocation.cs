namespace LiveScope.Testing;

/// <summary>
/// Measures what a warm step allocates on the calling thread. Linked into every test project by Directory.Build.props.
/// </summary>
internal static class SteadyStateAllocation
{
    /// <summary>
    /// Runs each window in turn and returns the fewest bytes any one of them allocated on this thread. Every window
    /// runs, so what the test checks afterwards does not depend on which window came out clean.
    /// </summary>
    /// <remarks>
    /// Why not one window: while a process is young, the runtime's tiered compilation now and then charges 2–8 KB to
    /// a thread that allocated nothing (within one 8 KB allocation context; it happened inside a blocking wait as well
    /// as inside pure arithmetic). Measured on fresh two-worker detectors, 300–600 of them per run: 4–13 were charged
    /// with tiering on, none with DOTNET_TC_CallCounting=0 or DOTNET_TieredCompilation=0, and one detector kept
    /// 20 000 frames allocated 0 B after its first. CI failed on it once. Code that really allocates per frame or per
    /// call does so in every window, so the least over a few windows still catches it.
    /// </remarks>
    public static long LeastOf(params Action[] windows)
    {
        long least = long.MaxValue;
        foreach (var window in windows)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            window();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }

    /// <summary>The least of <paramref name="count"/> windows; window <c>i</c> is <c>window(i)</c>.</summary>
    public static long LeastOf(int count, Action<int> window)
    {
        var windows = new Action[count];
        for (int i = 0; i < count; i++)
        {
            int index = i;
            windows[i] = () => window(index);
        }
        return LeastOf(windows);
    }
}
