using BenchmarkDotNet.Running;
using LiveScope.Benchmarks;

// `timing` runs the engine's timing-accuracy measurement (a 30 s run on the real clock); anything else goes to
// BenchmarkDotNet, each area keeping its benchmarks in its own file here; pick with --filter, e.g.
//   dotnet run -c Release --project bench/LiveScope.Benchmarks -- --filter '*Render*'
if (args.Length > 0 && args[0] == "timing")
{
    await TimingAccuracy.RunAsync();
    return;
}
// `replay` replays a 2048² recording at 100 fps through engine, analysis and OME-TIFF writer into byte-counting sinks;
// `replay-disk` measures the fastest rate the same writer sustains to a real file (see ReplayThroughput.cs).
if (args.Length > 0 && args[0] is "replay" or "replay-disk")
{
    var options = ReplayBenchOptions.Parse(args[1..]);
    if (args[0] == "replay") await ReplayThroughput.RunAsync(options);
    else await ReplayThroughput.RunDiskAsync(options);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
