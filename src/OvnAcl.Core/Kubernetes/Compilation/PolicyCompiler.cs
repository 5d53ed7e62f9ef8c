using System.Globalization;
using System.Net.Sockets;
using OvnAcl.Collections;
using OvnAcl.Kubernetes.Model;
using OvnAcl.Match;
using OvnAcl.Northbound;

namespace OvnAcl.Kubernetes.Compilation;

/// <summary>
/// Turns validated policies into Northbound rows. ACL rows depend only on the policies, the namespaces' logging
/// annotations and the distinct numbers named ports resolve to; which pods exist, their labels and IPs change only
/// port-group members and address-set addresses.
/// </summary>
internal sealed class PolicyCompiler
{
    public const string OwnerControllerKey = "owner-controller";
    public const string OwnerTypeKey = "owner-type";
    public const string OwnerKey = "owner";

    private readonly KubernetesCompileOptions _options;
    private readonly Naming _naming;
    private readonly PolicySet _set;
    private readonly Dictionary<string, NamespaceModel> _namespaces;

    // Selectors are scoped by namespace first: scanning every pod of the cluster per policy and per peer made compile
    // time grow as policies × pods + peers × pods (40 s at 100,000 pods, 1,000 policies).
    private readonly ILookup<string, PodModel> _podsByNamespace;
    private readonly Dictionary<string, PortGroupBuilder> _portGroups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AddressSetRow> _addressSets = new(StringComparer.Ordinal);
    private readonly Dictionary<PeerModel, IReadOnlyList<PodModel>> _peerPods = [];
    private readonly List<CompileDiagnostic> _warnings = [];

    private PolicyCompiler(PolicySet set, KubernetesCompileOptions options)
    {
        _set = set;
        _options = options;
        _naming = new Naming(options.ControllerName);
        _namespaces = set.Namespaces.ToDictionary(n => n.Name, StringComparer.Ordinal);
        _podsByNamespace = set.Pods.ToLookup(p => p.Namespace, StringComparer.Ordinal);
    }

    public static (NorthboundRows Rows, IReadOnlyList<CompileDiagnostic> Warnings) Compile(PolicySet set, KubernetesCompileOptions options)
    {
        var compiler = new PolicyCompiler(set, options);
        foreach (var ns in set.Policies.Select(p => p.Namespace).Distinct(StringComparer.Ordinal))
        {
            compiler.AddIsolation(ns);
        }

        foreach (var policy in set.Policies)
        {
            compiler.AddPolicy(policy);
        }

        var rows = NorthboundRows.Create(compiler._portGroups.Values.Select(b => b.Build()), compiler._addressSets.Values);
        return (rows, compiler._warnings);
    }

    private EquatableMap Ids(params (string Key, string Value)[] ids) =>
        new(ids.Select(i => new KeyValuePair<string, string>(i.Key, i.Value)).Prepend(new(OwnerControllerKey, _options.ControllerName)));

    private void AddIsolation(string ns)
    {
        var logging = _namespaces[ns].Logging;
        foreach (var direction in (PolicyDirection[])[PolicyDirection.Ingress, PolicyDirection.Egress])
        {
            var name = _naming.DenyPortGroup(ns, direction);
            var group = new PortGroupBuilder(name, Ids((OwnerTypeKey, "Namespace"), (OwnerKey, ns), ("direction", direction.ToString())));
            var port = PortMatch(direction, name);
            var dir = direction.ToString().ToLowerInvariant();
            group.Acls.Add(Acl(direction, _options.DefaultDenyPriority, port, "drop", $"{ns}:{dir}:deny", null, logging?.Deny,
                Ids((OwnerTypeKey, "Namespace"), (OwnerKey, ns), ("direction", direction.ToString()), ("type", "defaultDeny"))));

            // Isolated pods must still resolve their neighbours: ARP and IPv6 neighbour discovery pass (not logged).
            group.Acls.Add(Acl(direction, _options.AllowPriority, port + " && (arp || nd)", "allow", $"{ns}:{dir}:arp", null, null,
                Ids((OwnerTypeKey, "Namespace"), (OwnerKey, ns), ("direction", direction.ToString()), ("type", "arpAllow"))));
            _portGroups.Add(name, group);
        }
    }

    private void AddPolicy(PolicyModel policy)
    {
        var subjects = _podsByNamespace[policy.Namespace].Where(p => policy.PodSelector.Matches(p.Labels)).ToList();
        var name = _naming.PolicyPortGroup(policy.Namespace, policy.Name);
        var group = new PortGroupBuilder(name, Ids((OwnerTypeKey, "NetworkPolicy"), (OwnerKey, policy.Key)));
        group.Ports.UnionWith(subjects.Select(p => p.LogicalSwitchPort));
        _portGroups.Add(name, group);

        var logging = _namespaces[policy.Namespace].Logging?.Allow;
        foreach (var direction in (PolicyDirection[])[PolicyDirection.Ingress, PolicyDirection.Egress])
        {
            if (!policy.Isolates(direction))
            {
                continue;
            }

            _portGroups[_naming.DenyPortGroup(policy.Namespace, direction)].Ports.UnionWith(subjects.Select(p => p.LogicalSwitchPort));
            foreach (var rule in policy.Rules(direction))
            {
                AddRule(policy, direction, rule, group, subjects, logging);
            }
        }
    }

    private void AddRule(PolicyModel policy, PolicyDirection direction, RuleModel rule, PortGroupBuilder group, List<PodModel> subjects, string? logging)
    {
        var dir = direction.ToString().ToLowerInvariant();
        var baseName = $"{policy.Key}:{dir}:{rule.Index.ToString(CultureInfo.InvariantCulture)}";
        var ruleIds = new (string, string)[]
        {
            (OwnerTypeKey, "NetworkPolicy"), (OwnerKey, policy.Key), ("direction", direction.ToString()),
            ("rule-index", rule.Index.ToString(CultureInfo.InvariantCulture)),
        };
        var portMatch = PortMatch(direction, group.Name);
        // Created on first use: egress to named ports matches per-number sets instead, and must not leave unused ones.
        var peerMatchCache = new Lazy<string?>(() => rule.Peers is { } peers ? AddressMatch(direction, peers.SelectMany(PeerAddressSets)) : null);

        if (rule.Ports.Count == 0)
        {
            // No ports: every port and protocol of IP traffic from/to the peers.
            group.Acls.Add(Acl(direction, _options.AllowPriority, And(portMatch, peerMatchCache.Value ?? "(ip4 || ip6)"), "allow-related",
                baseName, policy, logging, Ids(ruleIds)));
            return;
        }

        for (var i = 0; i < rule.Ports.Count; i++)
        {
            var port = rule.Ports[i];
            var index = i.ToString(CultureInfo.InvariantCulture);
            var ids = ruleIds.Append(("port-index", index)).ToArray();
            if (port.Name is null)
            {
                group.Acls.Add(Acl(direction, _options.AllowPriority, And(portMatch, peerMatchCache.Value, L4Match(port.Protocol, port.Number, port.EndNumber)),
                    "allow-related", $"{baseName}:{index}", policy, logging, Ids(ids)));
            }
            else if (direction == PolicyDirection.Ingress)
            {
                AddNamedIngress(policy, port, subjects, peerMatchCache.Value, group, $"{baseName}:{index}", ids, logging);
            }
            else
            {
                AddNamedEgress(policy, port, rule.Peers, portMatch, group, $"{baseName}:{index}", ids, logging);
            }
        }
    }

    /// <summary>
    /// Ingress to a named port: the name resolves on each selected pod. One ACL per distinct number, matching the
    /// port group of the selected pods where the name means that number.
    /// </summary>
    private void AddNamedIngress(PolicyModel policy, PortModel port, List<PodModel> subjects, string? peerMatch, PortGroupBuilder group,
        string name, (string, string)[] ids, string? logging)
    {
        foreach (var byNumber in subjects.GroupBy(p => p.Resolve(port.Name!, port.Protocol)).Where(g => g.Key is not null).OrderBy(g => g.Key))
        {
            var number = byNumber.Key!.Value;
            var pgName = _naming.NamedPortGroup(policy.Namespace, policy.PodSelector, port.Protocol, port.Name!, number);
            if (!_portGroups.TryGetValue(pgName, out var named))
            {
                named = new PortGroupBuilder(pgName, Ids((OwnerTypeKey, "NamedPort"), (OwnerKey, policy.Namespace),
                    ("selector", policy.PodSelector.Canonical), ("port", NamedPortText(port, number))));
                named.Ports.UnionWith(byNumber.Select(p => p.LogicalSwitchPort));
                _portGroups.Add(pgName, named);
            }

            var text = number.ToString(CultureInfo.InvariantCulture);
            group.Acls.Add(Acl(PolicyDirection.Ingress, _options.AllowPriority,
                And(PortMatch(PolicyDirection.Ingress, pgName), peerMatch, L4Match(port.Protocol, number, null)),
                "allow-related", $"{name}:{text}", policy, logging, Ids([.. ids, ("port-number", text)])));
        }
    }

    /// <summary>
    /// Egress to a named port: the name resolves on each destination pod (of any peer; every pod when the rule has
    /// no peers; the pods inside an ipBlock). One ACL per distinct number, matching per peer an address set of the
    /// addresses of its pods where the name means that number. Addresses that are no pod never match a name.
    /// </summary>
    private void AddNamedEgress(PolicyModel policy, PortModel port, EquatableArray<PeerModel>? peers, string portMatch, PortGroupBuilder group,
        string name, (string, string)[] ids, string? logging)
    {
        var destinations = (peers?.Items ?? [PodPeer.AllPods])
            .Select(peer => (Peer: peer, Pods: peer is IpBlockPeer block
                ? _set.Pods.Where(p => p.Addresses.Any(block.Contains)).ToList()
                : PodsOf(peer)))
            .ToList();
        var numbers = destinations.SelectMany(d => d.Pods).Select(p => p.Resolve(port.Name!, port.Protocol))
            .OfType<int>().Distinct().Order();
        foreach (var number in numbers)
        {
            var sets = new List<(string Name, bool IPv6)>();
            foreach (var (peer, pods) in destinations)
            {
                var resolved = pods.Where(p => p.Resolve(port.Name!, port.Protocol) == number).ToList();
                foreach (var ipv6 in Families(peer))
                {
                    var setName = _naming.NamedPortAddressSet(peer, port.Protocol, port.Name!, number, ipv6);
                    sets.Add((setName, ipv6));
                    if (_addressSets.ContainsKey(setName))
                    {
                        // Shared with an earlier rule: its addresses are the same, and sorting them again is not free.
                        continue;
                    }

                    var addresses = resolved.SelectMany(p => p.Addresses)
                        .Where(a => (a.AddressFamily == AddressFamily.InterNetworkV6) == ipv6 && (peer is not IpBlockPeer b || b.Contains(a)))
                        .Select(a => a.ToString());
                    AddAddressSet(setName, addresses, Ids((OwnerTypeKey, "NamedPort"), (OwnerKey, peer.Key), ("port", NamedPortText(port, number)),
                        ("ip-family", ipv6 ? "ip6" : "ip4")));
                }
            }

            var text = number.ToString(CultureInfo.InvariantCulture);
            group.Acls.Add(Acl(PolicyDirection.Egress, _options.AllowPriority,
                And(portMatch, AddressMatch(PolicyDirection.Egress, sets), L4Match(port.Protocol, number, null)),
                "allow-related", $"{name}:{text}", policy, logging, Ids([.. ids, ("port-number", text)])));
        }
    }

    private static string NamedPortText(PortModel port, int number) =>
        $"{port.Name}/{port.Protocol.ToString().ToUpperInvariant()}={number.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The address sets standing for a peer, created on first use: both families for pods, one for an ipBlock.</summary>
    private IEnumerable<(string Name, bool IPv6)> PeerAddressSets(PeerModel peer)
    {
        foreach (var ipv6 in Families(peer))
        {
            var name = _naming.PeerAddressSet(peer, ipv6);
            if (!_addressSets.ContainsKey(name))
            {
                var (type, addresses) = peer switch
                {
                    IpBlockPeer block => ("IPBlock", block.Prefixes().Select(p => p.ToString())),
                    _ => ("PodSelector", PodsOf(peer).SelectMany(p => p.Addresses)
                        .Where(a => (a.AddressFamily == AddressFamily.InterNetworkV6) == ipv6).Select(a => a.ToString())),
                };
                AddAddressSet(name, addresses, Ids((OwnerTypeKey, type), (OwnerKey, peer.Key), ("ip-family", ipv6 ? "ip6" : "ip4")));
            }

            yield return (name, ipv6);
        }
    }

    private static bool[] Families(PeerModel peer) => peer is IpBlockPeer block ? [block.Cidr.IsIPv6] : [false, true];

    private void AddAddressSet(string name, IEnumerable<string> addresses, EquatableMap ids) =>
        _addressSets.TryAdd(name, new AddressSetRow { Name = name, Addresses = addresses.ToSortedSet(), ExternalIds = ids });

    private IReadOnlyList<PodModel> PodsOf(PeerModel peer)
    {
        if (!_peerPods.TryGetValue(peer, out var pods))
        {
            var pod = (PodPeer)peer;
            pods = _set.Namespaces.Where(pod.MatchesNamespace).SelectMany(n => _podsByNamespace[n.Name])
                .Where(p => pod.PodSelector.Matches(p.Labels)).ToList();
            _peerPods.Add(peer, pods);
        }

        return pods;
    }

    private static string PortMatch(PolicyDirection direction, string portGroup) =>
        (direction == PolicyDirection.Ingress ? "outport == @" : "inport == @") + portGroup;

    /// <summary><c>(ip4.src == {$a_ip4, $b_ip4} || ip6.src == {$a_ip6, $b_ip6})</c>: the peer's side of the packet.</summary>
    private static string AddressMatch(PolicyDirection direction, IEnumerable<(string Name, bool IPv6)> sets)
    {
        var side = direction == PolicyDirection.Ingress ? "src" : "dst";
        var terms = sets.Distinct().GroupBy(s => s.IPv6).OrderBy(g => g.Key)
            .Select(g => $"{(g.Key ? "ip6" : "ip4")}.{side} == {SetText(g.Select(s => "$" + s.Name).ToList())}")
            .ToList();
        return terms.Count == 1 ? terms[0] : "(" + string.Join(" || ", terms) + ")";
    }

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

    private AclRow Acl(PolicyDirection direction, int priority, string match, string action, string name, PolicyModel? policy,
        string? severity, EquatableMap ids)
    {
        var aclName = Naming.AclName(name, out var shortened);
        var owner = policy is null ? "Namespace " + ids[OwnerKey] : "NetworkPolicy " + policy.Key;
        if (shortened && !_warnings.Any(w => w.Object == owner))
        {
            // One warning per object: the first name shortened shows the scheme; the others follow it.
            _warnings.Add(new CompileDiagnostic(CompileDiagnosticCodes.AclNameTruncated, CompileDiagnosticSeverity.Warning,
                $"ACL name '{name}' is longer than {Naming.MaxAclNameLength} characters; shortened to '{aclName}' (and likewise for its other ACLs)",
                policy?.Source, owner, "metadata.name"));
        }

        return new AclRow
        {
            Direction = direction == PolicyDirection.Ingress ? "to-lport" : "from-lport",
            Priority = priority,
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

    private sealed class PortGroupBuilder(string name, EquatableMap externalIds)
    {
        public string Name { get; } = name;

        public HashSet<string> Ports { get; } = new(StringComparer.Ordinal);

        public List<AclRow> Acls { get; } = [];

        public PortGroupRow Build() => new()
        {
            Name = Name,
            Ports = Ports.ToSortedSet(),
            ExternalIds = externalIds,
            Acls = Acls.ToEquatableArray(),
        };
    }
}
