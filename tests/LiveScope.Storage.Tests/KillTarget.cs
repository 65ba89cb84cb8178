using LiveScope.Core.Imaging;
using LiveScope.Storage.OmeTiff;

namespace LiveScope.Storage.Tests;

/// <summary>
/// Entry point of this test assembly when run as a program: <c>dotnet LiveScope.Storage.Tests.dll write-until-killed
/// PATH</c> streams seeded planes into PATH until the test kills it (kill -9), or a cap is reached.
/// </summary>
public static class KillTarget
{
    public const string Verb = "write-until-killed";
    public const int Width = 64, Height = 32, Seed = 11, MaxPlanes = 20_000;

    public static int Main(string[] args)
    {
        if (args.Length != 2 || args[0] != Verb)
        {
            Console.Error.WriteLine($"usage: {Verb} PATH");
            return 2;
        }
        var pool = new FramePool();
        var writer = OmeTiffWriter.Create(args[1], TestStacks.Description(MaxPlanes, 1, 1));
        for (int t = 0; t < MaxPlanes; t++)
        {
            using (var frame = TestStacks.Plane(pool, Width, Height, Seed, t, 0, 0, t)) writer.WritePlane(frame);
            if (t % 8 == 0) Thread.Sleep(1);
        }
        writer.Dispose();
        return 0;
    }
}
