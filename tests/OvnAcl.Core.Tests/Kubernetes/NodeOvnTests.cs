using k8s.Models;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound.Formatting;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests.Kubernetes;

/// <summary>
/// The node allowance on real OVN: a node switch with the node's management port (an LSP whose address is the node's
/// management IP, as ovn-kubernetes' <c>k8s-&lt;node&gt;</c>) and a pod in a default-deny namespace, plus a port
/// holding another node's management IP; ovn-northd's flows traced by ovn-trace.
/// </summary>
[Collection(FixtureCollections.OvnSandbox)]
public sealed class NodeOvnTests(OvnSandboxFixture fixture) : IDisposable
{
    private const string Switch = "ls_worker_1";
    private readonly SandboxDirectory _scratch = SandboxDirectory.Create("node-ovn");

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task The_pods_own_node_probes_it_and_another_node_is_denied()
    {
        var sandbox = fixture.Sandbox;
        await sandbox.ResetAsync();
        (string Lsp, string Mac, string Ip)[] ports =
        [
            ("k8s-worker-1", "0a:58:0a:f4:01:02", "10.244.1.2"),
            ("k8s-worker-2", "0a:58:0a:f4:02:02", "10.244.2.2"),
            ("shop_web", "0a:58:0a:f4:01:05", "10.244.1.5"),
        ];
        var args = new List<string> { "ls-add", Switch };
        foreach (var (lsp, mac, ip) in ports)
        {
            args.AddRange(["--", "lsp-add", Switch, lsp, "--", "lsp-set-addresses", lsp, mac + " " + ip]);
        }

        await sandbox.RunNbctlAsync(args);

        var pod = K8s.Pod("shop", "web", "app=web", "10.244.1.5");
        pod.Spec.NodeName = "worker-1";
        static V1Node Node(string name, string subnet) => new()
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta { Name = name, Annotations = new Dictionary<string, string> { ["k8s.ovn.org/node-subnets"] = $$"""{"default":["{{subnet}}"]}""" } },
        };

        var input = K8s.Input("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: shop}
            spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
            """, [pod]).Concat(KubernetesInput.FromObjects([], [], [], [Node("worker-1", "10.244.1.0/24"), Node("worker-2", "10.244.2.0/24")]));
        var rows = KubernetesCompiler.CompileOrThrow(input, KubernetesCompileOptions.Default with { NodeAddressSource = NodeAddressSource.OvnKubernetesManagementPort });
        var script = Path.Combine(_scratch.Path, "rows.sh");
        await File.WriteAllTextAsync(script, NorthboundFormatter.Format(rows, NorthboundFormat.Nbctl));
        await OvsdbTool.RunAsync("sh", [script, "--db=" + sandbox.NbRemote]);
        await sandbox.WaitForNorthdSyncAsync();

        string Probe(int from, int to) =>
            $"inport == \"{ports[from].Lsp}\" && eth.src == {ports[from].Mac} && eth.dst == {ports[to].Mac} && ip4.src == {ports[from].Ip} && ip4.dst == {ports[to].Ip} && ip.ttl == 64 && tcp && tcp.src == 40000 && tcp.dst == 8080";

        var (ownNode, ownTrace) = await sandbox.TraceNewConnectionAsync(Switch, Probe(0, 2), "shop_web");
        Assert.True(ownNode, ownTrace);
        var (otherNode, otherTrace) = await sandbox.TraceNewConnectionAsync(Switch, Probe(1, 2), "shop_web");
        Assert.False(otherNode, otherTrace);
        var (toOwnNode, toOwnTrace) = await sandbox.TraceNewConnectionAsync(Switch, Probe(2, 0), "k8s-worker-1");
        Assert.True(toOwnNode, toOwnTrace);
        var (toOtherNode, toOtherTrace) = await sandbox.TraceNewConnectionAsync(Switch, Probe(2, 1), "k8s-worker-2");
        Assert.False(toOtherNode, toOtherTrace);
    }
}
