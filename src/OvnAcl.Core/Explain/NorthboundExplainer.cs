using OvnAcl.Acl;
using OvnAcl.Ovsdb;

namespace OvnAcl.Explain;

/// <summary>
/// <c>explain</c> on a live Northbound database: the ACL decision for a packet between two logical switch ports of a
/// replica, and the policy rule behind each deciding ACL (read from the rows' external_ids).
/// </summary>
public static class NorthboundExplainer
{
    /// <summary>The tables a replica must monitor for <see cref="Explain"/> (those of <see cref="AclPolicyView.FromReplica"/>).</summary>
    public static IReadOnlyList<OvsdbTableMonitor> MonitoredTables => AclPolicyView.MonitoredTables;

    /// <summary>Decides a packet from <paramref name="source"/> to <paramref name="destination"/> on the rows of <paramref name="replica"/>.</summary>
    /// <param name="replica">A synchronized replica of OVN_Northbound holding at least <see cref="MonitoredTables"/>.</param>
    /// <param name="source">The logical switch port the connection comes from, or <c>node/NAME</c> (<see cref="NodeEndpoints.ResolvePort"/>).</param>
    /// <param name="destination">
    /// The logical switch port it goes to, or <c>node/NAME</c>; or a load balancer's VIP on the source's switch, or
    /// <c>service/NAMESPACE/NAME</c>, when the connection is decided for each backend (<see cref="NorthboundExplanation.LoadBalanced"/>).
    /// </param>
    /// <param name="protocol">The packet's protocol.</param>
    /// <param name="destinationPort">The destination port (tcp, udp, sctp), null for icmp.</param>
    /// <param name="ipv6">Use the ports' first IPv6 addresses instead of IPv4.</param>
    /// <param name="traffic">The connection's first packet, or its reply (from <paramref name="destination"/> back to <paramref name="source"/>).</param>
    /// <exception cref="AclPolicyException">A port is unknown or has no address of the family, or the protocol needs a port.</exception>
    /// <exception cref="OvnAclException">A <c>node/NAME</c> the NB has no rows for, or whose addresses no port holds.</exception>
    public static NorthboundExplanation Explain(OvsdbReplica replica, string source, string destination, AclProtocol protocol, ushort? destinationPort,
        bool ipv6 = false, AclTraffic traffic = AclTraffic.NewConnection)
    {
        ArgumentNullException.ThrowIfNull(replica);
        var view = AclPolicyView.FromReplica(replica);
        source = NodeEndpoints.ResolvePort(view, source, ipv6);
        destination = NodeEndpoints.ResolvePort(view, destination, ipv6);
        var engine = new AclDecisionEngine(view);

        // A VIP (or service/NS/NAME) of a load balancer on the source's switch: every backend decided.
        if (traffic == AclTraffic.NewConnection && engine.TryDecideThroughLoadBalancer(source, destination, protocol, destinationPort, ipv6) is { } balanced)
        {
            return new NorthboundExplanation(balanced.Representative, view, ExplainReport.RulesOf(view)) { LoadBalanced = balanced };
        }

        var request = AclPacketFactory.Create(view, source, destination, protocol, destinationPort, ipv6);
        var decision = traffic == AclTraffic.Reply
            ? engine.Decide(destination, source, AclPacketFactory.Reverse(request), AclTraffic.Reply)
            : engine.Decide(source, destination, request);
        return new NorthboundExplanation(decision, view, ExplainReport.RulesOf(view));
    }
}

/// <summary>The answer of <see cref="NorthboundExplainer.Explain"/>.</summary>
/// <param name="Decision">
/// What the ACLs decide for the packet; through a load balancer, for the backend shown (the first denied, else the first),
/// null when the VIP has no backends.
/// </param>
/// <param name="View">The view of the NB rows the decision was made on (its <see cref="AclPolicyView.Diagnostics"/> say what it could not use).</param>
/// <param name="RuleOf">The rule behind each stage's deciding ACL.</param>
public sealed record NorthboundExplanation(AclDecision? Decision, AclPolicyView View, Func<AclView, AclRuleSource> RuleOf)
{
    /// <summary>For a connection to a load balancer's VIP: the Service or load balancer and every backend's decision.</summary>
    public LoadBalancedDecision? LoadBalanced { get; init; }

    /// <summary>The decision as text (<see cref="ExplainReport.ToText(AclDecision, Func{AclView, AclRuleSource})"/>), the backends first through a VIP.</summary>
    public string ToText() => LoadBalanced is { } balanced ? ExplainReport.ToText(balanced, RuleOf) : ExplainReport.ToText(Decision!, RuleOf);

    /// <summary>The decision as JSON (docs/explain.md), with the view's diagnostics; with <c>load_balancer</c> through a VIP.</summary>
    public string ToJson() => LoadBalanced is { } balanced
        ? ExplainReport.ToJson(balanced, View.Diagnostics, RuleOf)
        : ExplainReport.ToJson(Decision!, View.Diagnostics, RuleOf);
}
