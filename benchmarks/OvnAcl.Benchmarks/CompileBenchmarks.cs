using BenchmarkDotNet.Attributes;
using OvnAcl.Kubernetes;
using OvnAcl.Neutron;
using OvnAcl.Northbound;

namespace OvnAcl.Benchmarks;

/// <summary>
/// The compilers at scale: Kubernetes (100 namespaces, 1,000 policies, 1k/10k/100k pods; goal under 1 s and 1 GB at 10k
/// pods, linear in pods) and the Neutron translator (10,000 groups, 100,000 rules, 50,000 ports). Inputs are built in
/// <see cref="GlobalSetupAttribute"/>; the measured part is validation plus compilation.
/// </summary>
[MemoryDiagnoser]
public class Compile
{
    private KubernetesInput _kubernetes = KubernetesInput.Empty;
    private NeutronInput _neutron = NeutronInput.Empty;

    [Params(1_000, 10_000, 100_000)]
    public int Pods { get; set; }

    [GlobalSetup(Target = nameof(Kubernetes))]
    public void SetupKubernetes() => _kubernetes = SyntheticClusters.Kubernetes(namespaces: 100, policies: 1_000, pods: Pods);

    [GlobalSetup(Target = nameof(Neutron))]
    public void SetupNeutron() => _neutron = SyntheticClusters.Neutron(groups: 10_000, rules: 100_000, ports: 50_000);

    [Benchmark]
    public NorthboundRows Kubernetes() => KubernetesCompiler.CompileOrThrow(_kubernetes);

    /// <summary>Independent of <see cref="Pods"/>; BenchmarkDotNet runs it once per value all the same.</summary>
    [Benchmark]
    public NorthboundRows Neutron() => NeutronTranslator.Translate(_neutron).GetRowsOrThrow();
}
