namespace OvnAcl.Acl;

/// <summary>ACL <c>direction</c> (ovn-nb(5)): which pipeline of the logical switch evaluates it.</summary>
public enum AclDirection
{
    /// <summary><c>from-lport</c>: the ingress pipeline, on traffic arriving from a logical port.</summary>
    FromLport,

    /// <summary><c>to-lport</c>: the egress pipeline, on traffic about to be delivered to a logical port.</summary>
    ToLport,
}

/// <summary>ACL <c>action</c> (ovn-nb(5)).</summary>
public enum AclAction
{
    /// <summary><c>allow</c>: lets the packet through; where the switch uses conntrack (some ACL on it is <c>allow-related</c>), the packet goes through conntrack too.</summary>
    Allow,
    /// <summary><c>allow-related</c>: lets the packet through and commits its connection, so that replies and related traffic pass.</summary>
    AllowRelated,
    /// <summary><c>allow-stateless</c>: lets the packet through without conntrack.</summary>
    AllowStateless,
    /// <summary><c>drop</c>: drops the packet silently.</summary>
    Drop,
    /// <summary><c>reject</c>: drops the packet and answers with a TCP RST or an ICMP unreachable.</summary>
    Reject,

    /// <summary>Hands the packet to the next tier (OVN 23.06 and later; 23.03 has neither tiers nor <c>pass</c>).</summary>
    Pass,
}

/// <summary>What happens to the packet.</summary>
public enum AclVerdict
{
    /// <summary>The packet goes on.</summary>
    Allow,
    /// <summary>The packet is dropped (by <c>drop</c>, <c>reject</c>, or the default drop).</summary>
    Deny,
}

/// <summary>The three places a logical switch evaluates ACLs, in the order a packet meets them (ovn-northd(8)).</summary>
public enum AclStage
{
    /// <summary><c>ls_in_acl</c>: from-lport ACLs without <c>options:apply-after-lb</c>.</summary>
    FromLport,

    /// <summary><c>ls_in_acl_after_lb</c>: from-lport ACLs with <c>options:apply-after-lb=true</c>.</summary>
    FromLportAfterLb,

    /// <summary><c>ls_out_acl</c>: to-lport ACLs.</summary>
    ToLport,
}

/// <summary>How a stage came to its verdict.</summary>
public enum AclStageOutcome
{
    /// <summary>An ACL matched and decided (<see cref="AclStageResult.Acl"/>).</summary>
    Acl,

    /// <summary>No ACL decided: the default (allow, or drop with <c>NB_Global options:default_acl_drop</c>).</summary>
    Default,

    /// <summary>The switch has no ACL at all: every stage passes everything, whatever <c>default_acl_drop</c> says.</summary>
    NoAcls,

    /// <summary>A reply of a connection this stage's conntrack zone committed: allowed before any ACL is looked at.</summary>
    CommittedReply,

    /// <summary>The packet's load balancer VIP has no backends: the load balancer stage drops (or rejects) it before the after-lb ACLs.</summary>
    NoBackends,

    /// <summary>
    /// A load-balanced connection whose backend is its own client: ovn-northd's <c>ls_in_hairpin</c> sends it back out
    /// before the after-lb stage, whose ACLs never see it (OVN 23.03, checked with ovn-trace).
    /// </summary>
    Hairpin,
}

/// <summary>Whether a packet opens a connection or answers one (see docs/explain.md, "Replies").</summary>
public enum AclTraffic
{
    /// <summary>The first packet of a connection: <c>ct.new</c> and <c>ct.trk</c> where the switch uses conntrack.</summary>
    NewConnection,

    /// <summary>A reply from the destination of a new connection back to its source.</summary>
    Reply,
}

/// <summary>Transport protocols <see cref="AclPacketFactory"/> builds packets for.</summary>
public enum AclProtocol
{
    /// <summary>TCP.</summary>
    Tcp,
    /// <summary>UDP.</summary>
    Udp,
    /// <summary>SCTP.</summary>
    Sctp,
    /// <summary>ICMP echo (ICMPv4 or ICMPv6, by the addresses' family).</summary>
    Icmp,
}

/// <summary>Whether an ACL hangs off a logical switch's or a port group's <c>acls</c> column.</summary>
public enum AclOwnerKind
{
    /// <summary>The ACL is in a <c>Logical_Switch</c>'s <c>acls</c>: it applies to every port of the switch.</summary>
    LogicalSwitch,
    /// <summary>The ACL is in a <c>Port_Group</c>'s <c>acls</c>: it applies to the group's ports.</summary>
    PortGroup,
}

/// <summary>Text forms the NB uses.</summary>
public static class AclText
{
    /// <summary><c>from-lport</c> or <c>to-lport</c>, as the NB writes it.</summary>
    public static string Format(AclDirection direction) => direction == AclDirection.FromLport ? "from-lport" : "to-lport";

    /// <summary>The action as the NB writes it: <c>allow</c>, <c>allow-related</c>, <c>allow-stateless</c>, <c>drop</c>, <c>reject</c> or <c>pass</c>.</summary>
    public static string Format(AclAction action) => action switch
    {
        AclAction.Allow => "allow",
        AclAction.AllowRelated => "allow-related",
        AclAction.AllowStateless => "allow-stateless",
        AclAction.Drop => "drop",
        AclAction.Reject => "reject",
        _ => "pass",
    };

    /// <summary><c>allow</c> or <c>deny</c>, as <c>ovnacl explain</c> prints it.</summary>
    public static string Format(AclVerdict verdict) => verdict == AclVerdict.Allow ? "allow" : "deny";

    /// <summary><c>from-lport</c>, <c>from-lport (after-lb)</c> or <c>to-lport</c>, as <c>ovnacl explain</c> prints it.</summary>
    public static string Format(AclStage stage) => stage switch
    {
        AclStage.FromLport => "from-lport",
        AclStage.FromLportAfterLb => "from-lport (after-lb)",
        _ => "to-lport",
    };

    /// <summary>Reads the NB's <c>direction</c>.</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is neither <c>from-lport</c> nor <c>to-lport</c>.</exception>
    public static AclDirection ParseDirection(string text) => text switch
    {
        "from-lport" => AclDirection.FromLport,
        "to-lport" => AclDirection.ToLport,
        _ => throw new FormatException($"'{text}' is not an ACL direction (from-lport, to-lport)"),
    };

    /// <summary>Reads the NB's <c>action</c>.</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is not an ACL action.</exception>
    public static AclAction ParseAction(string text) => text switch
    {
        "allow" => AclAction.Allow,
        "allow-related" => AclAction.AllowRelated,
        "allow-stateless" => AclAction.AllowStateless,
        "drop" => AclAction.Drop,
        "reject" => AclAction.Reject,
        "pass" => AclAction.Pass,
        _ => throw new FormatException($"'{text}' is not an ACL action (allow, allow-related, allow-stateless, drop, reject, pass)"),
    };

    /// <summary>Deny for <c>drop</c> and <c>reject</c>, allow for the rest (<c>pass</c> included: the next tier decides).</summary>
    public static AclVerdict VerdictOf(AclAction action) => action is AclAction.Drop or AclAction.Reject ? AclVerdict.Deny : AclVerdict.Allow;
}
