using System.Globalization;
using k8s.Models;
using OvnAcl.Collections;
using OvnAcl.Northbound;

namespace OvnAcl.Benchmarking;

/// <summary>
/// The peer formulation of <c>ovnacl bench enforce</c>: the Northbound rows ovn-kubernetes writes for the same
/// NetworkPolicies, written here from a reading of its sources (our code, none of theirs):
/// <list type="bullet">
/// <item>go-controller/pkg/ovn/gress_policy.go: one ACL per port policy (and one more per ipBlock), priority
/// <c>DefaultAllowPriority</c> (1001), <c>allow-related</c>; selector peers as <c>ip4.src == {$as1, $as2}</c>, an ipBlock as
/// <c>ip4.src == CIDR &amp;&amp; ip4.src != {EXCEPT, …}</c> (<c>getMatchFromIPBlock</c>), then the L4 match
/// (<c>tcp &amp;&amp; tcp.dst==8080</c>), then <c>outport == @PG</c> for ingress (<c>buildLocalPodACLs</c>);</item>
/// <item>go-controller/pkg/ovn/policy.go: a port group per policy with the selected pods' ports, and per namespace a
/// default-deny port group with a <c>drop</c> at <c>DefaultDenyPriority</c> (1000) on <c>outport == @PG</c> and an
/// <c>allow</c> of <c>(arp || nd)</c> at 1001 (<c>buildDenyACLs</c>, <c>arpAllowPolicyMatch</c>);</item>
/// <item>go-controller/pkg/ovn/address_set/address_set.go: one address set per peer selector holding the IPs of the
/// pods it selects (ovn-kubernetes names them by a hash of their owner; the names here are readable, which changes
/// no flow);</item>
/// <item>go-controller/pkg/ovn/base_network_controller_namespace.go: an address set per namespace with the IPs of all
/// its pods, kept for every namespace; a peer with a <c>namespaceSelector</c> and no <c>podSelector</c> matches the sets
/// of the namespaces it selects (<c>addNamespaceAddressSet</c> in gress_policy.go);</item>
/// <item>a named port: <c>addPortPolicy</c> (gress_policy.go) keeps <c>Port.IntVal</c>, which is 0 for a name, so the
/// L4 match is the bare protocol and every port of it is admitted (ovn-kubernetes issue #2117, "network policy allowing
/// named port also allows traffic on different port with same protocol"). The peer is written as it behaves: its
/// flows for the named-port shape admit more than the policy says.</item>
/// </list>
/// IPv4 only, ingress only, <c>matchLabels</c> selectors only: what the shapes use. to-lport, as ovn-kubernetes writes
/// ingress policies; tier 0 rather than its <c>DefaultACLTier</c> (2), because OVN 23.03's NB has no ACL tier column
/// (ovn-kubernetes writes the tier only where the schema has it, and with every ACL in one tier it orders nothing). Not written: the cluster-wide port groups and hairpin ACLs
/// ovn-kubernetes adds once per cluster, which are the same for every shape.
/// </summary>
internal static class OvnKubernetesFormulation
{
    public const int DefaultAllowPriority = 1001;
    public const int DefaultDenyPriority = 1000;
    public const int AclTier = 0;

    public static NorthboundRows Rows(IReadOnlyList<V1NetworkPolicy> policies, IReadOnlyList<V1Pod> pods, IReadOnlyList<V1Namespace> namespaces, Func<V1Pod, string> portName)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(namespaces);
        ArgumentNullException.ThrowIfNull(portName);
        var portGroups = new List<PortGroupRow>();
        var addressSets = new Dictionary<string, AddressSetRow>(StringComparer.Ordinal);
        var defaultDeny = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var ns in namespaces)
        {
            var name = NamespaceAddressSet(ns.Metadata.Name);
            addressSets[name] = new AddressSetRow
            {
                Name = name,
                Addresses = pods.Where(p => p.Metadata.NamespaceProperty == ns.Metadata.Name).Select(p => p.Status.PodIP).Order(StringComparer.Ordinal).ToEquatableArray(),
            };
        }

        foreach (var policy in policies)
        {
            var ns = policy.Metadata.NamespaceProperty;
            var pg = Sanitize($"{ns}_{policy.Metadata.Name}");
            var selected = pods.Where(p => p.Metadata.NamespaceProperty == ns && Matches(policy.Spec.PodSelector, p.Metadata.Labels)).Select(portName).Order(StringComparer.Ordinal).ToList();
            var deny = defaultDeny.TryGetValue(ns, out var set) ? set : defaultDeny[ns] = new SortedSet<string>(StringComparer.Ordinal);
            deny.UnionWith(selected);

            var acls = new List<AclRow>();
            var lportMatch = "outport == @" + pg;
            for (var gress = 0; gress < (policy.Spec.Ingress?.Count ?? 0); gress++)
            {
                var rule = policy.Spec.Ingress![gress];
                var peerSets = new SortedSet<string>(StringComparer.Ordinal);
                var ipBlocks = new List<V1IPBlock>();
                var hasPeerSelector = false;
                for (var peer = 0; peer < (rule.FromProperty?.Count ?? 0); peer++)
                {
                    var from = rule.FromProperty![peer];
                    if (from.IpBlock is { } block)
                    {
                        ipBlocks.Add(block);
                        continue;
                    }

                    hasPeerSelector = true;
                    if (from.PodSelector is null && from.NamespaceSelector is { } namespaceSelector)
                    {
                        peerSets.UnionWith(namespaces.Where(n => Matches(namespaceSelector, n.Metadata.Labels)).Select(n => "$" + NamespaceAddressSet(n.Metadata.Name)));
                        continue;
                    }

                    var name = Sanitize($"{pg}_ingress_{gress}_{peer}_v4");
                    addressSets[name] = new AddressSetRow
                    {
                        Name = name,
                        Addresses = pods.Where(p => SelectsPeer(from, ns, p, namespaces)).Select(p => p.Status.PodIP).Order(StringComparer.Ordinal).ToEquatableArray(),
                    };
                    peerSets.Add("$" + name);
                }

                List<string?> l4Matches = rule.Ports is { Count: > 0 } ports ? [.. ports.Select(L4Match)] : [null];
                // gressPolicy.isEmpty: no selector and no ipBlock admits everyone; a selector that selects nothing, no one.
                var isEmpty = !hasPeerSelector && ipBlocks.Count == 0;
                foreach (var l4 in l4Matches)
                {
                    var tail = l4 is null ? lportMatch : $"{l4} && {lportMatch}";
                    foreach (var block in ipBlocks)
                    {
                        var l3 = block.Except is { Count: > 0 } except
                            ? $"ip4.src == {block.Cidr} && ip4.src != {{{string.Join(", ", except)}}}"
                            : $"ip4.src == {block.Cidr}";
                        acls.Add(Allow($"{l3} && {tail}"));
                    }

                    if (peerSets.Count > 0 || isEmpty)
                    {
                        acls.Add(Allow(isEmpty ? $"ip4 && {tail}" : $"ip4.src == {{{string.Join(", ", peerSets)}}} && {tail}"));
                    }
                }
            }

            portGroups.Add(new PortGroupRow { Name = pg, Ports = selected.ToEquatableArray(), Acls = acls.ToEquatableArray() });
        }

        foreach (var (ns, ports) in defaultDeny)
        {
            var pg = Sanitize(ns + "_ingressDefaultDeny");
            portGroups.Add(new PortGroupRow
            {
                Name = pg,
                Ports = ports.ToEquatableArray(),
                Acls = new[]
                {
                    Acl(DefaultDenyPriority, "outport == @" + pg, "drop"),
                    Acl(DefaultAllowPriority, $"outport == @{pg} && (arp || nd)", "allow"),
                }.ToEquatableArray(),
            });
        }

        return NorthboundRows.Create(portGroups, addressSets.Values);
    }

    /// <summary><c>portPolicy.getL4Match</c>: <c>tcp &amp;&amp; tcp.dst==80</c>, a range as <c>80&lt;=tcp.dst&lt;=90</c>, or the bare protocol.</summary>
    private static string L4Match(V1NetworkPolicyPort port)
    {
        var protocol = (port.Protocol ?? "TCP").ToLowerInvariant();
        if (port.Port is null || !int.TryParse(port.Port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            // No port, or a named one (IntVal 0): the bare protocol.
            return protocol;
        }

        var number = int.Parse(port.Port.Value, CultureInfo.InvariantCulture);
        return port.EndPort is { } end && end != number
            ? string.Create(CultureInfo.InvariantCulture, $"{protocol} && {number}<={protocol}.dst<={end}")
            : string.Create(CultureInfo.InvariantCulture, $"{protocol} && {protocol}.dst=={number}");
    }

    private static AclRow Allow(string match) => Acl(DefaultAllowPriority, match, "allow-related");

    private static AclRow Acl(int priority, string match, string action) =>
        new() { Direction = "to-lport", Priority = priority, Match = match, Action = action, Tier = AclTier };

    private static bool SelectsPeer(V1NetworkPolicyPeer peer, string policyNamespace, V1Pod pod, IReadOnlyList<V1Namespace> namespaces)
    {
        var inNamespace = peer.NamespaceSelector is null
            ? pod.Metadata.NamespaceProperty == policyNamespace
            : namespaces.Any(n => n.Metadata.Name == pod.Metadata.NamespaceProperty && Matches(peer.NamespaceSelector, n.Metadata.Labels));
        return inNamespace && (peer.PodSelector is null || Matches(peer.PodSelector, pod.Metadata.Labels));
    }

    private static bool Matches(V1LabelSelector? selector, IDictionary<string, string>? labels)
    {
        if (selector?.MatchExpressions is { Count: > 0 })
        {
            throw new NotSupportedException("the ovn-kubernetes formulation reads matchLabels only");
        }

        return selector?.MatchLabels is not { } wanted
            || wanted.All(w => labels is not null && labels.TryGetValue(w.Key, out var value) && value == w.Value);
    }

    private static string NamespaceAddressSet(string ns) => Sanitize(ns + "_v4");

    // OVN names may not hold '-' in a match's @name/$name; ovn-kubernetes hashes its names for the same reason.
    private static string Sanitize(string name) => name.Replace('-', '_').Replace('.', '_');
}
