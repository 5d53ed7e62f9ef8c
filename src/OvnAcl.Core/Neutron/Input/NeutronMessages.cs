using System.Globalization;

namespace OvnAcl.Neutron;

/// <summary>
/// Neutron's API error texts (neutron/extensions/securitygroup.py, neutron_lib exceptions and validators), filled in
/// the way Python's <c>%</c> formatting fills them.
/// </summary>
internal static class NeutronMessages
{
    public static string InvalidDirection(string? value) =>
        $"Invalid input for direction. Reason: {Py(value)} is not in valid_values.";

    public static string MissingAttribute(string attribute) =>
        $"Failed to parse request. Required attribute '{attribute}' not specified";

    public static string InvalidProtocol(string value) =>
        $"Security group rule protocol {value} not supported. Only protocol values {NeutronProtocols.SupportedProtocolsText} and integer representations [0 to 255] are supported.";

    public static string InvalidPortValue(string value) => $"Invalid value for port {value}";

    public static string InvalidEthertype(string? value) =>
        $"Security group rule for ethertype '{Py(value)}' not supported. Allowed values are ['IPv4', 'IPv6'].";

    public static string InvalidCidr(string value) => $"Invalid CIDR {value} given as IP prefix.";

    public const string ProtocolRequiredWithPorts = "Must also specify protocol if port range is given.";

    public const string InvalidPortRange = "For TCP/UDP protocols, port_range_min must be <= port_range_max";

    public static string InvalidIcmpValue(string field, string attribute, int value) =>
        $"Invalid value for ICMP {field} ({attribute}) {Num(value)}. It must be 0 to 255.";

    public static string MissingIcmpType(int code) =>
        $"ICMP code (port-range-max) {Num(code)} is provided but ICMP type (port-range-min) is missing.";

    public static string InvalidProtocolForPort(int protocol) =>
        $"Ports cannot be specified for protocol {Num(protocol)}. Ports are only supported for {NeutronProtocols.PortProtocolsText}.";

    public static string EthertypeConflictWithPrefix(string ethertype, string cidr) =>
        $"Conflicting value ethertype {ethertype} for CIDR {cidr}";

    public static string EthertypeConflictWithProtocol(string ethertype, string protocol) =>
        $"Invalid ethertype {ethertype} for protocol {protocol}.";

    public const string MultipleRemotes = "Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.";

    public static string SecurityGroupNotFound(string id) => $"Security group {id} does not exist";

    public static string AddressGroupNotFound(string id) => $"Address group {id} could not be found.";

    /// <summary>SecurityGroupInUse: <c>Security Group %(id)s %(reason)s.</c>, the reason <c>in use</c> unless given.</summary>
    public static string SecurityGroupInUse(string id, string reason = "in use") => $"Security Group {id} {reason}.";

    public static string AddressGroupInUse(string id) => $"Address group {id} is in use on one or more security group rules.";

    public static string SecurityGroupRuleNotFound(string id) => $"Security group rule {id} does not exist";

    public static string PortNotFound(string id) => $"Port {id} could not be found.";

    public static string RuleExists(string ruleId) => $"Security group rule already exists. Rule id is {ruleId}.";

    public const string PortSecurityRequired = "Port security must be enabled and port must have an IP address in order to use security groups.";

    public const string MixedStateful =
        "Error Cannot apply both stateful and stateless security groups on the same port at the same time while attempting the operation.";

    public static string InvalidSubnet(string value) => $"'{value}' is not a valid IP subnet";

    public static string SubnetNotCidr(string value, string recommended) =>
        $"'{value}' isn't a recognized IP subnet cidr, '{recommended}' is recommended";

    public static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Python's <c>%s</c> of a value that may be None.</summary>
    private static string Py(string? value) => value ?? "None";
}
