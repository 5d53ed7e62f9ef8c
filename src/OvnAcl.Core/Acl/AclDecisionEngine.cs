using System.Net;
using OvnAcl.Acl.Deciding;
using OvnAcl.Match;

namespace OvnAcl.Acl;

/// <summary>
/// Decides, as ovn-northd's ACL stages would (ovn-nb(5), ovn-northd(8), OVN 23.03), whether a packet from one logical
/// switch port reaches another, on the same switch or on two switches joined by a logical router. Each stage (from-lport, from-lport after load balancing, to-lport)
/// evaluates the ACLs of the switch and of every port group with a port on the switch, with <c>inport</c> (and in
/// to-lport <c>outport</c>) set; in each tier the highest-priority matching ACL decides, <c>pass</c> moves on to the
/// next tier, and without a decision the stage allows, or drops under <c>default_acl_drop</c> (when the switch has any
/// ACL at all). The packet passes when every stage allows it. See docs/explain.md for the model and its limits.
/// </summary>
public sealed partial class AclDecisionEngine
{
    private readonly Dictionary<string, SwitchAcls> _switches = new(StringComparer.Ordinal);

    /// <summary>An engine answering questions about the ACLs of <paramref name="view"/>.</summary>
    public AclDecisionEngine(AclPolicyView view)
    {
        View = view ?? throw new ArgumentNullException(nameof(view));
    }

    /// <summary>The rows the engine decides with.</summary>
    public AclPolicyView View { get; }

    /// <summary>
    /// The verdict for <paramref name="packet"/> sent from <paramref name="fromPort"/> to <paramref name="toPort"/>;
    /// <c>inport</c>, <c>outport</c> and <c>ct_state</c> are set by the engine. For <see cref="AclTraffic.Reply"/> the packet
    /// is the reply itself (from the server back to the client) and the connection it answers is the packet reversed.
    /// Ports on two switches joined by a logical router are decided across it: the source switch's pipeline from the
    /// port to its <c>router</c> port, then the destination switch's from its <c>router</c> port (router ports skip
    /// conntrack, as ovn-northd's pre-ACL stages do); the router itself has no ACLs, and its policies and NAT are not
    /// modelled (a warning says so).
    /// </summary>
    /// <exception cref="AclPolicyException">An unknown port, or ports on switches no single logical router joins.</exception>
    public AclDecision Decide(string fromPort, string toPort, Packet packet, AclTraffic traffic = AclTraffic.NewConnection)
    {
        ArgumentNullException.ThrowIfNull(packet);
        var from = View.GetPort(fromPort);
        var to = View.GetPort(toPort);
        var route = from.Switch == to.Switch ? default((LogicalPortView Out, string Router, LogicalPortView In)?) : View.FindRoute(from.Switch, to.Switch)
            ?? throw new AclPolicyException($"ports '{from.Name}' (switch {from.Switch}) and '{to.Name}' (switch {to.Switch}) are on switches no logical router joins (a router port patched to each); other routed paths are not modelled");
        Hop[] hops = route is not { } r
            ? [new(AclsOf(from.Switch), from, to)]
            : [new(AclsOf(from.Switch), from, r.Out), new(AclsOf(to.Switch), r.In, to)];
        var warnings = new List<string>();
        foreach (var port in new[] { from, to }.Where(p => !p.Enabled))
        {
            warnings.Add($"port '{port.Name}' is disabled (enabled=false): OVN drops all its traffic before any ACL");
        }

        if (route is { } routed)
        {
            warnings.Add($"routed through logical router '{routed.Router}' ({routed.Out.Name} -> {routed.In.Name}): its policies, NAT and static routes are not modelled");
        }

        var clean = packet with { Inport = null, Outport = null, CtState = CtState.None };
        CommittedZones committed = default;
        if (traffic == AclTraffic.Reply && hops.Any(h => h.Acls.Stateful))
        {
            // The connection the reply answers went the other way: its first stages ran in the client's zone (the
            // reply's destination), its last in the server's (the reply's source).
            Hop[] back = route is not { } b ? [new(hops[0].Acls, to, from)] : [new(hops[1].Acls, to, b.In), new(hops[0].Acls, b.Out, from)];
            var request = Evaluate(back, AclPacketFactory.Reverse(clean), default, []);
            var last = request.Stages[^1];
            committed = new CommittedZones(
                Ingress: request.Verdict == AclVerdict.Allow && last.CtState != CtState.None,
                Egress: request.Stages.Take(2).All(s => s.Verdict == AclVerdict.Allow) && request.Stages[0].CtState != CtState.None);
        }

        var decision = Evaluate(hops, clean, committed, warnings);
        if (route is { } via)
        {
            decision = decision with { ToSwitch = to.Switch, Router = via.Router };
        }

        if (warnings.Count > 0 || !from.Enabled || !to.Enabled)
        {
            decision = decision with
            {
                Verdict = from.Enabled && to.Enabled ? decision.Verdict : AclVerdict.Deny,
                Warnings = warnings.Distinct(StringComparer.Ordinal).ToArray(),
            };
        }

        return decision with { Traffic = traffic };
    }

    /// <summary>
    /// The stages of <paramref name="hops"/> in order (one hop per switch crossed). <paramref name="committed"/> applies to
    /// the first hop's from-lport zone (the sender's port) and the last hop's to-lport zone (the receiver's port).
    /// <paramref name="afterLb"/> is the packet after a load balancer's DNAT, which the after-lb and to-lport stages see.
    /// </summary>
    private AclDecision Evaluate(Hop[] hops, Packet packet, CommittedZones committed, List<string> warnings, Packet? afterLb = null)
    {
        var stages = new List<AclStageResult>(3 * hops.Length);
        var loadBalanced = afterLb is not null;
        var reached = true;
        for (var h = 0; h < hops.Length; h++)
        {
            var (acls, inPort, outPort) = hops[h];
            // Past the first switch the packet is already load-balanced: every stage there sees the backend.
            var ingress = (h == 0 ? packet : afterLb ?? packet) with { Inport = inPort.Name };
            var balanced = (afterLb ?? packet) with { Inport = inPort.Name };
            var egress = balanced with { Outport = outPort.Name };
            var ingressCt = CtStateFor(acls, AclDirection.FromLport, ingress, inPort, loadBalanced);
            var egressCt = CtStateFor(acls, AclDirection.ToLport, egress, outPort, loadBalanced);
            foreach (var stage in (ReadOnlySpan<AclStage>)[AclStage.FromLport, AclStage.FromLportAfterLb, AclStage.ToLport])
            {
                var isEgress = stage == AclStage.ToLport;
                var ct = isEgress ? egressCt : ingressCt;
                var zoneCommitted = isEgress ? committed.Egress && h == hops.Length - 1 : committed.Ingress && h == 0;
                var stagePacket = (isEgress ? egress : stage == AclStage.FromLportAfterLb ? balanced : ingress) with { CtState = ct };
                // A load-balanced connection back to its own client is sent out by ls_in_hairpin, before ls_in_acl_after_lb.
                var hairpin = loadBalanced && stage == AclStage.FromLportAfterLb && inPort.Name == outPort.Name;
                var result = hairpin
                    ? new AclStageResult { Stage = stage, Verdict = AclVerdict.Allow, Outcome = AclStageOutcome.Hairpin, CtState = ct }
                    : zoneCommitted && ct != CtState.None
                    ? new AclStageResult { Stage = stage, Verdict = AclVerdict.Allow, Outcome = AclStageOutcome.CommittedReply, CtState = CtState.Established | CtState.Reply | CtState.Tracked }
                    : EvaluateStage(acls, stage, stagePacket, warnings);
                stages.Add(result with { Reached = reached, Switch = acls.Name });
                reached &= result.Verdict == AclVerdict.Allow;
            }
        }

        return new AclDecision
        {
            Verdict = reached ? AclVerdict.Allow : AclVerdict.Deny,
            Switch = hops[0].In.Switch,
            FromPort = hops[0].In.Name,
            ToPort = hops[^1].Out.Name,
            Traffic = AclTraffic.NewConnection,
            Packet = packet,
            Stateful = hops.Any(h => h.Acls.Stateful),
            Stages = stages.ToArray(),
        };
    }

    private AclStageResult EvaluateStage(SwitchAcls acls, AclStage stage, Packet packet, List<string> warnings)
    {
        if (!acls.HasAcls)
        {
            return new AclStageResult { Stage = stage, Verdict = AclVerdict.Allow, Outcome = AclStageOutcome.NoAcls, CtState = packet.CtState };
        }

        var passed = new List<AclView>();
        foreach (var tier in acls.Tiers(stage))
        {
            var matching = tier.Where(a => Matches(acls, a, packet, warnings)).ToList();
            if (matching.Count == 0)
            {
                continue;
            }

            var top = matching.Max(a => a.Row.Priority);
            var winners = matching.Where(a => a.Row.Priority == top)
                .OrderBy(a => a.Action is AclAction.Drop or AclAction.Reject ? 0 : a.Action == AclAction.Pass ? 2 : 1)
                .ThenBy(a => a.Row.Uuid)
                .ToList();
            var chosen = winners[0];
            var ambiguous = winners.Select(a => a.Action == AclAction.Pass ? (AclVerdict?)null : AclText.VerdictOf(a.Action)).Distinct().Count() > 1;
            if (ambiguous)
            {
                warnings.Add($"{AclText.Format(stage)}: ACLs tie at priority {top} with different actions ({string.Join("; ", winners)}); OVN may apply any of them, the engine reports the deny");
            }

            if (chosen.Action == AclAction.Pass)
            {
                passed.Add(chosen);
                continue;
            }

            return new AclStageResult
            {
                Stage = stage,
                Verdict = AclText.VerdictOf(chosen.Action),
                Outcome = AclStageOutcome.Acl,
                Acl = chosen,
                Explanation = acls.Evaluator.Explain(chosen.Match!, packet),
                Passed = passed.ToArray(),
                Tied = winners.Skip(1).ToArray(),
                IsAmbiguous = ambiguous,
                CtState = packet.CtState,
            };
        }

        return new AclStageResult
        {
            Stage = stage,
            Verdict = View.DefaultAclDrop ? AclVerdict.Deny : AclVerdict.Allow,
            Outcome = AclStageOutcome.Default,
            Passed = passed.ToArray(),
            CtState = packet.CtState,
        };
    }

    private static bool Matches(SwitchAcls acls, AclView acl, Packet packet, List<string> warnings)
    {
        if (acls.Unusable.TryGetValue(acl, out var why))
        {
            warnings.Add($"ignored {acl}: {why}");
            return false;
        }

        try
        {
            return acls.Evaluator.Evaluate(acl.Match!, packet);
        }
        catch (MatchEvaluationException ex)
        {
            warnings.Add($"ignored {acl}: {ex.Message}");
            return false;
        }
    }

    /// <summary>
    /// ovn-northd's pre-ACL stages send IP traffic to conntrack only on a stateful switch, and not packets an
    /// <c>allow-stateless</c> ACL of the pipeline's direction matches, nor IPv6 ND and multicast, nor traffic of router
    /// and localnet ports. Traffic to a load balancer VIP goes to conntrack on any switch (<paramref name="loadBalanced"/>).
    /// </summary>
    private static CtState CtStateFor(SwitchAcls acls, AclDirection direction, Packet packet, LogicalPortView port, bool loadBalanced = false)
    {
        var isIp = packet.EthType is Packet.EthTypeIpv4 or Packet.EthTypeIpv6;
        var isNd = packet.IpProto == Packet.ProtoIcmp6 && packet.IcmpType is >= 133 and <= 137;
        var multicast = (packet.EthDst.Value & 0x0100_0000_0000UL) != 0;
        if ((!acls.Stateful && !loadBalanced) || !isIp || isNd || multicast || port.Type is "router" or "localnet")
        {
            return CtState.None;
        }

        var bypass = acls.Stateless(direction).Any(a => Matches(acls, a, packet with { CtState = CtState.None }, []));
        return bypass ? CtState.None : CtState.New | CtState.Tracked;
    }

    private SwitchAcls AclsOf(string switchName)
    {
        lock (_switches)
        {
            if (!_switches.TryGetValue(switchName, out var acls))
            {
                _switches[switchName] = acls = new SwitchAcls(View, switchName);
            }

            return acls;
        }
    }

    private readonly record struct CommittedZones(bool Ingress, bool Egress);

    /// <summary>One switch's pipeline: the packet enters from <c>In</c> and leaves to <c>Out</c>.</summary>
    private readonly record struct Hop(SwitchAcls Acls, LogicalPortView In, LogicalPortView Out);

    /// <summary>The ACLs one switch evaluates, grouped for the stages, with the evaluator for that switch's names.</summary>
    private sealed class SwitchAcls
    {
        private readonly Dictionary<AclStage, List<List<AclView>>> _tiers = [];
        private readonly Dictionary<AclDirection, List<AclView>> _stateless = [];

        public SwitchAcls(AclPolicyView view, string switchName)
        {
            Name = switchName;
            var all = view.AclsOnSwitch(switchName).ToList();
            var context = view.MatchContextFor(switchName);
            Evaluator = new MatchEvaluator(context);
            HasAcls = all.Count > 0;
            Stateful = all.Any(a => a.Action == AclAction.AllowRelated);
            foreach (var acl in all)
            {
                var why = acl.Match is null ? $"its match is not valid ({acl.MatchError})" : MatchReferences.Unresolved(acl.Match, context);
                if (why is not null)
                {
                    Unusable[acl] = why;
                }
            }

            foreach (var stage in Enum.GetValues<AclStage>())
            {
                _tiers[stage] = all.Where(a => a.Stage == stage).GroupBy(a => a.Row.Tier).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
            }

            foreach (var direction in Enum.GetValues<AclDirection>())
            {
                _stateless[direction] = all.Where(a => a.Direction == direction && a.Action == AclAction.AllowStateless).ToList();
            }
        }

        public string Name { get; }

        public MatchEvaluator Evaluator { get; }

        public bool HasAcls { get; }

        public bool Stateful { get; }

        public Dictionary<AclView, string> Unusable { get; } = new(ReferenceEqualityComparer.Instance);

        public IReadOnlyList<List<AclView>> Tiers(AclStage stage) => _tiers[stage];

        public IReadOnlyList<AclView> Stateless(AclDirection direction) => _stateless[direction];
    }
}
