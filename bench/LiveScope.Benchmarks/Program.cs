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
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
