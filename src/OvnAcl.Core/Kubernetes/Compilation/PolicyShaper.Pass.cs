using System.Globalization;
using OvnAcl.Collections;
using OvnAcl.Kubernetes.Model;

namespace OvnAcl.Kubernetes.Compilation;

/// <summary>
/// A Pass rule taken out of the lower rules of its tier when they are flattened (OVN without ACL tiers), without a
/// negated address set: ovn-controller expands <c>!(ip4.dst == $set)</c> as a cross product of every member's bit
/// terms, exponential in the pods. The traffic a lower rule keeps under a Pass is what escapes the Pass one way or
/// another: another subject (the complement of the Pass subject's selectors, written as selectors: <c>NotIn</c> for
/// <c>In</c>, <c>DoesNotExist</c> for <c>Exists</c>), another peer (the lower rule's peers with the Pass peers'
/// complements added, or a network's prefixes with the Pass's removed), or another port or protocol. Under several
/// Pass rules the lower rule becomes one ACL per way of escaping them all; every set stays an address set fed from
/// selectors, so rows still depend on selectors only and a pod event moves members. docs/admin-policy.md.
/// </summary>
internal sealed partial class PolicyShaper
{
    /// <summary>One alternative of a Pass rule in one family, as the lower rule must escape it.</summary>
    /// <param name="Subject">The Pass rule's subject (the lower rule escapes it by a subject outside it).</param>
    /// <param name="Peers">The Pass rule's peers that can be of the family (escaped by a peer outside them all).</param>
    /// <param name="PortEscapes">Ways out by port or protocol (empty when the Pass has every port).</param>
    private sealed record PassPart(PodPeer Subject, IReadOnlyList<PeerModel> Peers, IReadOnlyList<string> PortEscapes);

    /// <summary>One ACL's share of a lower rule: its peer match (null: the rule's own), its subject match, its port terms.</summary>
    private sealed record Escape(string? Peer, string? Subject, IReadOnlyList<string> Ports);

    /// <summary>
    /// Whether the flattened form can take <paramref name="pass"/> out of <paramref name="lower"/> positively: Pass
    /// and lower rules without named ports on the side a named port restricts, pod peers against pod peers and networks
    /// against networks (a network minus pods, or pods against nodes, have no positive spelling).
    /// </summary>
    internal static bool PassExpressible(AdminRuleModel lower, AdminPolicyModel passPolicy, AdminRuleModel pass, PolicyDirection direction) =>
        passPolicy.Subject.Namespace is null
        && pass.Ports.All(p => p.Name is null)
        && (direction == PolicyDirection.Ingress || lower.Ports.All(p => p.Name is null))
        && lower.Peers.All(l => pass.Peers.All(p => PeersDisjoint(l, p) || (l, p) switch
        {
            (PodPeer a, PodPeer b) => a.Namespace is null && b.Namespace is null,
            (IpBlockPeer, IpBlockPeer) => true,
            _ => false,
        }));

    /// <summary>The parts of a Pass rule a lower rule of <paramref name="lowerPorts"/> must escape, in one family.</summary>
    private IEnumerable<PassPart> PassParts(AdminPolicyModel policy, AdminRuleModel rule, PolicyDirection direction, bool ipv6, PortModel? lowerPorts)
    {
        var peers = rule.Peers.Where(p => p is not IpBlockPeer block || block.Cidr.IsIPv6 == ipv6).ToList();
        if (peers.Count == 0)
        {
            yield break;
        }

        foreach (var alternative in Alternatives(policy.Subject, rule, direction))
        {
            if (alternative.Named is not null)
            {
                throw new InvalidOperationException($"{policy.Kind} {policy.Name}: a named port in a Pass overlapping a lower rule is refused by the reader (OVNK0409)");
            }

            if (alternative.Ports is not { } ports)
            {
                yield return new(policy.Subject, peers, []);
                continue;
            }

            if (lowerPorts is not null && !PortsMayOverlap(lowerPorts, ports))
            {
                continue;
            }

            // OVN negates no protocol (tcp is a nominal predicate), and a negated L4 field keeps its prerequisite
            // positive (!(tcp.dst == 80) is false for UDP): another port of the same protocol, or (only where the
            // lower rule is not of one protocol itself) another protocol.
            var p = ports.Protocol.ToString().ToLowerInvariant();
            var otherPort = (ports.Number, ports.EndNumber) switch
            {
                (null, _) => null,
                ({ } n, null) => $"{p}.dst != {n.ToString(CultureInfo.InvariantCulture)}",
                ({ } n, { } e) => $"({p}.dst < {n.ToString(CultureInfo.InvariantCulture)} || {p}.dst > {e.ToString(CultureInfo.InvariantCulture)})",
            };
            List<string> escapes = lowerPorts is not null
                ? otherPort is null ? [] : [otherPort]
                : otherPort is null ? [$"ip.proto == {OtherProtocols(ports.Protocol)}"] : [$"ip.proto == {OtherProtocols(ports.Protocol)}", $"{p} && {otherPort}"];
            yield return new(policy.Subject, peers, escapes);
        }
    }

    /// <summary>
    /// Every way the lower rule's traffic escapes all of <paramref name="parts"/>: for each part one choice of subject,
    /// peer or one of its port escapes; the choices of a kind meet (subjects outside every chosen Pass subject, peers
    /// outside every chosen Pass peer). Ways that provably select nothing are left out.
    /// </summary>
    private IEnumerable<Escape> Escapes(IReadOnlyList<PassPart> parts, AdminRuleModel lower, RuleAlternative alternative, PolicyDirection direction, bool ipv6,
        IReadOnlyCollection<NodeModel> nodes)
    {
        var fam = ipv6 ? "ip6" : "ip4";
        var (subjectSide, peerSide) = direction == PolicyDirection.Ingress ? ("dst", "src") : ("src", "dst");
        var groups = parts.GroupBy(p => p.Subject).Select(g => (Subject: g.Key, Parts: g.ToList())).ToList();
        if (groups.Count > 1 && SubjectsDisjoint(groups.Select(g => g.Subject).ToList()))
        {
            // Pass subjects that exclude each other (one Pass per tenant): a pod is in at most one, so the rule keeps
            // what is outside them all, and, in each, what escapes that subject's Passes by peer or port: one ACL per
            // way, not one per combination of every Pass.
            if (Build(groups.Select(g => g.Subject).ToList(), [], [], within: null) is { } outside)
            {
                yield return outside;
            }

            foreach (var (subject, group) in groups)
            {
                foreach (var escape in Combinations(group, firstChoice: 1, subject))
                {
                    yield return escape;
                }
            }

            yield break;
        }

        foreach (var escape in Combinations(parts, firstChoice: 0, within: null))
        {
            yield return escape;
        }

        // Every choice per part (0: another subject, 1: another peer, 2 + i: port escape i) from firstChoice on.
        IEnumerable<Escape> Combinations(IReadOnlyList<PassPart> chosen, int firstChoice, PodPeer? within)
        {
            var choices = Enumerable.Repeat(firstChoice, chosen.Count).ToArray();
            while (true)
            {
                var subjects = chosen.Where((_, i) => choices[i] == 0).Select(p => p.Subject).Distinct().ToList();
                var passPeers = chosen.Where((_, i) => choices[i] == 1).SelectMany(p => p.Peers).Distinct().ToList();
                var ports = chosen.Select((p, i) => choices[i] >= 2 ? p.PortEscapes[choices[i] - 2] : null).OfType<string>().Distinct().ToList();
                if (Build(subjects, passPeers, ports, within) is { } escape)
                {
                    yield return escape;
                }

                // The next combination; done after the last.
                var k = 0;
                while (k < chosen.Count && ++choices[k] >= 2 + chosen[k].PortEscapes.Count)
                {
                    choices[k++] = firstChoice;
                }

                if (k == chosen.Count)
                {
                    yield break;
                }
            }
        }

        // within: the subject the pod is known to be in (its address set is the subject match), null for any.
        Escape? Build(List<PodPeer> subjects, List<PeerModel> passPeers, List<string> ports, PodPeer? within)
        {
            string? subject = within is null ? null : $"{fam}.{subjectSide} == {SetText([.. PeerAddressSets(within).Where(s => s.IPv6 == ipv6).Select(s => "$" + s.Name)])}";
            if (subjects.Count > 0)
            {
                var outside = subjects.Aggregate((IEnumerable<PodPeer>)[PodPeer.AllPods], (within, s) => within.SelectMany(w => Complement(s).Select(c => Meet(w, c)).OfType<PodPeer>())).Distinct().ToList();
                if (outside.Count == 0)
                {
                    return null;
                }

                subject = $"{fam}.{subjectSide} == {SetText([.. outside.SelectMany(PeerAddressSets).Where(s => s.IPv6 == ipv6).Select(s => "$" + s.Name).Distinct()])}";
            }

            string? peer = null;
            if (passPeers.Count > 0)
            {
                if (alternative.PeerSets is not null)
                {
                    throw new InvalidOperationException("a named port of an egress rule under an overlapping Pass is refused by the reader (OVNK0409)");
                }

                var remainder = lower.Peers.SelectMany(l => Remainder(l, passPeers)).Distinct().ToList();
                var sets = remainder.SelectMany(r => AdminPeerSets(r, nodes)).Where(s => s.IPv6 == ipv6).Select(s => "$" + s.Name).Distinct().ToList();
                if (sets.Count == 0)
                {
                    return null;
                }

                peer = $"{fam}.{peerSide} == {SetText(sets)}";
            }

            return new Escape(peer, subject, ports);
        }
    }

    private static bool SubjectsDisjoint(IReadOnlyList<PodPeer> subjects) =>
        subjects.SelectMany((a, i) => subjects.Skip(i + 1).Select(b => (a, b))).All(pair => PodsDisjoint(pair.a, pair.b));

    /// <summary>The most ACLs a lower rule refusing nothing can need per family and port under these Pass rules, as <see cref="Escapes"/> writes them.</summary>
    internal const int MaxEscapes = 1024;

    /// <summary>
    /// An upper bound of the ACLs <see cref="Escapes"/> writes for one lower rule alternative under <paramref name="passes"/>
    /// (each Pass port entry a part of 2 ways, 4 with ports), for the reader to refuse more than <see cref="MaxEscapes"/>.
    /// </summary>
    internal static long EscapeBound(IReadOnlyList<(AdminPolicyModel Policy, AdminRuleModel Rule)> passes)
    {
        var groups = passes.GroupBy(p => p.Policy.Subject).ToList();
        static long Ways(AdminRuleModel rule, int firstChoice) => (long)Math.Pow(4 - firstChoice - (rule.Ports.Count == 0 ? 2 : 0), Math.Max(1, rule.Ports.Count));
        if (groups.Count > 1 && SubjectsDisjoint([.. groups.Select(g => g.Key)]))
        {
            return 1 + groups.Sum(g => g.Aggregate(1L, (n, p) => Saturate(n * Ways(p.Rule, 1))));
        }

        return passes.Aggregate(1L, (n, p) => Saturate(n * Ways(p.Rule, 0)));

        static long Saturate(long n) => Math.Min(n, 1L << 40);
    }

    /// <summary>What of the lower rule's peer <paramref name="lower"/> is outside every one of <paramref name="passPeers"/>, as positive peers.</summary>
    private static IEnumerable<PeerModel> Remainder(PeerModel lower, IReadOnlyList<PeerModel> passPeers)
    {
        var meeting = passPeers.Where(p => !PeersDisjoint(lower, p)).ToList();
        switch (lower)
        {
            case PodPeer pods:
                IEnumerable<PodPeer> left = [pods];
                foreach (var pass in meeting)
                {
                    var passPods = pass as PodPeer ?? throw new InvalidOperationException("pods under a networks or nodes Pass are refused by the reader (OVNK0409)");
                    left = left.SelectMany(l => Complement(passPods).Select(c => Meet(l, c)).OfType<PodPeer>()).ToList();
                }

                return left;
            case IpBlockPeer block:
                var removed = meeting.Select(p => p as IpBlockPeer ?? throw new InvalidOperationException("a network under a pods Pass is refused by the reader (OVNK0409)"))
                    .SelectMany(p => p.Prefixes()).ToList();
                var rest = new IpBlockPeer(block.Cidr, [.. block.Except.Items.Concat(removed).Distinct().Order()]);
                return removed.Count == 0 ? [block] : rest.Prefixes().Count == 0 ? [] : [rest];
            default:
                return meeting.Count == 0 ? [lower] : throw new InvalidOperationException("nodes under an overlapping Pass are refused by the reader (OVNK0409)");
        }
    }

    /// <summary>The pods outside <paramref name="peer"/>, as a union of selectors: one per requirement, negated.</summary>
    private static IEnumerable<PodPeer> Complement(PodPeer peer)
    {
        foreach (var requirement in peer.NamespaceSelector?.Requirements ?? [])
        {
            yield return new PodPeer(null, LabelSelectorModel.Create([Negate(requirement)]), LabelSelectorModel.All);
        }

        foreach (var requirement in peer.PodSelector.Requirements)
        {
            yield return new PodPeer(null, LabelSelectorModel.All, LabelSelectorModel.Create([Negate(requirement)]));
        }
    }

    /// <summary>The pods both select, or null when their selectors provably exclude each other.</summary>
    private static PodPeer? Meet(PodPeer a, PodPeer b)
    {
        var (aNs, bNs) = (a.NamespaceSelector ?? LabelSelectorModel.All, b.NamespaceSelector ?? LabelSelectorModel.All);
        return LabelSelectorModel.ProvablyDisjoint(aNs, bNs) || LabelSelectorModel.ProvablyDisjoint(a.PodSelector, b.PodSelector)
            ? null
            : new PodPeer(null, LabelSelectorModel.Create([.. aNs.Requirements, .. bNs.Requirements]), LabelSelectorModel.Create([.. a.PodSelector.Requirements, .. b.PodSelector.Requirements]));
    }

    private static LabelRequirement Negate(LabelRequirement requirement) => requirement with
    {
        Operator = requirement.Operator switch
        {
            SelectorOperator.In => SelectorOperator.NotIn,
            SelectorOperator.NotIn => SelectorOperator.In,
            SelectorOperator.Exists => SelectorOperator.DoesNotExist,
            _ => SelectorOperator.Exists,
        },
    };
}
