using System.Globalization;
using System.Net;
using k8s.Models;
using OvnAcl.Acl;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound;
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
    private const string Router = "ovn_cluster_router";
    private readonly SandboxDirectory _scratch = SandboxDirectory.Create("node-datapath");
    private int _sourcePort = 30000;

    public void Dispose() => _scratch.Dispose();

    private sealed record Port(string Lsp, string Switch, string Mac, string Ip4, string Ip6)
    {
        public string Addresses => $"{Mac} {Ip4} {Ip6}";

        public string Chassis => Switch == "worker-1" ? "hv1" : "hv2";
    }

    private static string Mac(int node, int host) => string.Create(CultureInfo.InvariantCulture, $"0a:58:0a:f5:{node:x2}:{host:x2}");

    private static Port Host(string lsp, int node, int host) => new(lsp, "worker-" + node, Mac(node, host),
        string.Create(CultureInfo.InvariantCulture, $"10.245.{node}.{host}"), string.Create(CultureInfo.InvariantCulture, $"fd00:10:245:{node}::{host:x}"));

    private const string DefaultDeny = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny, namespace: shop}
        spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
        """;

    private const string AllowAll = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: open, namespace: shop}
        spec: {podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{}], egress: [{}]}
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Routed_packets_arrive_where_explain_and_ovn_trace_say(bool open)
    {
        var sandbox = fixture.Sandbox;
        var mgmt1 = Host("k8s-worker-1", 1, 2);
        var mgmt2 = Host("k8s-worker-2", 2, 2);
        var web = Host("shop_web", 1, 5);
        var api = Host("shop_api", 2, 5);
        Port[] ports = [mgmt1, mgmt2, web, api];

        var args = new List<string> { "--may-exist", "lr-add", Router };
        foreach (var node in new[] { 1, 2 })
        {
            var name = "worker-" + node;
            var gateway = Host("rtos-" + name, node, 1);
            args.AddRange(["--", "--may-exist", "lrp-add", Router, gateway.Lsp, gateway.Mac, gateway.Ip4 + "/24", gateway.Ip6 + "/64"]);
            args.AddRange(["--", "--may-exist", "ls-add", name]);
            args.AddRange(["--", "--may-exist", "lsp-add", name, "stor-" + name, "--", "lsp-set-type", "stor-" + name, "router",
                "--", "lsp-set-addresses", "stor-" + name, "router", "--", "lsp-set-options", "stor-" + name, "router-port=" + gateway.Lsp]);
        }

        foreach (var port in ports)
        {
            args.AddRange(["--", "--may-exist", "lsp-add", port.Switch, port.Lsp, "--", "lsp-set-addresses", port.Lsp, port.Addresses]);
        }

        await sandbox.Central.RunNbctlAsync(args);
        await sandbox.BindPortsAsync(ports.Select(p => (p.Lsp, p.Chassis)));

        var input = K8s.Input(open ? AllowAll : DefaultDeny, [Pod("web", web, "worker-1"), Pod("api", api, "worker-2")])
            .Concat(KubernetesInput.FromObjects([], [], [], [Node("worker-1", 1), Node("worker-2", 2)]));
        var result = KubernetesCompiler.Compile(input, KubernetesCompileOptions.Default with { NodeAddressSource = NodeAddressSource.OvnKubernetesManagementPort });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var rows = result.Rows!;
        await OvsdbTool.TransactAsync(sandbox.Central.NbRemote,
            """["OVN_Northbound",{"op":"delete","table":"Port_Group","where":[]},{"op":"delete","table":"Address_Set","where":[]}]""");
        var script = Path.Combine(_scratch.Path, "rows.sh");
        await File.WriteAllTextAsync(script, NorthboundFormatter.Format(rows, NorthboundFormat.Nbctl));
        await OvsdbTool.RunAsync("sh", [script, "--db=" + sandbox.Central.NbRemote]);
        await sandbox.WaitForChassisSyncAsync();
        await sandbox.FlushConntrackAsync();

        var switches = new[] { 1, 2 }.Select(n => new LogicalSwitchRow("worker-" + n)
        {
            Ports = [.. ports.Where(p => p.Switch == "worker-" + n).Select(p => new LogicalSwitchPortRow(p.Lsp) { Addresses = [p.Addresses] }),
                new LogicalSwitchPortRow("stor-worker-" + n) { Type = "router", Addresses = ["router"], RouterPort = "rtos-worker-" + n }],
        }).ToArray();
        var view = AclPolicyView.FromRows(NorthboundAclRows.FromCompiled(rows, switches) with
        {
            Routers = [new LogicalRouterRow(Router) { Ports = ["rtos-worker-1", "rtos-worker-2"] }],
        });
        Assert.Empty(view.Diagnostics);
        var engine = new AclDecisionEngine(view);
        await using var client = new OvsdbClient(sandbox.Central.NbRemote, OvsdbClientOptions.Default with { Tables = AclPolicyView.MonitoredTables });
        await client.StartAsync();
        var live = new AclDecisionEngine(AclPolicyView.FromReplica(client.Replica));

        (Port From, Port To, bool Allowed)[] expectations =
        [
            (mgmt1, web, true),   // the kubelet on worker-1 probes its pod, on one chassis
            (mgmt2, api, true),
            (mgmt2, web, false),  // another node, routed and across geneve
            (mgmt1, api, false),
            (web, mgmt1, true),   // a pod reaches its own node
            (web, mgmt2, false),
            (api, mgmt1, false),
            (web, api, false),    // pod to pod, routed
            (api, web, false),
        ];
        var checks = new List<(Port From, Port To, bool Ipv6, bool Expected, bool Engine, bool Live, bool Trace, DatapathPacket Packet)>();
        foreach (var ipv6 in new[] { false, true })
        {
            foreach (var (from, to, denyAllows) in expectations)
            {
                var decision = engine.Decide(from.Lsp, to.Lsp, AclPacketFactory.Create(view, from.Lsp, to.Lsp, AclProtocol.Tcp, 8080, ipv6));
                var liveDecision = live.Decide(from.Lsp, to.Lsp, AclPacketFactory.Create(live.View, from.Lsp, to.Lsp, AclProtocol.Tcp, 8080, ipv6));
                var trace = await sandbox.Central.RunTraceAsync(from.Switch, Microflow(from, to, ipv6), ["--no-friendly-names", "--ct=new", "--ct=new", "--ct=new", "--ct=new", "--minimal"]);
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
            output.WriteLine($"{c.From.Lsp} -> {c.To.Lsp} {(c.Ipv6 ? "IPv6" : "IPv4")} ({(routed ? "routed" : "one switch")}, {(c.From.Chassis == c.To.Chassis ? "one chassis" : "across geneve")}): " +
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

    private DatapathPacket Packet(Port from, Port to, bool ipv6) => new()
    {
        Protocol = DatapathProtocol.Tcp,
        EthSrc = from.Mac,
        EthDst = from.Switch == to.Switch ? to.Mac : Mac(from.Switch[^1] - '0', 1),
        IpSrc = IPAddress.Parse(ipv6 ? from.Ip6 : from.Ip4),
        IpDst = IPAddress.Parse(ipv6 ? to.Ip6 : to.Ip4),
        SourcePort = Interlocked.Increment(ref _sourcePort),
        DestinationPort = 8080,
    };

    private static string Microflow(Port from, Port to, bool ipv6)
    {
        var node = from.Switch[^1] - '0';
        var dstMac = from.Switch == to.Switch ? to.Mac : Mac(node, 1);
        var family = ipv6 ? "ip6" : "ip4";
        var (src, dst) = ipv6 ? (from.Ip6, to.Ip6) : (from.Ip4, to.Ip4);
        return $"inport == \"{from.Lsp}\" && eth.src == {from.Mac} && eth.dst == {dstMac} && {family}.src == {src} && {family}.dst == {dst} && ip.ttl == 64 && tcp && tcp.src == 40000 && tcp.dst == 8080";
    }

    private static V1Pod Pod(string name, Port port, string node)
    {
        var pod = K8s.Pod("shop", name, "app=" + name, port.Ip4);
        pod.Status.PodIPs = [new V1PodIP { Ip = port.Ip4 }, new V1PodIP { Ip = port.Ip6 }];
        pod.Spec.NodeName = node;
        return pod;
    }

    private static V1Node Node(string name, int index) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Annotations = new Dictionary<string, string>
            {
                ["k8s.ovn.org/node-subnets"] = string.Create(CultureInfo.InvariantCulture, $$"""{"default":["10.245.{{index}}.0/24","fd00:10:245:{{index}}::/64"]}"""),
            },
        },
        Status = new V1NodeStatus { Addresses = [new V1NodeAddress { Type = "InternalIP", Address = string.Create(CultureInfo.InvariantCulture, $"172.18.0.{index + 1}") }] },
    };
}
