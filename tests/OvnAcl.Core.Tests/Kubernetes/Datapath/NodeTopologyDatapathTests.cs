using System.Net;
using OvnAcl.Acl;
using OvnAcl.Core.Tests.Kubernetes.Ovn;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound.Formatting;
using OvnAcl.Ovsdb;
using OvnAcl.Testing;
using Xunit.Abstractions;

namespace OvnAcl.Core.Tests.Kubernetes.Datapath;

/// <summary>
/// ovn-kubernetes' routed topology on real hypervisors, as <see cref="NodeTopologyOvnTests"/> traces it: one logical
/// switch per node (worker-1 bound on hv1, worker-2 on hv2) joined by <c>ovn_cluster_router</c>, each with its
/// management port <c>k8s-&lt;node&gt;</c> and a pod, in a default-deny namespace or an open one. Real TCP SYNs, over IPv4
/// and IPv6, on one switch and routed through the distributed router across geneve, arrive exactly where the decision
/// engine (offline and over the live NB) and ovn-trace say: each node reaches its own pod and is reached by it, the
/// other node and the other pod do not.
/// </summary>
[Collection(FixtureCollections.OvnChassis)]
public sealed class NodeTopologyDatapathTests(OvnChassisFixture fixture, ITestOutputHelper output) : IDisposable
{
    private static readonly TwoNodeTopology Topology = new(245);
    private readonly SandboxDirectory _scratch = SandboxDirectory.Create("node-datapath");
    private int _sourcePort = 30000;

    public void Dispose() => _scratch.Dispose();

    private static string ChassisOf(TwoNodeTopology.Port port) => port.Node == 1 ? "hv1" : "hv2";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Routed_packets_arrive_where_explain_and_ovn_trace_say(bool open)
    {
        var sandbox = fixture.Sandbox;
        var ports = Topology.Ports;
        var args = Topology.NbctlArguments(mayExist: true);

        await sandbox.Central.RunNbctlAsync(args);
        await sandbox.BindPortsAsync(ports.Select(p => (p.Lsp, ChassisOf(p))));

        var result = KubernetesCompiler.Compile(Topology.Input(open), KubernetesCompileOptions.Default with { NodeAddressSource = NodeAddressSource.OvnKubernetesManagementPort });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var rows = result.Rows!;
        await OvsdbTool.TransactAsync(sandbox.Central.NbRemote,
            """["OVN_Northbound",{"op":"delete","table":"Port_Group","where":[]},{"op":"delete","table":"Address_Set","where":[]}]""");
        var script = Path.Combine(_scratch.Path, "rows.sh");
        await File.WriteAllTextAsync(script, NorthboundFormatter.Format(rows, NorthboundFormat.Nbctl));
        await OvsdbTool.RunAsync("sh", [script, "--db=" + sandbox.Central.NbRemote]);
        await sandbox.WaitForChassisSyncAsync();
        await sandbox.FlushConntrackAsync();

        var view = AclPolicyView.FromRows(Topology.OfflineRows(rows));
        Assert.Empty(view.Diagnostics);
        var engine = new AclDecisionEngine(view);
        await using var client = new OvsdbClient(sandbox.Central.NbRemote, OvsdbClientOptions.Default with { Tables = AclPolicyView.MonitoredTables });
        await client.StartAsync();
        var live = new AclDecisionEngine(AclPolicyView.FromReplica(client.Replica));

        var checks = new List<(TwoNodeTopology.Port From, TwoNodeTopology.Port To, bool Ipv6, bool Expected, bool Engine, bool Live, bool Trace, DatapathPacket Packet)>();
        foreach (var ipv6 in new[] { false, true })
        {
            foreach (var (from, to, denyAllows) in Topology.DefaultDenyExpectations)
            {
                var decision = engine.Decide(from.Lsp, to.Lsp, AclPacketFactory.Create(view, from.Lsp, to.Lsp, AclProtocol.Tcp, 8080, ipv6));
                var liveDecision = live.Decide(from.Lsp, to.Lsp, AclPacketFactory.Create(live.View, from.Lsp, to.Lsp, AclProtocol.Tcp, 8080, ipv6));
                var trace = await sandbox.Central.RunTraceAsync(from.Switch, Topology.Microflow(from, to, ipv6), ["--no-friendly-names", "--ct=new", "--ct=new", "--ct=new", "--ct=new", "--minimal"]);
                checks.Add((from, to, ipv6, open || denyAllows, decision.Verdict == AclVerdict.Allow, liveDecision.Verdict == AclVerdict.Allow,
                    trace.Contains($"output(\"{to.Lsp}\");", StringComparison.Ordinal), Packet(from, to, ipv6)));
            }
        }

        var delivered = (await sandbox.SendAsync([.. checks.Select(c => new DatapathProbe(c.From.Lsp, c.To.Lsp, c.Packet))])).ToArray();

        // A datapath verdict against the expectation must survive a second packet (fresh source port) before it counts.
        var suspects = Enumerable.Range(0, checks.Count).Where(i => delivered[i] != checks[i].Expected).ToList();
        if (suspects.Count > 0)
        {
            await sandbox.FlushConntrackAsync();
            var again = await sandbox.SendAsync([.. suspects.Select(i => new DatapathProbe(checks[i].From.Lsp, checks[i].To.Lsp,
                checks[i].Packet with { SourcePort = Interlocked.Increment(ref _sourcePort) }))]);
            for (var k = 0; k < suspects.Count; k++)
            {
                output.WriteLine($"{checks[suspects[k]].From.Lsp} -> {checks[suspects[k]].To.Lsp}: datapath {delivered[suspects[k]]}, sent again: {again[k]}");
                delivered[suspects[k]] = again[k];
            }
        }

        var disagreements = new List<string>();
        for (var i = 0; i < checks.Count; i++)
        {
            var c = checks[i];
            var routed = c.From.Switch != c.To.Switch;
            output.WriteLine($"{c.From.Lsp} -> {c.To.Lsp} {(c.Ipv6 ? "IPv6" : "IPv4")} ({(routed ? "routed" : "one switch")}, {(ChassisOf(c.From) == ChassisOf(c.To) ? "one chassis" : "across geneve")}): " +
                             $"datapath {(delivered[i] ? "delivered" : "dropped")}, ovn-trace {(c.Trace ? "delivered" : "dropped")}, engine {(c.Engine ? "allow" : "deny")}, expected {(c.Expected ? "allow" : "deny")}");
            if (delivered[i] != c.Expected || c.Trace != c.Expected || c.Engine != c.Expected || c.Live != c.Expected)
            {
                var chassis = sandbox.ChassisOf(c.From.Lsp);
                disagreements.Add($"{c.From.Lsp} -> {c.To.Lsp} {(c.Ipv6 ? "IPv6" : "IPv4")}: expected {c.Expected}, datapath {delivered[i]}, ovn-trace {c.Trace}, engine {c.Engine}, live {c.Live}\n" +
                                  await chassis.TraceAsync(chassis.VifOf(c.From.Lsp), c.Packet));
            }
        }

        Assert.True(disagreements.Count == 0, string.Join("\n\n", disagreements.Take(2)) + "\n" + NorthboundFormatter.Format(rows, NorthboundFormat.Table));
        Assert.Contains(delivered, d => d);
    }

    private DatapathPacket Packet(TwoNodeTopology.Port from, TwoNodeTopology.Port to, bool ipv6) => new()
    {
        Protocol = DatapathProtocol.Tcp,
        EthSrc = from.Mac,
        EthDst = Topology.NextHopMac(from, to),
        IpSrc = IPAddress.Parse(ipv6 ? from.Ip6 : from.Ip4),
        IpDst = IPAddress.Parse(ipv6 ? to.Ip6 : to.Ip4),
        SourcePort = Interlocked.Increment(ref _sourcePort),
        DestinationPort = 8080,
    };
}
