using System.Net;
using k8s.Models;
using OvnAcl.Kubernetes;
using OvnAcl.Match;
using OvnAcl.Northbound;

namespace OvnAcl.Core.Tests.Kubernetes;

/// <summary>Builders for the objects the tests compile: pods and namespaces in C#, policies in YAML as users write them.</summary>
internal static class K8s
{
    public static V1Namespace Namespace(string name, IDictionary<string, string>? labels = null, string? aclLogging = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = labels is null ? null : new Dictionary<string, string>(labels),
            Annotations = aclLogging is null ? null : new Dictionary<string, string> { ["k8s.ovn.org/acl-logging"] = aclLogging },
        },
    };

    /// <summary>A running pod; <paramref name="ports"/> as <c>name:number</c> or <c>name:number/UDP</c>.</summary>
    public static V1Pod Pod(string ns, string name, string labels, string[] ips, params string[] ports) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = Labels(labels) },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "c",
                    Ports = [.. ports.Select(p =>
                    {
                        var (spec, protocol) = p.Contains('/') ? (p[..p.IndexOf('/')], p[(p.IndexOf('/') + 1)..]) : (p, (string?)null);
                        var parts = spec.Split(':');
                        return new V1ContainerPort { Name = parts[0], ContainerPort = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), Protocol = protocol };
                    })],
                },
            ],
        },
        Status = new V1PodStatus
        {
            Phase = "Running",
            PodIP = ips.FirstOrDefault(),
            PodIPs = [.. ips.Select(ip => new V1PodIP { Ip = ip })],
        },
    };

    public static V1Pod Pod(string ns, string name, string labels, string ip, params string[] ports) => Pod(ns, name, labels, [ip], ports);

    /// <summary><c>app=web,tier=1</c>.</summary>
    public static Dictionary<string, string> Labels(string labels) =>
        labels.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')).ToDictionary(l => l[0], l => l[1]);

    public static KubernetesInput Input(string policiesYaml, IEnumerable<V1Pod> pods, IEnumerable<V1Namespace>? namespaces = null)
    {
        var loaded = KubernetesInputLoader.LoadText(policiesYaml, "policies.yaml");
        Assert.Empty(loaded.LoadDiagnostics);
        var podList = pods.ToList();
        var nsList = namespaces?.ToList()
                     ?? podList.Select(p => p.Metadata.NamespaceProperty).Concat(loaded.Policies.Select(p => p.Object.Metadata.NamespaceProperty))
                         .Distinct().Select(n => Namespace(n)).ToList();
        return loaded.Concat(KubernetesInput.FromObjects([], podList, nsList));
    }

    public static NorthboundRows Compile(string policiesYaml, IEnumerable<V1Pod> pods, IEnumerable<V1Namespace>? namespaces = null, KubernetesCompileOptions? options = null)
    {
        var result = KubernetesCompiler.Compile(Input(policiesYaml, pods, namespaces), options);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Rows!;
    }

    public static IEnumerable<AclRow> Acls(this NorthboundRows rows) => rows.PortGroups.SelectMany(p => p.Acls);

    public static PortGroupRow PortGroupOf(this NorthboundRows rows, string ownerType, string owner) =>
        Assert.Single(rows.PortGroups, p => p.ExternalIds.TryGetValue("owner-type", out var t) && t == ownerType && p.ExternalIds["owner"] == owner);

    public static PortGroupRow PolicyGroup(this NorthboundRows rows, string policy) => rows.PortGroupOf("NetworkPolicy", policy);

    public static PortGroupRow DenyGroup(this NorthboundRows rows, string ns, string direction) =>
        Assert.Single(rows.PortGroups, p => p.ExternalIds.TryGetValue("owner-type", out var t) && t == "Namespace"
                                              && p.ExternalIds["owner"] == ns && p.ExternalIds["direction"] == direction);

    public static AddressSetRow AddressSet(this NorthboundRows rows, string name) => Assert.Single(rows.AddressSets, a => a.Name == name);
}

/// <summary>
/// OVN's ACL verdict for one packet, evaluated over compiled rows with the match evaluator: the from-lport ACLs of
/// the sender's switch then the to-lport ACLs of the receiver's, each the highest-priority matching ACL or allow
/// when none matches. Pods are logical switch ports; anything else is <see cref="Outside"/>.
/// </summary>
internal sealed class Network
{
    public const string Outside = "outside";
    private readonly List<(AclRow Acl, MatchExpr Match)> _acls;
    private readonly MatchEvaluator _evaluator;

    public Network(NorthboundRows rows)
    {
        var context = MatchContext.Empty;
        foreach (var set in rows.AddressSets)
        {
            context = context.WithAddressSet(set.Name, set.Addresses);
        }

        foreach (var group in rows.PortGroups)
        {
            context = context.WithPortGroup(group.Name, group.Ports);
        }

        _evaluator = new MatchEvaluator(context);
        _acls = [.. rows.Acls().Select(a => (a, MatchExpression.ParseChecked(a.Match)))];
    }

    public bool Allows(string from, string fromIp, string to, string toIp, string protocol = "tcp", int port = 80)
    {
        var src = IPAddress.Parse(fromIp);
        var dst = IPAddress.Parse(toIp);
        var packet = new Packet
        {
            Inport = from,
            EthType = src.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? Packet.EthTypeIpv6 : Packet.EthTypeIpv4,
            IpSrc = src,
            IpDst = dst,
            IpProto = protocol switch { "tcp" => Packet.ProtoTcp, "udp" => Packet.ProtoUdp, "sctp" => Packet.ProtoSctp, _ => Packet.ProtoIcmp4 },
            L4Src = 40000,
            L4Dst = (ushort)port,
        };
        return Verdict("from-lport", packet) && Verdict("to-lport", packet with { Outport = to });
    }

    public bool AllowsArp(string from, string to)
    {
        var packet = new Packet { Inport = from, EthType = Packet.EthTypeArp, ArpOp = 1, ArpSpa = IPAddress.Parse("10.0.0.1"), ArpTpa = IPAddress.Parse("10.0.0.2") };
        return Verdict("from-lport", packet) && Verdict("to-lport", packet with { Outport = to });
    }

    private bool Verdict(string direction, Packet packet)
    {
        var matching = _acls.Where(a => a.Acl.Direction == direction && _evaluator.Evaluate(a.Match, packet)).ToList();
        if (matching.Count == 0)
        {
            return true;
        }

        var top = matching.Max(a => a.Acl.Priority);
        return matching.Where(a => a.Acl.Priority == top).All(a => a.Acl.Action.StartsWith("allow", StringComparison.Ordinal));
    }
}
