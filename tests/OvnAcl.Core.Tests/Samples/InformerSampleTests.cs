using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using OvnAcl.Core.Tests.Kubernetes;
using OvnAcl.Core.Tests.Reconciliation;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;
using OvnAcl.Samples.Informer;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests.Samples;

/// <summary>
/// samples/informer end to end: KubernetesClient's list and watch against a fake API server holding the three-tier
/// sample, the engine, the reconciler, a real Northbound database. The database follows the cluster: first the sample,
/// then a pod added, a pod deleted and a policy changed through watch events.
/// </summary>
[Collection(FixtureCollections.StandaloneNb)]
public sealed class InformerSampleTests(StandaloneNbFixture fixture)
{
    [Fact]
    public async Task The_informer_sample_keeps_the_database_in_step_with_the_cluster()
    {
        var nb = fixture.Nb;
        await nb.ResetAsync();
        await ReconcilerHarness.AddThreeTierPortsAsync(nb.UnixRemote, "web-3");
        var input = await KubernetesInputLoader.LoadAsync([Path.Combine(Repository.Root, "samples", "kubernetes", "three-tier")]);
        var namespaces = input.Namespaces.Select(n => n.Object).ToList();
        var pods = input.Pods.Select(p => p.Object).ToDictionary(p => p.Metadata.Name);
        var policies = input.Policies.Select(p => p.Object).ToDictionary(p => p.Metadata.Name);

        await using var api = new FakeKubernetesApi();
        foreach (var item in namespaces.Cast<IKubernetesObject<V1ObjectMeta>>().Concat(pods.Values).Concat(policies.Values))
        {
            api.Put(item);
        }

        await using var northbound = new OvsdbClient(nb.UnixRemote, OvsdbClientOptions.Default with { Tables = AclReconciler.MonitoredTables() });
        await northbound.StartAsync(TimeSpan.FromSeconds(20));
        using var kubernetes = api.CreateClient();
        var controller = new AclController(kubernetes, northbound, "ovnacl", NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => controller.RunAsync(stop.Token));

        await ConvergedAsync(controller, nb.UnixRemote, namespaces, pods.Values, policies.Values);
        await WaitUntilAsync(() => api.Watchers == 4, "the four watches to start");

        // Watch events: a web pod added, another deleted, the web policy narrowed to port 8080.
        var web3 = K8s.Pod("three-tier", "web-3", "app=web", ["10.244.0.13", "fd00:10:244::13"]);
        api.Put(web3);
        pods["web-3"] = web3;
        api.Delete(pods["web-2"]);
        pods.Remove("web-2");
        var web = policies["web"];
        web.Spec.Ingress[0].Ports = [new V1NetworkPolicyPort { Port = 8080, Protocol = "TCP" }];
        api.Put(web);
        var rows = await ConvergedAsync(controller, nb.UnixRemote, namespaces, pods.Values, policies.Values);
        Assert.Contains("three-tier_web-3", rows.PolicyGroup("three-tier/web").Ports);
        Assert.DoesNotContain("three-tier_web-2", rows.PolicyGroup("three-tier/web").Ports);
        Assert.Contains("tcp.dst == 8080", Assert.Single(rows.PolicyGroup("three-tier/web").Acls).Match, StringComparison.Ordinal);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Waits until the controller wants the compile of these objects and the database holds exactly that.</summary>
    private static async Task<NorthboundRows> ConvergedAsync(AclController controller, string remote,
        IEnumerable<V1Namespace> namespaces, IEnumerable<V1Pod> pods, IEnumerable<V1NetworkPolicy> policies)
    {
        var expected = KubernetesCompiler.CompileOrThrow(KubernetesInput.FromObjects(policies, pods, namespaces));
        await WaitUntilAsync(() => controller.Desired.Snapshot() == expected, "the controller to want the compiled rows");
        var state = new DesiredState("ovnacl");
        state.Load(expected);
        await NbContents.EventuallyEqualAsync(remote, state, TimeSpan.FromSeconds(15));
        return expected;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(20);
        }
    }
}
