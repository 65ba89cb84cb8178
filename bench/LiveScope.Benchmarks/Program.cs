using BenchmarkDotNet.Running;

// Each area keeps its benchmarks in its own file here; pick with --filter, e.g.
//   dotnet run -c Release --project bench/LiveScope.Benchmarks -- --filter '*Render*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
