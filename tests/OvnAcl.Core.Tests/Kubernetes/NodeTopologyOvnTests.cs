using OvnAcl.Acl;
using OvnAcl.Core.Tests.Kubernetes.Ovn;
using OvnAcl.Explain;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound.Formatting;
using OvnAcl.Ovsdb;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.Core.Tests.Kubernetes;

/// <summary>
/// The node allowance in ovn-kubernetes' topology on real OVN: one logical switch per node (its subnet
/// <c>10.244.N.0/24</c> + <c>fd00:10:244:N::/64</c>), joined by <c>ovn_cluster_router</c> through <c>rtos-</c>/<c>stor-</c>
/// port pairs, a management port <c>k8s-&lt;node&gt;</c> on each switch holding the subnet's second address (the
/// address the kubelet's probes leave the node with), and a pod per node in a default-deny namespace. ovn-northd's
/// flows traced by ovn-trace, over IPv4 and IPv6, and the decision engine over the same rows, say the same: each pod's
/// own node reaches it and is reached by it; the other node, routed through the cluster router, is not; pod to pod is
/// denied.
/// </summary>
[Collection(FixtureCollections.OvnSandbox)]
public sealed class NodeTopologyOvnTests(OvnSandboxFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const string Vip = "10.96.0.10:8080";
    private static readonly TwoNodeTopology Topology = new(244);
    private readonly SandboxDirectory _scratch = SandboxDirectory.Create("node-topology");

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Each_node_reaches_its_own_pods_through_default_deny_and_not_the_other_nodes_pods(bool open)
    {
        var sandbox = fixture.Sandbox;
        await sandbox.ResetAsync();
        var (mgmt1, mgmt2, web, api) = (Topology.Mgmt1, Topology.Mgmt2, Topology.Web, Topology.Api);
        var args = Topology.NbctlArguments();

        // A Service as ovn-kubernetes writes it: one load balancer on every node switch, a backend on each node.
        args.AddRange(["--", "lb-add", "svc_shop_app", Vip, $"{web.Ip4}:8080,{api.Ip4}:8080", "tcp", "--", "ls-lb-add", "worker-1", "svc_shop_app", "--", "ls-lb-add", "worker-2", "svc_shop_app"]);
        await sandbox.RunNbctlAsync(args);

        var result = KubernetesCompiler.Compile(Topology.Input(open), KubernetesCompileOptions.Default with { NodeAddressSource = NodeAddressSource.OvnKubernetesManagementPort });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var rows = result.Rows!;
        var script = Path.Combine(_scratch.Path, "rows.sh");
        await File.WriteAllTextAsync(script, NorthboundFormatter.Format(rows, NorthboundFormat.Nbctl));
        await OvsdbTool.RunAsync("sh", [script, "--db=" + sandbox.NbRemote]);
        await sandbox.WaitForNorthdSyncAsync();

        // The engine sees the same rows and topology: each switch's ports and router port, the router joining them.
        var view = AclPolicyView.FromRows(Topology.OfflineRows(rows));
        Assert.Empty(view.Diagnostics);
        var engine = new AclDecisionEngine(view);

        // And as live explain reads it: the NB's switches, router ports and Logical_Router rows.
        await using var client = new OvsdbClient(sandbox.NbRemote, OvsdbClientOptions.Default with { Tables = AclPolicyView.MonitoredTables });
        await client.StartAsync();
        var live = new AclDecisionEngine(AclPolicyView.FromReplica(client.Replica));
        var routed = live.Decide(mgmt2.Lsp, web.Lsp, AclPacketFactory.Create(live.View, mgmt2.Lsp, web.Lsp, AclProtocol.Tcp, 8080, false));
        Assert.Equal(("worker-2", "worker-1", TwoNodeTopology.Router), (routed.Switch, routed.ToSwitch, routed.Router));
        Assert.Contains("(switch worker-2 through router ovn_cluster_router to switch worker-1)", AclDecisionReport.ToText(routed), StringComparison.Ordinal);
        Assert.Equal(["worker-2", "worker-2", "worker-2", "worker-1", "worker-1", "worker-1"], routed.Stages.Select(st => st.Switch));

        // Through the VIP from worker-1's management port: the backend on worker-1 is its own node's pod, the one on
        // worker-2 is reached through the router and decided there, on the DNATed packet, as ovn-trace --lb-dst says.
        var balanced = live.TryDecideThroughLoadBalancer(mgmt1.Lsp, "10.96.0.10", AclProtocol.Tcp, 8080);
        Assert.NotNull(balanced);
        foreach (var backend in balanced.Backends)
        {
            var decision = Assert.IsType<AclDecision>(backend.Decision);
            var target = backend.Port == web.Lsp ? web : api;
            Assert.Equal(target == api ? "worker-2" : null, decision.ToSwitch);
            var flow = $"inport == \"{mgmt1.Lsp}\" && eth.src == {mgmt1.Mac} && eth.dst == {Topology.Mac(1, 1)} && ip4.src == {mgmt1.Ip4} && ip4.dst == 10.96.0.10 && ip.ttl == 64 && tcp && tcp.src == 40000 && tcp.dst == 8080";
            var trace = await sandbox.RunTraceAsync(mgmt1.Switch, flow, ["--no-friendly-names", $"--lb-dst={target.Ip4}:8080", "--ct=new", "--ct=new", "--ct=new", "--ct=new", "--minimal"]);
            var delivered = trace.Contains($"output(\"{target.Lsp}\");", StringComparison.Ordinal);
            output.WriteLine($"{mgmt1.Lsp} -> {Vip} -> {target.Lsp}: ovn-trace {(delivered ? "delivered" : "dropped")}, engine {decision.Verdict}");
            Assert.True(delivered == (decision.Verdict == AclVerdict.Allow), trace + "\n" + AclDecisionReport.ToText(decision));
            Assert.Equal(open || target == web, delivered);
        }

        // node/NAME, as live explain takes it: the port holding the node's address, named as the resident node.
        Assert.Equal(mgmt1.Lsp, NodeEndpoints.ResolvePort(live.View, "node/worker-1", ipv6: false));
        Assert.Equal(mgmt2.Lsp, NodeEndpoints.ResolvePort(live.View, "node/worker-2", ipv6: true));
        Assert.Equal(web.Lsp, NodeEndpoints.ResolvePort(live.View, web.Lsp, ipv6: false));
        Assert.Contains("no node 'worker-9'", Assert.Throws<OvnAclException>(() => NodeEndpoints.ResolvePort(live.View, "node/worker-9", false)).Message, StringComparison.Ordinal);
        var probe = NorthboundExplainer.Explain(client.Replica, "node/worker-1", web.Lsp, AclProtocol.Tcp, 8080);
        Assert.Equal((mgmt1.Lsp, web.Lsp), (probe.Decision!.FromPort, probe.Decision.ToPort));
        var report = probe.ToText();
        Assert.True(open || report.Contains("resident node worker-1, always allowed", StringComparison.Ordinal), report);

        var disagreements = new List<string>();
        foreach (var ipv6 in new[] { false, true })
        {
            foreach (var (from, to, denyAllows) in Topology.DefaultDenyExpectations)
            {
                var allowed = open || denyAllows;
                var flow = Topology.Microflow(from, to, ipv6);
                var trace = await sandbox.RunTraceAsync(from.Switch, flow, ["--no-friendly-names", "--ct=new", "--ct=new", "--ct=new", "--ct=new", "--minimal"]);
                var delivered = trace.Contains($"output(\"{to.Lsp}\");", StringComparison.Ordinal);
                var decision = engine.Decide(from.Lsp, to.Lsp, AclPacketFactory.Create(view, from.Lsp, to.Lsp, AclProtocol.Tcp, 8080, ipv6));
                var liveDecision = live.Decide(from.Lsp, to.Lsp, AclPacketFactory.Create(live.View, from.Lsp, to.Lsp, AclProtocol.Tcp, 8080, ipv6));
                var engineAllows = decision.Verdict == AclVerdict.Allow && liveDecision.Verdict == AclVerdict.Allow;
                output.WriteLine($"{from.Lsp} -> {to.Lsp} {(ipv6 ? "IPv6" : "IPv4")}: ovn-trace {(delivered ? "delivered" : "dropped")}, engine {decision.Verdict}, expected {(allowed ? "allow" : "deny")}");
                if (delivered != allowed || engineAllows != allowed || (liveDecision.Verdict == AclVerdict.Allow) != allowed)
                {
                    var detailed = await sandbox.RunTraceAsync(from.Switch, flow, ["--no-friendly-names", "--ct=new", "--ct=new", "--ct=new", "--ct=new", "--detailed"]);
                    disagreements.Add($"{from.Lsp} -> {to.Lsp} {(ipv6 ? "IPv6" : "IPv4")}: expected {(allowed ? "allow" : "deny")}, ovn-trace {(delivered ? "allow" : "deny")}, engine {decision.Verdict}\n{flow}\n{detailed}");
                }
            }
        }

        Assert.True(disagreements.Count == 0, string.Join("\n\n", disagreements.Take(2)) + "\n" + NorthboundFormatter.Format(rows, NorthboundFormat.Table));
    }
}
