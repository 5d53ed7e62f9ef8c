using BenchmarkDotNet.Running;
using OvnAcl.Benchmarks;

// `write-cluster` writes the input of the whole-process compile figures (docs/benchmarks.md); anything else is BenchmarkDotNet's.
if (args is ["write-cluster", ..])
{
    return ClusterDumps.Write(args);
}

// `restart` times a controller's restart against an NB that holds the rows already (docs/benchmarks.md).
if (args is ["restart", ..])
{
    return await LibraryRestart.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(ClusterDumps).Assembly).Run(args);
return 0;
