using BenchmarkDotNet.Attributes;
using k8s.Models;
using OvnAcl.Kubernetes;
using OvnAcl.Reconciliation;

namespace OvnAcl.Benchmarks;

/// <summary>
/// One pod event through the incremental engine, at 1,000 and 100,000 pods (100 namespaces, 1,000 policies as in
/// <see cref="Compile"/>): a pod is added, then deleted, and the desired state's changes drained as the reconciler
/// drains them. Goal: the cost per event independent of the cluster's size (within 2x), allocation near zero.
/// </summary>
[MemoryDiagnoser]
public class PodEvent
{
    private KubernetesEngine _engine = null!;
    private DesiredState _desired = null!;
    private V1Pod _pod = null!;

    [Params(1_000, 100_000)]
    public int Pods { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _desired = new DesiredState("ovnacl");
        _engine = new KubernetesEngine(_desired);
        _engine.Load(SyntheticClusters.Kubernetes(namespaces: 100, policies: 1_000, pods: Pods));
        _desired.DrainChanges();

        // Shaped like the synthetic pods of namespace ns-007, with an address no other pod has.
        _pod = new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = "churn",
                NamespaceProperty = "ns-007",
                Labels = new Dictionary<string, string> { ["app"] = "app-3", ["tier"] = "0" },
            },
            Spec = new V1PodSpec
            {
                Containers =
                [
                    new V1Container
                    {
                        Name = "main",
                        Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }, new V1ContainerPort { Name = "dns", ContainerPort = 53, Protocol = "UDP" }],
                    },
                ],
            },
            Status = new V1PodStatus { Phase = "Running", PodIP = "10.99.0.1", PodIPs = [new V1PodIP { Ip = "10.99.0.1" }] },
        };
    }

    /// <summary>Two events: the add and the delete.</summary>
    [Benchmark(OperationsPerInvoke = 2)]
    public int AddThenDelete()
    {
        _engine.UpsertPod(_pod);
        var added = _desired.DrainChanges().Count;
        _engine.DeletePod("ns-007", "churn");
        return added + _desired.DrainChanges().Count;
    }

    /// <summary>
    /// A hundred events (fifty adds, each followed by the delete) and then one drain, as the reconciler works at a
    /// hundred events per transaction: the engine's cost per event, with the drain's (one list and one record per
    /// changed row, per transaction) spread over the events it covers. <see cref="AddThenDelete"/> drains after every
    /// event and stays as it is, so its figures compare with the recorded history.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 100)]
    public int AddThenDeleteDrainPer100()
    {
        for (var i = 0; i < 50; i++)
        {
            _engine.UpsertPod(_pod);
            _engine.DeletePod("ns-007", "churn");
        }

        return _desired.DrainChanges().Count;
    }
}
