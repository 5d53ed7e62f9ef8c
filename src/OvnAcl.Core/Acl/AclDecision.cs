using OvnAcl.Match;

using OvnAcl.Collections;
using OvnAcl.Northbound;

namespace OvnAcl.Acl;

/// <summary>What one ACL stage of the switch did with the packet.</summary>
public sealed record AclStageResult
{
    /// <summary>Which ACL stage this is: from-lport, from-lport after load balancing, or to-lport.</summary>
    public required AclStage Stage { get; init; }
    /// <summary>Whether the stage lets the packet on (allow) or drops it (deny).</summary>
    public required AclVerdict Verdict { get; init; }
    /// <summary>What decided: an ACL of the stage, or the default when none matched.</summary>
    public required AclStageOutcome Outcome { get; init; }

    /// <summary>The deciding ACL when <see cref="Outcome"/> is <see cref="AclStageOutcome.Acl"/>.</summary>
    public AclView? Acl { get; init; }

    /// <summary>Why the deciding ACL's match holds for the packet (<c>MatchEvaluator.Explain</c>).</summary>
    public MatchExplanation? Explanation { get; init; }

    /// <summary><c>pass</c> ACLs that sent the packet on to a later tier before the decision.</summary>
    public EquatableArray<AclView> Passed { get; init; }

    /// <summary>
    /// Other ACLs that match at the deciding ACL's priority and tier. With a different verdict among them OVN's choice is
    /// undefined (ovn-nb(5)) and <see cref="IsAmbiguous"/> is set; the engine then reports the deny.
    /// </summary>
    public EquatableArray<AclView> Tied { get; init; }

    /// <summary>True when ACLs tied at the deciding priority and tier disagree (see <see cref="Tied"/>).</summary>
    public bool IsAmbiguous { get; init; }

    /// <summary>The connection-tracking state the stage's ACLs saw (<c>ct.new|ct.trk</c>, or none where conntrack is not used).</summary>
    public CtState CtState { get; init; }

    /// <summary>False when an earlier stage already dropped the packet: the result says what this stage would have done.</summary>
    public bool Reached { get; init; } = true;

    /// <summary>The logical switch whose pipeline ran the stage (the source's or, for routed traffic, the destination's).</summary>
    public string Switch { get; init; } = "";
}

/// <summary>The answer to "does this packet get from one logical port to another?".</summary>
public sealed record AclDecision
{
    /// <summary>Allow when every reached stage lets the packet through; deny as soon as one drops it.</summary>
    public required AclVerdict Verdict { get; init; }
    /// <summary>The logical switch both ports are on; for routed traffic, the source port's switch.</summary>
    public required string Switch { get; init; }

    /// <summary>For routed traffic, the destination port's switch; null when both ports are on <see cref="Switch"/>.</summary>
    public string? ToSwitch { get; init; }

    /// <summary>For routed traffic, the logical router joining <see cref="Switch"/> and <see cref="ToSwitch"/>.</summary>
    public string? Router { get; init; }
    /// <summary>The logical switch port the packet enters from.</summary>
    public required string FromPort { get; init; }
    /// <summary>The logical switch port the packet is sent to.</summary>
    public required string ToPort { get; init; }
    /// <summary>The kind of packet asked about: a new connection, or a reply within one.</summary>
    public required AclTraffic Traffic { get; init; }

    /// <summary>The packet as it leaves <see cref="FromPort"/> (without <c>inport</c>/<c>outport</c>).</summary>
    public required Packet Packet { get; init; }

    /// <summary>
    /// For a connection to a load balancer VIP: the packet after DNAT to the backend, as the after-lb and to-lport stages
    /// saw it (<see cref="Packet"/> is the one to the VIP, which the from-lport stage saw); null otherwise.
    /// </summary>
    public Packet? LoadBalancedPacket { get; init; }

    /// <summary>Whether the switch uses conntrack for ACLs: some ACL on it (or on a port group with a port on it) is <c>allow-related</c>.</summary>
    public required bool Stateful { get; init; }

    /// <summary>
    /// The stages in the order the packet meets them: from-lport, from-lport after load balancing, to-lport; for routed
    /// traffic these three on the source switch (to its router port), then on the destination switch (from its router port).
    /// </summary>
    public required EquatableArray<AclStageResult> Stages { get; init; }

    /// <summary>Ties with different verdicts, ACLs ignored for invalid matches or unknown names, disabled ports.</summary>
    public EquatableArray<string> Warnings { get; init; }

    /// <summary>True when some reached stage decided between tied ACLs with different verdicts.</summary>
    public bool IsAmbiguous => Stages.Any(s => s.Reached && s.IsAmbiguous);

    /// <summary>The stage that dropped the packet, or null when it is allowed.</summary>
    public AclStageResult? DenyingStage => Stages.FirstOrDefault(s => s.Reached && s.Verdict == AclVerdict.Deny);

    /// <summary>
    /// The result of <paramref name="stage"/> at the port it concerns: from-lport stages at the source port's switch,
    /// to-lport at the destination port's (for routed traffic, the first and the last of its kind).
    /// </summary>
    /// <exception cref="InvalidOperationException">The decision has no such stage.</exception>
    public AclStageResult GetStage(AclStage stage) =>
        stage == AclStage.ToLport ? Stages.Last(s => s.Stage == stage) : Stages.First(s => s.Stage == stage);
}
