using System.Globalization;
using OvnAcl.Collections;
using OvnAcl.Kubernetes.Model;
using OvnAcl.Match;
using OvnAcl.Northbound;
using OvnAcl.Reconciliation;

namespace OvnAcl.Kubernetes.Compilation;

/// <summary>
/// Turns one validated policy into its <see cref="PolicyShape"/>: its rows with their ACLs and where their members come
/// from. ACL rows depend only on the policy, its namespace's logging annotation and the distinct numbers named ports
/// resolve to; which pods exist, their labels and IPs change only members. Also shapes a namespace's default-deny
/// port groups. The compiler and the incremental engine both build rows through this one class.
/// </summary>
internal sealed partial class PolicyShaper
{
    public const string OwnerControllerKey = "owner-controller";
    public const string OwnerTypeKey = "owner-type";
    public const string OwnerKey = "owner";

    private readonly KubernetesCompileOptions _options;
    private readonly Naming _naming;
    private readonly Func<NumberWatch, IReadOnlyCollection<int>> _numbers;

    // Per shape being built.
    private readonly Dictionary<(DesiredRowKind, string), RowDeclaration> _rows = [];
    private readonly List<MemberFeed> _feeds = [];
    private readonly List<NumberWatch> _watches = [];
    private readonly List<Diagnostic> _warnings = [];

    /// <param name="numbers">The numbers a named port resolves to on the pods of a query, ascending.</param>
    public PolicyShaper(KubernetesCompileOptions options, Func<NumberWatch, IReadOnlyCollection<int>> numbers)
    {
        _options = options;
        _naming = new Naming(options.ControllerName);
        _numbers = numbers;
    }

    /// <summary>The default-deny and ARP port groups of a namespace that has policies.</summary>
    public PolicyShape ShapeNamespace(NamespaceModel ns)
    {
        Reset();
        var logging = ns.Logging;
        foreach (var direction in (PolicyDirection[])[PolicyDirection.Ingress, PolicyDirection.Egress])
        {
            var name = _naming.DenyPortGroup(ns.Name, direction);
            var port = PortMatch(direction, name);
            var dir = direction.ToString().ToLowerInvariant();
            var acls = new List<AclRow>
            {
                Acl(direction, _options.DefaultDenyPriority, port, "drop", $"{ns.Name}:{dir}:deny", null, logging?.Deny,
                    Ids((OwnerTypeKey, "Namespace"), (OwnerKey, ns.Name), ("direction", direction.ToString()), ("type", "defaultDeny"))),

                // Isolated pods must still resolve their neighbours: ARP and IPv6 neighbour discovery pass (not logged).
                Acl(direction, _options.AllowPriority, port + " && (arp || nd)", "allow", $"{ns.Name}:{dir}:arp", null, null,
                    Ids((OwnerTypeKey, "Namespace"), (OwnerKey, ns.Name), ("direction", direction.ToString()), ("type", "arpAllow"))),
            };
            Declare(DesiredRowKind.PortGroup, name, Ids((OwnerTypeKey, "Namespace"), (OwnerKey, ns.Name), ("direction", direction.ToString())), acls);
        }

        return Take();
    }

    /// <summary>
    /// A node's allowance: a port group (its members, the node's pods, come from the engine, which knows where pods run)
    /// with an allow-related from and to each of the node's address sets, one per family with the addresses as static members.
    /// The ACLs depend only on the node's name: a pod landing on the node or a node address changing moves members.
    /// Empty sets match nothing, so a node without addresses allows nothing.
    /// </summary>
    public PolicyShape ShapeNode(NodeModel node)
    {
        Reset();
        var group = _naming.NodePortGroup(node.Name);
        var v4 = _naming.NodeAddressSet(node.Name, ipv6: false);
        var v6 = _naming.NodeAddressSet(node.Name, ipv6: true);
        var acls = new List<AclRow>();
        foreach (var direction in (PolicyDirection[])[PolicyDirection.Ingress, PolicyDirection.Egress])
        {
            var end = direction == PolicyDirection.Ingress ? "src" : "dst";
            var dir = direction.ToString().ToLowerInvariant();
            foreach (var (family, set) in (ReadOnlySpan<(string, string)>)[("ip4", v4), ("ip6", v6)])
            {
                // One ACL per family, as for policy peers: a disjunction would cost ports × addresses OpenFlow flows.
                acls.Add(NodeAcl(direction, $"{PortMatch(direction, group)} && {family}.{end} == ${set}", node, $"node:{node.Name}:{dir}",
                    Ids((OwnerTypeKey, "Node"), (OwnerKey, node.Name), ("direction", direction.ToString()), ("type", "nodeAllow"), ("ip-family", family))));
            }
        }

        Declare(DesiredRowKind.PortGroup, group, Ids((OwnerTypeKey, "Node"), (OwnerKey, node.Name)), acls);
        foreach (var ipv6 in (bool[])[false, true])
        {
            Declare(DesiredRowKind.AddressSet, ipv6 ? v6 : v4,
                Ids((OwnerTypeKey, "Node"), (OwnerKey, node.Name), ("ip-family", ipv6 ? "ip6" : "ip4")), staticMembers: node.AddressTexts(ipv6));
        }

        return Take();
    }

    /// <summary>The node port group the engine puts a node's pods in.</summary>
    public string NodePortGroup(string node) => _naming.NodePortGroup(node);

    /// <summary>The port group of a policy with its ACLs, its peers' address sets and named-port rows.</summary>
    public PolicyShape ShapePolicy(PolicyModel policy, NamespaceModel ns)
    {
        Reset();
        var subjects = PodQuery.InNamespace(policy.Namespace, policy.PodSelector);
        var name = _naming.PolicyPortGroup(policy.Namespace, policy.Name);
        var acls = new List<AclRow>();
        Feed(DesiredRowKind.PortGroup, name, subjects, null, FeedOutput.LogicalSwitchPort);

        var logging = ns.Logging?.Allow;
        foreach (var direction in (PolicyDirection[])[PolicyDirection.Ingress, PolicyDirection.Egress])
        {
            if (!policy.Isolates(direction))
            {
                continue;
            }

            Feed(DesiredRowKind.PortGroup, _naming.DenyPortGroup(policy.Namespace, direction), subjects, null, FeedOutput.LogicalSwitchPort);
            foreach (var rule in policy.Rules(direction))
            {
                AddRule(policy, direction, rule, name, subjects, acls, logging);
            }
        }

        Declare(DesiredRowKind.PortGroup, name, Ids((OwnerTypeKey, "NetworkPolicy"), (OwnerKey, policy.Key)), acls);
        return Take();
    }

    private void Reset()
    {
        _rows.Clear();
        _feeds.Clear();
        _watches.Clear();
        _warnings.Clear();
    }

    private PolicyShape Take() => new([.. _rows.Values], [.. _feeds.Distinct()], [.. _watches.Distinct()], [.. _warnings]);

    private void Declare(DesiredRowKind kind, string name, EquatableMap ids, IEnumerable<AclRow>? acls = null, IEnumerable<string>? staticMembers = null) =>
        _rows.TryAdd((kind, name), new RowDeclaration(kind, name, ids, (acls ?? []).ToEquatableArray(), (staticMembers ?? []).ToSortedSet()));

    private bool IsDeclared(DesiredRowKind kind, string name) => _rows.ContainsKey((kind, name));

    private void Feed(DesiredRowKind kind, string row, PodQuery query, NamedPortFilter? port, FeedOutput output) =>
        _feeds.Add(new MemberFeed(kind, row, query, port, output));

    private IReadOnlyCollection<int> Numbers(PodQuery query, L4Protocol protocol, string port)
    {
        var watch = new NumberWatch(query, protocol, port);
        _watches.Add(watch);
        return _numbers(watch);
    }

    private EquatableMap Ids(params (string Key, string Value)[] ids) =>
        new(ids.Select(i => new KeyValuePair<string, string>(i.Key, i.Value)).Prepend(new(OwnerControllerKey, _options.ControllerName)));

    private void AddRule(PolicyModel policy, PolicyDirection direction, RuleModel rule, string groupName, PodQuery subjects, List<AclRow> acls, string? logging)
    {
        var dir = direction.ToString().ToLowerInvariant();
        var baseName = $"{policy.Key}:{dir}:{rule.Index.ToString(CultureInfo.InvariantCulture)}";
        var ruleIds = new (string, string)[]
        {
            (OwnerTypeKey, "NetworkPolicy"), (OwnerKey, policy.Key), ("direction", direction.ToString()),
            ("rule-index", rule.Index.ToString(CultureInfo.InvariantCulture)),
        };
        var portMatch = PortMatch(direction, groupName);
        // Created on first use: egress to named ports matches per-number sets instead, and must not leave unused ones.
        var peerMatchCache = new Lazy<IReadOnlyList<FamilyMatch>>(() =>
            rule.Peers is { } peers ? AddressMatches(direction, peers.SelectMany(PeerAddressSets).ToList()) : [FamilyMatch.Any]);

        if (rule.Ports.Count == 0)
        {
            // No ports: every port and protocol of IP traffic from/to the peers.
            foreach (var peer in peerMatchCache.Value)
            {
                acls.Add(Acl(direction, _options.AllowPriority, And(portMatch, peer.Match ?? "(ip4 || ip6)"), "allow-related",
                    baseName, policy, logging, Ids(WithFamily(ruleIds, peer))));
            }

            return;
        }

        for (var i = 0; i < rule.Ports.Count; i++)
        {
            var port = rule.Ports[i];
            var index = i.ToString(CultureInfo.InvariantCulture);
            var ids = ruleIds.Append(("port-index", index)).ToArray();
            if (port.Name is null)
            {
                foreach (var peer in peerMatchCache.Value)
                {
                    acls.Add(Acl(direction, _options.AllowPriority, And(portMatch, peer.Match, L4Match(port.Protocol, port.Number, port.EndNumber)),
                        "allow-related", $"{baseName}:{index}", policy, logging, Ids(WithFamily(ids, peer))));
                }
            }
            else if (direction == PolicyDirection.Ingress)
            {
                AddNamedIngress(policy, port, subjects, peerMatchCache.Value, acls, $"{baseName}:{index}", ids, logging);
            }
            else
            {
                AddNamedEgress(policy, port, rule.Peers, portMatch, acls, $"{baseName}:{index}", ids, logging);
            }
        }
    }

    /// <summary>
    /// Ingress to a named port: the name resolves on each selected pod. One ACL per distinct number, matching the
    /// port group of the selected pods where the name means that number.
    /// </summary>
    private void AddNamedIngress(PolicyModel policy, PortModel port, PodQuery subjects, IReadOnlyList<FamilyMatch> peerMatches, List<AclRow> acls,
        string name, (string, string)[] ids, string? logging)
    {
        foreach (var number in Numbers(subjects, port.Protocol, port.Name!))
        {
            var pgName = _naming.NamedPortGroup(policy.Namespace, policy.PodSelector, port.Protocol, port.Name!, number);
            if (!IsDeclared(DesiredRowKind.PortGroup, pgName))
            {
                Declare(DesiredRowKind.PortGroup, pgName, Ids((OwnerTypeKey, "NamedPort"), (OwnerKey, policy.Namespace),
                    ("selector", policy.PodSelector.Canonical), ("port", NamedPortText(port, number))));
                Feed(DesiredRowKind.PortGroup, pgName, subjects, new NamedPortFilter(port.Protocol, port.Name!, number), FeedOutput.LogicalSwitchPort);
            }

            var text = number.ToString(CultureInfo.InvariantCulture);
            foreach (var peer in peerMatches)
            {
                acls.Add(Acl(PolicyDirection.Ingress, _options.AllowPriority,
                    And(PortMatch(PolicyDirection.Ingress, pgName), peer.Match, L4Match(port.Protocol, number, null)),
                    "allow-related", $"{name}:{text}", policy, logging, Ids(WithFamily([.. ids, ("port-number", text)], peer))));
            }
        }
    }

    /// <summary>
    /// Egress to a named port: the name resolves on each destination pod (of any peer; every pod when the rule has
    /// no peers; the pods inside an ipBlock). One ACL per distinct number, matching per peer an address set of the
    /// addresses of its pods where the name means that number. Addresses that are no pod never match a name.
    /// </summary>
    private void AddNamedEgress(PolicyModel policy, PortModel port, EquatableArray<PeerModel>? peers, string portMatch, List<AclRow> acls,
        string name, (string, string)[] ids, string? logging)
    {
        var destinations = (peers?.Items ?? [PodPeer.AllPods]).Select(peer => (Peer: peer, Query: PodQuery.Of(peer))).ToList();
        var numbers = destinations.SelectMany(d => Numbers(d.Query, port.Protocol, port.Name!)).Distinct().Order().ToList();
        foreach (var number in numbers)
        {
            var sets = destinations.SelectMany(d => NamedPeerSets(d.Peer, port.Protocol, port.Name!, number)).ToList();
            var text = number.ToString(CultureInfo.InvariantCulture);
            foreach (var peer in AddressMatches(PolicyDirection.Egress, sets))
            {
                acls.Add(Acl(PolicyDirection.Egress, _options.AllowPriority,
                    And(portMatch, peer.Match, L4Match(port.Protocol, number, null)),
                    "allow-related", $"{name}:{text}", policy, logging, Ids(WithFamily([.. ids, ("port-number", text)], peer))));
            }
        }
    }

    /// <summary>
    /// The address sets of a peer's pods on which a named port means <paramref name="number"/> (an ipBlock's: its pods
    /// inside the block), one per family of the peer, declared and fed on first use.
    /// </summary>
    private IEnumerable<(string Name, bool IPv6)> NamedPeerSets(PeerModel peer, L4Protocol protocol, string port, int number)
    {
        foreach (var ipv6 in Families(peer))
        {
            var setName = _naming.NamedPortAddressSet(peer, protocol, port, number, ipv6);
            if (!IsDeclared(DesiredRowKind.AddressSet, setName))
            {
                Declare(DesiredRowKind.AddressSet, setName, Ids((OwnerTypeKey, "NamedPort"), (OwnerKey, peer.Key),
                    ("port", NamedPortText(port, protocol, number)), ("ip-family", ipv6 ? "ip6" : "ip4")));
                Feed(DesiredRowKind.AddressSet, setName, PodQuery.Of(peer), new NamedPortFilter(protocol, port, number), ipv6 ? FeedOutput.Ip6 : FeedOutput.Ip4);
            }

            yield return (setName, ipv6);
        }
    }

    private static string NamedPortText(string name, L4Protocol protocol, int number) =>
        $"{name}/{protocol.ToString().ToUpperInvariant()}={number.ToString(CultureInfo.InvariantCulture)}";

    private static string NamedPortText(PortModel port, int number) =>
        $"{port.Name}/{port.Protocol.ToString().ToUpperInvariant()}={number.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The address sets standing for a peer: both families for pods, one for an ipBlock.</summary>
    private IEnumerable<(string Name, bool IPv6)> PeerAddressSets(PeerModel peer)
    {
        foreach (var ipv6 in Families(peer))
        {
            var name = _naming.PeerAddressSet(peer, ipv6);
            if (!IsDeclared(DesiredRowKind.AddressSet, name))
            {
                if (peer is IpBlockPeer block)
                {
                    Declare(DesiredRowKind.AddressSet, name, Ids((OwnerTypeKey, "IPBlock"), (OwnerKey, peer.Key), ("ip-family", ipv6 ? "ip6" : "ip4")),
                        staticMembers: block.Prefixes().Select(p => p.ToString()));
                }
                else
                {
                    Declare(DesiredRowKind.AddressSet, name, Ids((OwnerTypeKey, "PodSelector"), (OwnerKey, peer.Key), ("ip-family", ipv6 ? "ip6" : "ip4")));
                    Feed(DesiredRowKind.AddressSet, name, PodQuery.Of(peer), null, ipv6 ? FeedOutput.Ip6 : FeedOutput.Ip4);
                }
            }

            yield return (name, ipv6);
        }
    }

    private static bool[] Families(PeerModel peer) => peer is IpBlockPeer block ? [block.Cidr.IsIPv6] : [false, true];

    private static string PortMatch(PolicyDirection direction, string portGroup) =>
        (direction == PolicyDirection.Ingress ? "outport == @" : "inport == @") + portGroup;

    /// <summary>
    /// The peer's side of the packet, one match per address family: <c>ip4.src == {$a_ip4, $b_ip4}</c> and
    /// <c>ip6.src == {$a_ip6, $b_ip6}</c>. Each family gets an ACL of its own rather than one ACL with
    /// <c>(ip4.src == … || ip6.src == …)</c>: ovn-controller builds conjunctive flows (ports + addresses, not ports ×
    /// addresses) only for a match without such a disjunction, and a family with no addresses (an empty set) installs
    /// nothing. Both families are always written, so the rows do not change when a cluster's first IPv6 pod appears.
    /// </summary>
    private static List<FamilyMatch> AddressMatches(PolicyDirection direction, IEnumerable<(string Name, bool IPv6)> sets)
    {
        var side = direction == PolicyDirection.Ingress ? "src" : "dst";
        return [.. sets.Distinct().GroupBy(s => s.IPv6).OrderBy(g => g.Key)
            .Select(g => new FamilyMatch(g.Key ? "ip6" : "ip4", $"{(g.Key ? "ip6" : "ip4")}.{side} == {SetText(g.Select(s => "$" + s.Name).ToList())}"))];
    }

    /// <summary>The rule's ids, with the family of its peer match when the rule has one ACL per family.</summary>
    private static (string, string)[] WithFamily((string, string)[] ids, FamilyMatch peer) =>
        peer.Family is null ? ids : [.. ids, ("ip-family", peer.Family)];

    private static string SetText(List<string> items) => items.Count == 1 ? items[0] : "{" + string.Join(", ", items) + "}";

    private static string L4Match(L4Protocol protocol, int? number, int? end)
    {
        var p = protocol.ToString().ToLowerInvariant();
        return (number, end) switch
        {
            (null, _) => p,
            ({ } n, null) => $"{p} && {p}.dst == {n.ToString(CultureInfo.InvariantCulture)}",
            ({ } n, { } e) => $"{p} && {n.ToString(CultureInfo.InvariantCulture)} <= {p}.dst <= {e.ToString(CultureInfo.InvariantCulture)}",
        };
    }

    private static string And(params string?[] terms) => string.Join(" && ", terms.Where(t => t is not null));

    private AclRow NodeAcl(PolicyDirection direction, string match, NodeModel node, string name, EquatableMap ids)
    {
        var aclName = Naming.AclName(name, out var shortened);
        if (shortened)
        {
            _warnings.Add(Diagnostic.Warning(CompileDiagnosticCodes.AclNameTruncated,
                $"ACL name '{name}' is longer than {Naming.MaxAclNameLength} characters; shortened to '{aclName}' (and likewise for its other ACLs)",
                new DiagnosticLocation(node.Source, "Node " + node.Name, "metadata.name")));
        }

        return new AclRow
        {
            Direction = direction == PolicyDirection.Ingress ? "to-lport" : "from-lport",
            Priority = _options.NodeAllowPriority,
            Tier = NetworkPolicyTier,
            Match = MatchExpression.Print(MatchExpression.ParseChecked(match)),
            Action = "allow-related",
            Name = aclName,
            Options = direction == PolicyDirection.Egress ? new EquatableMap([new("apply-after-lb", "true")]) : EquatableMap.Empty,
            ExternalIds = ids,
        };
    }

    private AclRow Acl(PolicyDirection direction, int priority, string match, string action, string name, PolicyModel? policy,
        string? severity, EquatableMap ids) =>
        Acl(direction, priority, NetworkPolicyTier, match, action, name,
            policy is null ? "Namespace " + ids[OwnerKey] : "NetworkPolicy " + policy.Key, policy?.Source, severity, ids);

    /// <param name="owner">The object the ACL comes from, as diagnostics name it (<c>NetworkPolicy shop/web</c>).</param>
    private AclRow Acl(PolicyDirection direction, int priority, int tier, string match, string action, string name, string owner, ObjectSource? source,
        string? severity, EquatableMap ids)
    {
        var aclName = Naming.AclName(name, out var shortened);
        if (shortened && !_warnings.Any(w => w.Location.Object == owner))
        {
            // One warning per object: the first name shortened shows the scheme; the others follow it.
            _warnings.Add(Diagnostic.Warning(CompileDiagnosticCodes.AclNameTruncated,
                $"ACL name '{name}' is longer than {Naming.MaxAclNameLength} characters; shortened to '{aclName}' (and likewise for its other ACLs)",
                new DiagnosticLocation(source, owner, "metadata.name")));
        }

        return new AclRow
        {
            Direction = direction == PolicyDirection.Ingress ? "to-lport" : "from-lport",
            Priority = priority,
            Tier = tier,
            Match = MatchExpression.Print(MatchExpression.ParseChecked(match)),
            Action = action,
            Name = aclName,
            Log = severity is not null,
            Severity = severity,
            Meter = severity is not null ? _options.LoggingMeter : null,

            // Egress is checked after load balancing (as ovn-kubernetes does), so policies see a service's backends.
            Options = direction == PolicyDirection.Egress ? new EquatableMap([new("apply-after-lb", "true")]) : EquatableMap.Empty,
            ExternalIds = ids,
        };
    }

    /// <summary>One family's peer match (<c>ip4.src == $a_ip4</c>), or <see cref="Any"/>: a rule without peers, which matches every address.</summary>
    private readonly record struct FamilyMatch(string? Family, string? Match)
    {
        public static FamilyMatch Any => default;
    }
}
