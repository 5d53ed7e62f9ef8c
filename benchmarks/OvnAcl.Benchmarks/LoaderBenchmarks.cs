using BenchmarkDotNet.Attributes;
using OvnAcl.Kubernetes;

namespace OvnAcl.Benchmarks;

/// <summary>
/// The loader on a JSON List of 10,000 pods, 1,000 policies and 100 namespaces in a file (<see cref="ClusterDumps"/>):
/// plain, and shaped as a live <c>kubectl get -o json</c> dump; the fast way (the default) beside the careful way
/// it falls back to (<see cref="KubernetesLoadOptions.JsonFastPath"/> false, which is how every JSON object was read
/// before). Reading the file is included, as for a user.
/// </summary>
[MemoryDiagnoser]
public class Load
{
    private static readonly KubernetesLoadOptions Careful = KubernetesLoadOptions.Default with { JsonFastPath = false };

    private string _file = "";

    [Params(false, true)]
    public bool KubectlShaped { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _file = Path.Combine(Path.GetTempPath(), $"ovnacl-load-{Environment.ProcessId}-{KubectlShaped}.json");
        File.WriteAllBytes(_file, ClusterDumps.Json(SyntheticClusters.Kubernetes(namespaces: 100, policies: 1_000, pods: 10_000), KubectlShaped));
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_file);

    [Benchmark(Baseline = true)]
    public Task<KubernetesInput> CarefulWay() => KubernetesInputLoader.LoadAsync([_file], Careful);

    [Benchmark]
    public Task<KubernetesInput> FastWay() => KubernetesInputLoader.LoadAsync([_file]);
}
