using System.Globalization;
using OvnAcl.Collections;
using OvnAcl.Kubernetes.Model;
using OvnAcl.Northbound;
using OvnAcl.Reconciliation;

namespace OvnAcl.Kubernetes.Compilation;

/// <summary>
/// The cluster-scoped tiers, flattened for OVN without ACL tiers (23.03, NB schema 7.0.0): every rule of the Admin
/// tier gets an ACL priority of its own above NetworkPolicy's (highest precedence highest), every Baseline rule one
/// below NetworkPolicy's default deny, so the first matching rule is the highest-priority matching ACL. OVN cannot
/// jump from one priority to a lower one, so a Pass rule has no ACL: its traffic is taken out of every lower rule of its
/// tier instead, positively (PolicyShaper.Pass: the ways out of the Pass as selector complements, prefixes and ports,
/// never a negated set) — so rows depend on selectors, never on which pods exist. See docs/admin-policy.md.
/// </summary>
internal sealed partial class PolicyShaper
{
    /// <summary>With <see cref="KubernetesCompileOptions.AclTiers"/>: NetworkPolicy's rows (and namespaces', nodes') in tier 2, as ovn-kubernetes.</summary>
    private int NetworkPolicyTier => _options.AclTiers ? 2 : 0;

    /// <summary>The Admin tier's highest ACL priority; rules go down from it, one priority each.</summary>
    public const int AdminHighestPriority = 30000;

    /// <summary>The lowest priority the Admin tier may use: above NetworkPolicy's allows and the node allowance.</summary>
    public static int AdminLowestPriority(KubernetesCompileOptions options) => Math.Max(options.AllowPriority, options.NodeAllowPriority) + 1;

    /// <summary>The Baseline tier's highest priority: just below NetworkPolicy's default deny, which decides every isolated pod first.</summary>
    public static int BaselineHighestPriority(KubernetesCompileOptions options) => options.DefaultDenyPriority - 1;

    /// <summary>How many rules of one tier and direction fit in the priorities the flattened form has for it.</summary>
    public static int RulesThatFit(AdminTier tier, KubernetesCompileOptions options) =>
        tier == AdminTier.Admin ? AdminHighestPriority - AdminLowestPriority(options) + 1 : BaselineHighestPriority(options);

    /// <summary>
    /// Every cluster policy's rows, in one shape: a rule's priority depends on the rules above it, and a Pass on the
    /// rules below. <paramref name="policies"/> are in evaluation order (<see cref="AdminPolicyModel.CompareEvaluationOrder"/>).
    /// Nodes matter only for <c>nodes</c> peers, whose address sets list the selected nodes' addresses.
    /// </summary>
    public PolicyShape ShapeAdminTiers(IReadOnlyList<AdminPolicyModel> policies, IReadOnlyCollection<NodeModel> nodes)
    {
        Reset();
        var acls = new Dictionary<string, List<AclRow>>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            var group = _naming.AdminPortGroup(policy.ShortKind, policy.Name);
            acls[group] = [];
            Feed(DesiredRowKind.PortGroup, group, PodQuery.Of(policy.Subject), null, FeedOutput.LogicalSwitchPort);
        }

        foreach (var tier in (AdminTier[])[AdminTier.Admin, AdminTier.Baseline])
        {
            foreach (var direction in (PolicyDirection[])[PolicyDirection.Ingress, PolicyDirection.Egress])
            {
                var priority = tier == AdminTier.Admin ? AdminHighestPriority : BaselineHighestPriority(_options);
                var floor = tier == AdminTier.Admin ? AdminLowestPriority(_options) : 1;
                var passes = new List<(AdminPolicyModel Policy, AdminRuleModel Rule)>();
                foreach (var policy in policies.Where(p => p.Tier == tier))
                {
                    var group = _naming.AdminPortGroup(policy.ShortKind, policy.Name);
                    foreach (var rule in policy.Rules(direction))
                    {
                        // The reader refuses sets with more rules than fit; the engine's own check keeps this a guard.
                        var at = Math.Max(priority--, floor);
                        if (rule.Action == AdminAction.Pass && !_options.AclTiers)
                        {
                            passes.Add((policy, rule));
                            continue;
                        }

                        AddAdminRule(policy, rule, direction, at, group, passes, nodes, acls[group]);
                    }
                }
            }
        }

        foreach (var policy in policies)
        {
            var group = _naming.AdminPortGroup(policy.ShortKind, policy.Name);
            Declare(DesiredRowKind.PortGroup, group, Ids((OwnerTypeKey, policy.Kind), (OwnerKey, policy.Name)), acls[group]);
        }

        return Take();
    }

    private void AddAdminRule(AdminPolicyModel policy, AdminRuleModel rule, PolicyDirection direction, int priority, string group,
        List<(AdminPolicyModel Policy, AdminRuleModel Rule)> passes, IReadOnlyCollection<NodeModel> nodes, List<AclRow> acls)
    {
        var dir = direction.ToString().ToLowerInvariant();
        var name = $"{policy.ShortKind}:{policy.Name}:{dir}:{rule.Label}";
        var ruleIds = new (string, string)[]
        {
            (OwnerTypeKey, policy.Kind), (OwnerKey, policy.Name), ("direction", direction.ToString()),
            ("rule-index", rule.Index.ToString(CultureInfo.InvariantCulture)), ("tier", policy.Tier.ToString()),
        };
        if (rule.Name is { } ruleName)
        {
            ruleIds = [.. ruleIds, ("rule-name", ruleName)];
        }

        var action = rule.Action switch { AdminAction.Allow => "allow-related", AdminAction.Deny => "drop", _ => "pass" };
        var peerSets = rule.Peers.SelectMany(p => AdminPeerSets(p, nodes)).ToList();

        foreach (var alternative in Alternatives(policy.Subject, rule, direction))
        {
            // Each family its own ACL: a pass of the other family cannot match, and is left out of the negation.
            var sets = alternative.PeerSets ?? peerSets;
            foreach (var family in sets.GroupBy(s => s.IPv6).OrderBy(g => g.Key))
            {
                var ipv6 = family.Key;
                var fam = ipv6 ? "ip6" : "ip4";
                var side = direction == PolicyDirection.Ingress ? "src" : "dst";
                var parts = passes.Where(p => MayOverlap(policy, rule, alternative, p.Policy, p.Rule))
                    .SelectMany(p => PassParts(p.Policy, p.Rule, direction, ipv6, alternative.Ports)).ToList();
                var ids = (alternative.Ports is { } port ? ruleIds.Append(("port", AdminPortText(alternative, port))) : ruleIds).Append(("ip-family", fam)).ToArray();
                var tier = _options.AclTiers ? (policy.Tier == AdminTier.Admin ? 1 : 3) : 0;
                var own = $"{fam}.{side} == {SetText([.. family.Select(s => "$" + s.Name).Distinct()])}";
                foreach (var escape in Escapes(parts, rule, alternative, direction, ipv6, nodes))
                {
                    var match = And([
                        PortMatch(direction, alternative.PortGroup ?? group),
                        escape.Peer ?? own,
                        alternative.L4,
                        escape.Subject,
                        .. escape.Ports,
                    ]);
                    acls.Add(Acl(direction, priority, tier, match, action, name, policy.Kind + " " + policy.Name, policy.Source, null, Ids(ids)));
                }
            }
        }
    }

    /// <summary>
    /// What one rule matches, split by port: (port group of the subject pods, null for the policy's own; peer sets,
    /// null for the rule's; L4 match, null for all traffic). A named port resolves per pod: on ingress to the subject
    /// pods where it means a number (a port group per number), on egress to the peer pods where it does (address
    /// sets per number), as for NetworkPolicy.
    /// </summary>
    private IEnumerable<RuleAlternative> Alternatives(PodPeer subject, AdminRuleModel rule, PolicyDirection direction)
    {
        if (rule.Ports.Count == 0)
        {
            yield return new(null, null, null, null);
            yield break;
        }

        foreach (var port in rule.Ports)
        {
            if (port.Name is null)
            {
                yield return new(null, null, port, null);
                continue;
            }

            if (direction == PolicyDirection.Ingress)
            {
                var query = PodQuery.Of(subject);
                foreach (var number in Numbers(query, port.Protocol, port.Name))
                {
                    var pg = _naming.AdminNamedPortGroup(subject, port.Protocol, port.Name, number);
                    if (!IsDeclared(DesiredRowKind.PortGroup, pg))
                    {
                        Declare(DesiredRowKind.PortGroup, pg, Ids((OwnerTypeKey, "NamedPort"), (OwnerKey, subject.Key), ("port", NamedPortText(port, number))));
                        Feed(DesiredRowKind.PortGroup, pg, query, new NamedPortFilter(port.Protocol, port.Name, number), FeedOutput.LogicalSwitchPort);
                    }

                    yield return new(pg, null, new PortModel(port.Protocol, number, null, null), (port, number));
                }

                continue;
            }

            // Egress: the reader allows named ports only with pod peers.
            var peers = rule.Peers.Items.OfType<PodPeer>().ToList();
            var numbers = peers.SelectMany(p => Numbers(PodQuery.Of(p), port.Protocol, port.Name)).Distinct().Order().ToList();
            foreach (var number in numbers)
            {
                yield return new(null, [.. peers.SelectMany(p => NamedPeerSets(p, port.Protocol, port.Name, number))], new PortModel(port.Protocol, number, null, null), (port, number));
            }
        }
    }

    /// <summary>
    /// Whether a Pass rule can take anything out of a lower rule, judged from selectors, prefixes and ports alone (so
    /// rows stay independent of which pods exist): their subjects, and every pair of their peers, must be able to
    /// meet. Pruning what cannot keeps a tier of many policies with disjoint subjects (one per namespace) from
    /// writing every Pass rule into every lower rule.
    /// </summary>
    private static bool MayOverlap(AdminPolicyModel lowerPolicy, AdminRuleModel lower, RuleAlternative alternative, AdminPolicyModel passPolicy, AdminRuleModel pass)
    {
        if (PodsDisjoint(lowerPolicy.Subject, passPolicy.Subject))
        {
            return false;
        }

        if (!lower.Peers.Any(a => pass.Peers.Any(b => !PeersDisjoint(a, b))))
        {
            return false;
        }

        return alternative.Ports is not { } ports || pass.Ports.Count == 0 || pass.Ports.Any(p => PortsMayOverlap(ports, p));
    }

    /// <summary>
    /// Whether <paramref name="pass"/> may take anything out of the lower rule <paramref name="lower"/>, over all of the
    /// lower rule's ports (a named port counts as meeting any): what <see cref="MayOverlap"/> says of some alternative.
    /// </summary>
    internal static bool PassMayOverlap(AdminPolicyModel lowerPolicy, AdminRuleModel lower, AdminPolicyModel passPolicy, AdminRuleModel pass) =>
        !PodsDisjoint(lowerPolicy.Subject, passPolicy.Subject)
        && lower.Peers.Any(a => pass.Peers.Any(b => !PeersDisjoint(a, b)))
        && (lower.Ports.Count == 0 || pass.Ports.Count == 0 || lower.Ports.Any(l => pass.Ports.Any(p => PortsMayOverlap(l, p))));

    private static bool PodsDisjoint(PodPeer a, PodPeer b) =>
        (a.NamespaceSelector is { } x && b.NamespaceSelector is { } y && LabelSelectorModel.ProvablyDisjoint(x, y))
        || LabelSelectorModel.ProvablyDisjoint(a.PodSelector, b.PodSelector);

    internal static bool PeersDisjoint(PeerModel a, PeerModel b) => (a, b) switch
    {
        (PodPeer x, PodPeer y) => PodsDisjoint(x, y),
        (IpBlockPeer x, IpBlockPeer y) => x.Cidr.IsIPv6 != y.Cidr.IsIPv6 || !(x.Cidr.Contains(y.Cidr) || y.Cidr.Contains(x.Cidr)),
        (NodePeer x, NodePeer y) => LabelSelectorModel.ProvablyDisjoint(x.Selector, y.Selector),
        _ => false,
    };

    /// <summary>Same protocol and meeting ranges (a port without a number is every port; a named one may be any).</summary>
    private static bool PortsMayOverlap(PortModel a, PortModel b)
    {
        if (a.Protocol != b.Protocol)
        {
            return false;
        }

        if (a.Number is not { } aStart || b.Number is not { } bStart || a.Name is not null || b.Name is not null)
        {
            return true;
        }

        var aEnd = a.EndNumber ?? aStart;
        var bEnd = b.EndNumber ?? bStart;
        return aStart <= bEnd && bStart <= aEnd;
    }

    /// <summary><c>TCP/80</c>, <c>TCP/79-80</c>, <c>UDP</c>, or a named port with what it resolved to: <c>web/TCP=8080</c>.</summary>
    private static string AdminPortText(RuleAlternative alternative, PortModel port)
    {
        var protocol = port.Protocol.ToString().ToUpperInvariant();
        return alternative.Named is { } named
            ? NamedPortText(named.Port.Name!, port.Protocol, named.Number)
            : protocol + (port.Number is { } n ? "/" + n.ToString(CultureInfo.InvariantCulture) + (port.EndNumber is { } e ? "-" + e.ToString(CultureInfo.InvariantCulture) : "") : "");
    }

    /// <summary>Every IP protocol number but the protocol's: <c>{0, 1, …, 5, 7, …, 255}</c> for TCP.</summary>
    private static string OtherProtocols(L4Protocol protocol)
    {
        var number = protocol switch { L4Protocol.Tcp => 6, L4Protocol.Udp => 17, _ => 132 };
        return "{" + string.Join(", ", Enumerable.Range(0, 256).Where(n => n != number).Select(n => n.ToString(CultureInfo.InvariantCulture))) + "}";
    }

    /// <summary>
    /// One part of what a rule matches: the port group of its subject pods (null: the policy's own), its peer address
    /// sets (null: the rule's), its L4 match (null: all traffic), and the named port with the number it resolved to.
    /// </summary>
    private sealed record RuleAlternative(string? PortGroup, List<(string Name, bool IPv6)>? PeerSets, PortModel? Ports, (PortModel Port, int Number)? Named)
    {
        public string? L4 => Ports is { } p ? L4Match(p.Protocol, p.Number, p.EndNumber) : null;
    }

    /// <summary>A cluster policy peer's address sets: pods and networks as for NetworkPolicy, nodes by their status addresses.</summary>
    private IEnumerable<(string Name, bool IPv6)> AdminPeerSets(PeerModel peer, IReadOnlyCollection<NodeModel> nodes)
    {
        if (peer is not NodePeer nodePeer)
        {
            foreach (var set in PeerAddressSets(peer))
            {
                yield return set;
            }

            yield break;
        }

        foreach (var ipv6 in (bool[])[false, true])
        {
            var name = _naming.NodeSelectorAddressSet(nodePeer, ipv6);
            if (!IsDeclared(DesiredRowKind.AddressSet, name))
            {
                var members = nodes.Where(n => nodePeer.Selector.Matches(n.Labels))
                    .SelectMany(n => n.StatusAddresses.Items)
                    .Where(a => (a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) == ipv6)
                    .Select(a => a.ToString());
                Declare(DesiredRowKind.AddressSet, name, Ids((OwnerTypeKey, "NodeSelector"), (OwnerKey, nodePeer.Key), ("ip-family", ipv6 ? "ip6" : "ip4")),
                    staticMembers: members);
            }

            yield return (name, ipv6);
        }
    }
}
