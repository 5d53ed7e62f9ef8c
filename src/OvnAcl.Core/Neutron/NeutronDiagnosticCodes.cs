namespace OvnAcl.Neutron;

/// <summary>The diagnostic codes; they never change meaning once shipped.</summary>
public static class NeutronDiagnosticCodes
{
    // Reading the files.

    /// <summary>A file could not be read.</summary>
    public const string FileUnreadable = "NEUT0001";
    /// <summary>Not JSON.</summary>
    public const string InvalidJson = "NEUT0002";
    /// <summary>JSON, but none of <c>security_groups</c>, <c>ports</c>, <c>address_groups</c> (or their singulars) at the top.</summary>
    public const string NotNeutronDocument = "NEUT0003";
    /// <summary>A field has the wrong JSON type, e.g. a number where the API returns a list.</summary>
    public const string WrongType = "NEUT0004";
    /// <summary>A field the translation needs is missing (an id, a rule's direction).</summary>
    public const string MissingField = "NEUT0005";
    /// <summary>Two objects of one kind with the same id, in one file or across files.</summary>
    public const string DuplicateId = "NEUT0006";
    /// <summary>
    /// A security group rule field Neutron's API does not have (its "Unrecognized attribute(s)"): a misspelt
    /// <c>remote_ip_prefix</c> or <c>port_range_min</c> would otherwise be read as absent and widen the rule.
    /// </summary>
    public const string UnknownField = "NEUT0007";

    // Security group rules: Neutron's API errors.

    /// <summary><c>direction</c> is not <c>ingress</c> or <c>egress</c>.</summary>
    public const string InvalidDirection = "NEUT0100";
    /// <summary>A protocol name Neutron does not know, or a number outside 0–255 (SecurityGroupRuleInvalidProtocol).</summary>
    public const string InvalidProtocol = "NEUT0101";
    /// <summary>A port that is not an integer in 0–65535 (SecurityGroupInvalidPortValue), or port 0 for a protocol with ports.</summary>
    public const string InvalidPortValue = "NEUT0102";
    /// <summary><c>ethertype</c> is not <c>IPv4</c> or <c>IPv6</c> (SecurityGroupRuleInvalidEtherType).</summary>
    public const string InvalidEthertype = "NEUT0103";
    /// <summary><c>remote_ip_prefix</c> is not a CIDR (InvalidCIDR).</summary>
    public const string InvalidCidr = "NEUT0104";
    /// <summary>A port range without a protocol (SecurityGroupProtocolRequiredWithPorts).</summary>
    public const string ProtocolRequiredWithPorts = "NEUT0105";
    /// <summary>For TCP, UDP, SCTP, DCCP, UDP-Lite: a missing bound or <c>port_range_min</c> above <c>port_range_max</c> (SecurityGroupInvalidPortRange).</summary>
    public const string InvalidPortRange = "NEUT0106";
    /// <summary>An ICMP type or code outside 0–255 (SecurityGroupInvalidIcmpValue).</summary>
    public const string InvalidIcmpValue = "NEUT0107";
    /// <summary>An ICMP code without a type (SecurityGroupMissingIcmpType).</summary>
    public const string MissingIcmpType = "NEUT0108";
    /// <summary>A port range on a protocol without ports (SecurityGroupInvalidProtocolForPort).</summary>
    public const string InvalidProtocolForPort = "NEUT0109";
    /// <summary>An IPv6 prefix on an IPv4 rule or the reverse (SecurityGroupRuleParameterConflict).</summary>
    public const string EthertypeConflictWithPrefix = "NEUT0110";
    /// <summary>An IPv6-only protocol on an IPv4 rule (SecurityGroupEthertypeConflictWithProtocol).</summary>
    public const string EthertypeConflictWithProtocol = "NEUT0111";
    /// <summary>More than one of <c>remote_ip_prefix</c>, <c>remote_group_id</c>, <c>remote_address_group_id</c> (SecurityGroupMultipleRemoteEntites).</summary>
    public const string MultipleRemotes = "NEUT0112";
    /// <summary><c>remote_group_id</c> names a group not in the input (SecurityGroupNotFound).</summary>
    public const string RemoteGroupNotFound = "NEUT0113";
    /// <summary><c>remote_address_group_id</c> names an address group not in the input (AddressGroupNotFound).</summary>
    public const string RemoteAddressGroupNotFound = "NEUT0114";
    /// <summary>Two rules of a group Neutron considers the same (SecurityGroupRuleExists).</summary>
    public const string DuplicateRule = "NEUT0115";
    /// <summary><c>normalized_cidr</c> is given and is not what Neutron computes from <c>remote_ip_prefix</c>.</summary>
    public const string NormalizedCidrMismatch = "NEUT0116";
    /// <summary>A rule's <c>security_group_id</c> is not the group it is listed under.</summary>
    public const string RuleGroupMismatch = "NEUT0117";
    /// <summary><c>stateful</c> is not a boolean.</summary>
    public const string InvalidStateful = "NEUT0118";

    // Ports.

    /// <summary>A port's <c>security_groups</c> names a group not in the input (SecurityGroupNotFound).</summary>
    public const string PortSecurityGroupNotFound = "NEUT0200";
    /// <summary>Security groups on a port with port security disabled (PortSecurityAndIPRequiredForSecurityGroups).</summary>
    public const string PortSecurityDisabledWithGroups = "NEUT0201";
    /// <summary>Stateful and stateless groups on one port (SecurityGroupConflict).</summary>
    public const string MixedStatefulGroups = "NEUT0202";
    /// <summary>Warning: <c>port_security_enabled</c> is absent; Neutron's driver then treats the port as without port security.</summary>
    public const string PortSecurityUnknown = "NEUT0203";

    // Address groups.

    /// <summary>An address group entry that is not a CIDR.</summary>
    public const string InvalidAddress = "NEUT0300";
    /// <summary>Warning: an address group entry with host bits set (<c>10.0.0.1/24</c>), which OVN's address sets refuse.</summary>
    public const string AddressHostBits = "NEUT0301";

    // Translation.

    /// <summary>Warning: a remote address group dropped from the match, as Neutron 21 (Zed) and older do; the ACL admits every remote.</summary>
    public const string RemoteAddressGroupIgnored = "NEUT0400";
    /// <summary>Warning: a rule gives the same ACL (direction, priority, match) as an earlier rule of its group; Neutron writes it once.</summary>
    public const string DuplicateAcl = "NEUT0401";
    /// <summary>Warning: a DCCP or UDP-Lite rule with a port range: Neutron's API accepts it, its OVN driver drops the ports from the match.</summary>
    public const string PortsIgnoredForProtocol = "NEUT0402";

    // Events (NeutronEngine): what Neutron's API refuses given the objects that exist at the time.

    /// <summary>
    /// Deleting a security group that a port names or another group's rule has as remote group, or changing
    /// <c>stateful</c> on a group that ports name (SecurityGroupInUse).
    /// </summary>
    public const string SecurityGroupInUse = "NEUT0500";
    /// <summary>Deleting an address group that a rule has as remote address group (AddressGroupInUse).</summary>
    public const string AddressGroupInUse = "NEUT0501";
    /// <summary>An event names a security group, rule, port or address group that does not exist (Neutron's NotFound errors).</summary>
    public const string NotFound = "NEUT0502";
}
