namespace OvnAcl.Benchmarking;

/// <summary>
/// The Python scripts the benchmarks run: the ovsdbapp peers (<c>benchmarks/peers</c>) and the plots
/// (<c>benchmarks/plots</c>), which the build copies next to this assembly into <c>peers/</c> and <c>plots/</c>. Found
/// from where the bench assembly is, never by searching the current directory, so that what runs is what was built.
/// </summary>
internal static class PeerScripts
{
    /// <summary>The directory holding this assembly (and, once built, <c>peers/</c> and <c>plots/</c>).</summary>
    public static string BaseDirectory { get; } =
        Path.GetDirectoryName(typeof(PeerScripts).Assembly.Location) is { Length: > 0 } directory ? directory : AppContext.BaseDirectory;

    /// <summary><c>peers/ovsdbapp_churn.py</c>: ovsdbapp committing the churn's events.</summary>
    public static string OvsdbappChurn => Path.Combine(BaseDirectory, "peers", "ovsdbapp_churn.py");

    /// <summary><c>peers/ovsdbapp_sync.py</c>: ovsdbapp's IDL synchronizing the whole database.</summary>
    public static string OvsdbappSync => Path.Combine(BaseDirectory, "peers", "ovsdbapp_sync.py");

    /// <summary><c>plots/NAME</c>, e.g. <c>churn_plot.py</c>.</summary>
    public static string Plot(string name) => Path.Combine(BaseDirectory, "plots", name);

    /// <summary>Returns <paramref name="path"/> if the script is there; otherwise throws naming it.</summary>
    /// <exception cref="BenchmarkException">The script is missing.</exception>
    public static string Require(string path) => File.Exists(path)
        ? path
        : throw new BenchmarkException(
            $"the benchmark script {path} does not exist (the build copies benchmarks/peers/*.py and benchmarks/plots/*.py next to OvnAcl.Bench.dll)");
}
