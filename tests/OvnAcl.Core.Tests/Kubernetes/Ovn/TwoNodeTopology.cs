using System.Globalization;
using k8s.Models;
using OvnAcl.Acl;
using OvnAcl.Kubernetes;
using OvnAcl.Northbound;

namespace OvnAcl.Core.Tests.Kubernetes.Ovn;

/// <summary>
/// ovn-kubernetes' routed topology for two nodes, shared by the ovn-trace and the datapath suites: one logical switch
/// per node (<c>10.&lt;net&gt;.N.0/24</c> + <c>fd00:10:&lt;net&gt;:N::/64</c>) joined by <c>ovn_cluster_router</c>
/// through <c>rtos-</c>/<c>stor-</c> port pairs, a management port <c>k8s-&lt;node&gt;</c> holding the subnet's second
/// address, and a pod per node (<c>shop/web</c> on worker-1, <c>shop/api</c> on worker-2). <paramref name="net"/> is
/// the second octet (and the MACs' fourth) so that two suites can use their own addresses.
/// </summary>
internal sealed class TwoNodeTopology(int net)
{
    public const string Router = "ovn_cluster_router";

    public const string DefaultDeny = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: deny, namespace: shop}
        spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
        """;

    /// <summary>Everything open: the routed paths deliver, so drops under default deny are the ACLs' and not the topology's.</summary>
    public const string AllowAll = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: open, namespace: shop}
        spec: {podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{}], egress: [{}]}
        """;

    public sealed record Port(string Lsp, string Switch, string Mac, string Ip4, string Ip6)
    {
        public string Addresses => $"{Mac} {Ip4} {Ip6}";

        public int Node => Switch[^1] - '0';
    }

    public Port Mgmt1 => Host("k8s-worker-1", 1, 2);

    public Port Mgmt2 => Host("k8s-worker-2", 2, 2);

    public Port Web => Host("shop_web", 1, 5);

    public Port Api => Host("shop_api", 2, 5);

    public IReadOnlyList<Port> Ports => [Mgmt1, Mgmt2, Web, Api];

    /// <summary>The default-deny expectations: each node and its own pod reach each other; across nodes nothing does.</summary>
    public IReadOnlyList<(Port From, Port To, bool Allowed)> DefaultDenyExpectations =>
    [
        (Mgmt1, Web, true),   // the kubelet on worker-1 probes its pod
        (Mgmt2, Api, true),
        (Mgmt2, Web, false),  // another node, routed through the cluster router
        (Mgmt1, Api, false),
        (Web, Mgmt1, true),   // a pod reaches its own node
        (Web, Mgmt2, false),
        (Api, Mgmt1, false),
        (Web, Api, false),    // pod to pod stays denied
        (Api, Web, false),
    ];

    public string Mac(int node, int host) => string.Create(CultureInfo.InvariantCulture, $"0a:58:0a:{net:x2}:{node:x2}:{host:x2}");

    public Port Host(string lsp, int node, int host) => new(lsp, "worker-" + node, Mac(node, host),
        string.Create(CultureInfo.InvariantCulture, $"10.{net}.{node}.{host}"), string.Create(CultureInfo.InvariantCulture, $"fd00:10:{net}:{node}::{host:x}"));

    /// <summary>The ovn-nbctl arguments that create the router, the switches and the ports (<c>--may-exist</c> when asked).</summary>
    public List<string> NbctlArguments(bool mayExist = false)
    {
        string[] may = mayExist ? ["--may-exist"] : [];
        List<string> args = [.. may, "lr-add", Router];
        foreach (var node in new[] { 1, 2 })
        {
            var name = "worker-" + node;
            var gateway = Host("rtos-" + name, node, 1);
            args.AddRange(["--", .. may, "lrp-add", Router, gateway.Lsp, gateway.Mac, gateway.Ip4 + "/24", gateway.Ip6 + "/64"]);
            args.AddRange(["--", .. may, "ls-add", name]);
            args.AddRange(["--", .. may, "lsp-add", name, "stor-" + name, "--", "lsp-set-type", "stor-" + name, "router",
                "--", "lsp-set-addresses", "stor-" + name, "router", "--", "lsp-set-options", "stor-" + name, "router-port=" + gateway.Lsp]);
        }

        foreach (var port in Ports)
        {
            args.AddRange(["--", .. may, "lsp-add", port.Switch, port.Lsp, "--", "lsp-set-addresses", port.Lsp, port.Addresses]);
        }

        return args;
    }

    /// <summary>The policy, the two pods (dual-stack, on their nodes) and the two Nodes (management-port addresses).</summary>
    public KubernetesInput Input(bool open) =>
        K8s.Input(open ? AllowAll : DefaultDeny, [Pod("web", Web, "worker-1"), Pod("api", Api, "worker-2")])
            .Concat(KubernetesInput.FromObjects([], [], [], [Node("worker-1", 1), Node("worker-2", 2)]));

    /// <summary>The compiled rows on this topology, as the offline decision engine sees them.</summary>
    public NorthboundAclRows OfflineRows(NorthboundRows rows)
    {
        var switches = new[] { 1, 2 }.Select(n => new LogicalSwitchRow("worker-" + n)
        {
            Ports = [.. Ports.Where(p => p.Node == n).Select(p => new LogicalSwitchPortRow(p.Lsp) { Addresses = [p.Addresses] }),
                new LogicalSwitchPortRow("stor-worker-" + n) { Type = "router", Addresses = ["router"], RouterPort = "rtos-worker-" + n }],
        }).ToArray();
        return NorthboundAclRows.FromCompiled(rows, switches) with
        {
            Routers = [new LogicalRouterRow(Router) { Ports = ["rtos-worker-1", "rtos-worker-2"] }],
        };
    }

    /// <summary>The MAC a packet from <paramref name="from"/> to <paramref name="to"/> is sent to: the port's, or the gateway's.</summary>
    public string NextHopMac(Port from, Port to) => from.Switch == to.Switch ? to.Mac : Mac(from.Node, 1);

    /// <summary>A TCP SYN to 8080 as ovn-trace takes it, addressed as <see cref="NextHopMac"/> says.</summary>
    public string Microflow(Port from, Port to, bool ipv6)
    {
        var family = ipv6 ? "ip6" : "ip4";
        var (src, dst) = ipv6 ? (from.Ip6, to.Ip6) : (from.Ip4, to.Ip4);
        return $"inport == \"{from.Lsp}\" && eth.src == {from.Mac} && eth.dst == {NextHopMac(from, to)} && {family}.src == {src} && {family}.dst == {dst} && ip.ttl == 64 && tcp && tcp.src == 40000 && tcp.dst == 8080";
    }

    private static V1Pod Pod(string name, Port port, string node)
    {
        var pod = K8s.Pod("shop", name, "app=" + name, port.Ip4);
        pod.Status.PodIPs = [new V1PodIP { Ip = port.Ip4 }, new V1PodIP { Ip = port.Ip6 }];
        pod.Spec.NodeName = node;
        return pod;
    }

    private V1Node Node(string name, int index) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Annotations = new Dictionary<string, string>
            {
                ["k8s.ovn.org/node-subnets"] = string.Create(CultureInfo.InvariantCulture, $$"""{"default":["10.{{net}}.{{index}}.0/24","fd00:10:{{net}}:{{index}}::/64"]}"""),
            },
        },
        Status = new V1NodeStatus { Addresses = [new V1NodeAddress { Type = "InternalIP", Address = string.Create(CultureInfo.InvariantCulture, $"172.18.0.{index + 1}") }] },
    };
}
