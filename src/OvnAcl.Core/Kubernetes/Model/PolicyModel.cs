using System.Net;
using OvnAcl.Addressing;
using OvnAcl.Collections;

namespace OvnAcl.Kubernetes.Model;

internal enum PolicyDirection
{
    Ingress,
    Egress,
}

internal enum L4Protocol
{
    Tcp,
    Udp,
    Sctp,
}

/// <summary>A peer of a rule: pods chosen by selectors, or an IP block.</summary>
internal abstract record PeerModel
{
    /// <summary>Stable text identifying what the peer selects, the input of the address-set name.</summary>
    public abstract string Key { get; }
}

/// <summary>
/// Pods matching <see cref="PodSelector"/> in either the one namespace <see cref="Namespace"/> (a peer with only
/// <c>podSelector</c>) or every namespace matching <see cref="NamespaceSelector"/>.
/// </summary>
internal sealed record PodPeer(string? Namespace, LabelSelectorModel? NamespaceSelector, LabelSelectorModel PodSelector) : PeerModel
{
    /// <summary>Every pod of every namespace: the destination of an egress rule with no peers, for named ports.</summary>
    public static PodPeer AllPods { get; } = new(null, LabelSelectorModel.All, LabelSelectorModel.All);

    public override string Key => Namespace is not null
        ? $"namespace={Namespace};pods={PodSelector.Canonical}"
        : $"namespaces={NamespaceSelector!.Canonical};pods={PodSelector.Canonical}";

    public bool MatchesNamespace(NamespaceModel ns) =>
        Namespace is not null ? ns.Name == Namespace : NamespaceSelector!.Matches(ns.Labels);
}

/// <summary><c>ipBlock</c>: <see cref="Cidr"/> minus <see cref="Except"/> (sorted, unique).</summary>
internal sealed record IpBlockPeer(IpPrefix Cidr, EquatableArray<IpPrefix> Except) : PeerModel
{
    public override string Key => "cidr=" + Cidr + ";except=" + string.Join(',', Except);

    /// <summary>The block as disjoint prefixes, sorted.</summary>
    public IReadOnlyList<IpPrefix> Prefixes() => [.. Cidr.Subtract(Except).Order()];

    public bool Contains(IPAddress address)
    {
        var host = IpPrefix.Host(address);
        return Cidr.Contains(host) && !Except.Any(e => e.Contains(host));
    }
}

/// <summary>One <c>ports</c> entry: a protocol with a number, a range, a name, or none (every port of the protocol).</summary>
internal sealed record PortModel(L4Protocol Protocol, int? Number, int? EndNumber, string? Name);

/// <summary>
/// One ingress or egress rule. <see cref="Peers"/> null means every source/destination (absent or empty
/// <c>from</c>/<c>to</c>); <see cref="Ports"/> empty means every port and protocol.
/// </summary>
internal sealed record RuleModel(int Index, EquatableArray<PeerModel>? Peers, EquatableArray<PortModel> Ports);

internal sealed record PolicyModel(
    string Namespace,
    string Name,
    LabelSelectorModel PodSelector,
    bool IsIngress,
    bool IsEgress,
    EquatableArray<RuleModel> IngressRules,
    EquatableArray<RuleModel> EgressRules,
    ObjectSource? Source = null)
{
    public string Key => Namespace + "/" + Name;

    public EquatableArray<RuleModel> Rules(PolicyDirection direction) =>
        direction == PolicyDirection.Ingress ? IngressRules : EgressRules;

    public bool Isolates(PolicyDirection direction) => direction == PolicyDirection.Ingress ? IsIngress : IsEgress;
}

/// <summary>A named container port: name and protocol resolve to the number.</summary>
internal sealed record NamedPort(string Name, L4Protocol Protocol, int Number);

/// <summary>
/// A pod that is a subject from the moment it exists: not host-network and neither Succeeded nor Failed. It is a peer
/// (in address sets) only once it has an IP; <see cref="Addresses"/> is empty before that.
/// </summary>
internal sealed record PodModel(
    string Namespace,
    string Name,
    string LogicalSwitchPort,
    EquatableMap Labels,
    EquatableArray<IPAddress> Addresses,
    EquatableArray<NamedPort> NamedPorts)
{
    /// <summary><c>spec.nodeName</c>: the node the pod runs on, null while unscheduled.</summary>
    public string? NodeName { get; init; }

    public EquatableArray<IPAddress> Addresses
    {
        get;
        init
        {
            field = value;
            AddressTexts = Texts(value);
        }
    } = Addresses;

    /// <summary>
    /// <see cref="Addresses"/> as text, index for index: the members a pod gives address sets, made once per model
    /// rather than once per row on every event. Follows <see cref="Addresses"/>, in <c>with</c> too.
    /// </summary>
    public EquatableArray<string> AddressTexts { get; private init; } = Texts(Addresses);

    public int? Resolve(string name, L4Protocol protocol)
    {
        foreach (var port in NamedPorts)
        {
            if (port.Name == name && port.Protocol == protocol)
            {
                return port.Number;
            }
        }

        return null;
    }

    private static EquatableArray<string> Texts(EquatableArray<IPAddress> addresses) => [.. addresses.Items.Select(a => a.ToString())];
}

/// <summary>Severity names for <c>log</c>/<c>severity</c>; null for a verdict not logged.</summary>
internal sealed record AclLogging(string? Deny, string? Allow);

/// <summary>
/// A node: the addresses its traffic to its own pods comes from (InternalIPs, its management port, or what
/// <c>ovnacl.io/node-source-addresses</c> says), sorted; empty when none is known, and then nothing is allowed.
/// </summary>
internal sealed record NodeModel(string Name, EquatableArray<IPAddress> Addresses, ObjectSource? Source = null)
{
    /// <summary>The node's labels, which cluster policies' <c>nodes</c> peers select.</summary>
    public EquatableMap Labels { get; init; } = EquatableMap.Empty;

    /// <summary>
    /// The addresses of <c>status.addresses</c> (InternalIP and ExternalIP), sorted: what a cluster policy's
    /// <c>nodes</c> peer stands for, as the API defines it (not <see cref="Addresses"/>, which may be a management port's).
    /// </summary>
    public EquatableArray<IPAddress> StatusAddresses { get; init; } = [];

    public EquatableArray<string> AddressTexts(bool ipv6) =>
        [.. Addresses.Items.Where(a => (a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) == ipv6).Select(a => a.ToString())];
}

internal sealed record NamespaceModel(string Name, EquatableMap Labels, AclLogging? Logging);

/// <summary>Validated input: what the compiler works from.</summary>
internal sealed record PolicySet(
    EquatableArray<PolicyModel> Policies,
    EquatableArray<PodModel> Pods,
    EquatableArray<NamespaceModel> Namespaces,
    EquatableArray<NodeModel> Nodes)
{
    /// <summary>The cluster-scoped policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy).</summary>
    public EquatableArray<AdminPolicyModel> AdminPolicies { get; init; } = [];
}
