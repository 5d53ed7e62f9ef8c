using OvnAcl.Neutron;
using static OvnAcl.Core.Tests.Neutron.NeutronTestInput;

namespace OvnAcl.Core.Tests.Neutron;

/// <summary>Each rule Neutron's API refuses gets Neutron's error, at the group, the rule and the field; nothing is translated.</summary>
public sealed class NeutronValidationTests
{
    private const string Rule1 = "11111111-0000-4000-8000-000000000001";

    public static TheoryData<string, NeutronSecurityGroupRule, string, string, string?> InvalidRules => new()
    {
        { "tcp range on icmp-less protocol", Rule(Rule1, protocol: "gre", min: 1, max: 2), NeutronDiagnosticCodes.InvalidProtocolForPort,
            "Ports cannot be specified for protocol 47. Ports are only supported for DCCP, SCTP, TCP, UDP, UDPLITE.", "port_range_min" },
        { "min above max", Rule(Rule1, protocol: "tcp", min: 90, max: 80), NeutronDiagnosticCodes.InvalidPortRange,
            "For TCP/UDP protocols, port_range_min must be <= port_range_max", "port_range_min" },
        { "min only on tcp", Rule(Rule1, protocol: "udp", min: 90), NeutronDiagnosticCodes.InvalidPortRange,
            "For TCP/UDP protocols, port_range_min must be <= port_range_max", "port_range_min" },
        { "port 0", Rule(Rule1, protocol: "tcp", min: 0, max: 10), NeutronDiagnosticCodes.InvalidPortValue, "Invalid value for port 0", "port_range_min" },
        { "ports without protocol", Rule(Rule1, min: 80, max: 80), NeutronDiagnosticCodes.ProtocolRequiredWithPorts,
            "Must also specify protocol if port range is given.", "protocol" },
        { "IPv6 prefix on IPv4 rule", Rule(Rule1, prefix: "2001:db8::/64"), NeutronDiagnosticCodes.EthertypeConflictWithPrefix,
            "Conflicting value ethertype IPv4 for CIDR 2001:db8::/64", "remote_ip_prefix" },
        { "protocol number too big", Rule(Rule1, protocol: "256"), NeutronDiagnosticCodes.InvalidProtocol,
            "Security group rule protocol 256 not supported. Only protocol values [None, 'ah', 'dccp', 'egp', 'esp', 'gre', 'hopopt', 'icmp', 'igmp', 'ip', 'ipip', 'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', 'ospf', 'pgm', 'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp'] and integer representations [0 to 255] are supported.", "protocol" },
        { "unknown protocol name", Rule(Rule1, protocol: "quic"), NeutronDiagnosticCodes.InvalidProtocol,
            "Security group rule protocol quic not supported. Only protocol values [None, 'ah', 'dccp', 'egp', 'esp', 'gre', 'hopopt', 'icmp', 'igmp', 'ip', 'ipip', 'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', 'ospf', 'pgm', 'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp'] and integer representations [0 to 255] are supported.", "protocol" },
        { "icmp code without type", Rule(Rule1, protocol: "icmp", max: 0), NeutronDiagnosticCodes.MissingIcmpType,
            "ICMP code (port-range-max) 0 is provided but ICMP type (port-range-min) is missing.", "port_range_min" },
        { "icmp type too big", Rule(Rule1, protocol: "icmp", min: 256), NeutronDiagnosticCodes.InvalidIcmpValue,
            "Invalid value for ICMP type (port_range_min) 256. It must be 0 to 255.", "port_range_min" },
        { "IPv6-only protocol on IPv4", Rule(Rule1, protocol: "ipv6-icmp"), NeutronDiagnosticCodes.EthertypeConflictWithProtocol,
            "Invalid ethertype IPv4 for protocol ipv6-icmp.", "protocol" },
        { "bad direction", Rule(Rule1, direction: "inbound"), NeutronDiagnosticCodes.InvalidDirection,
            "Invalid input for direction. Reason: inbound is not in valid_values.", "direction" },
        { "bad ethertype", Rule(Rule1, ethertype: "ARP"), NeutronDiagnosticCodes.InvalidEthertype,
            "Security group rule for ethertype 'ARP' not supported. Allowed values are ['IPv4', 'IPv6'].", "ethertype" },
        { "bad prefix", Rule(Rule1, prefix: "10.0.0.256/8"), NeutronDiagnosticCodes.InvalidCidr, "Invalid CIDR 10.0.0.256/8 given as IP prefix.", "remote_ip_prefix" },
        { "two remotes", Rule(Rule1, prefix: "10.0.0.0/8", remoteGroup: Web), NeutronDiagnosticCodes.MultipleRemotes,
            "Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.", null },
        { "unknown remote group", Rule(Rule1, remoteGroup: "99999999-0000-4000-8000-000000000000"), NeutronDiagnosticCodes.RemoteGroupNotFound,
            "Security group 99999999-0000-4000-8000-000000000000 does not exist", "remote_group_id" },
        { "unknown address group", Rule(Rule1, remoteAddressGroup: "99999999-0000-4000-8000-000000000000"), NeutronDiagnosticCodes.RemoteAddressGroupNotFound,
            "Address group 99999999-0000-4000-8000-000000000000 could not be found.", "remote_address_group_id" },
        { "normalized_cidr not Neutron's", Rule(Rule1, prefix: "10.1.0.0/16") with { NormalizedCidr = "10.0.0.0/16" }, NeutronDiagnosticCodes.NormalizedCidrMismatch,
            "normalized_cidr 10.0.0.0/16 is not what Neutron computes from remote_ip_prefix 10.1.0.0/16 (10.1.0.0/16)", "normalized_cidr" },
        { "rule of another group", Rule(Rule1) with { SecurityGroupId = Db }, NeutronDiagnosticCodes.RuleGroupMismatch,
            $"the rule names security group {Db} but is listed under {Web}", "security_group_id" },
    };

    [Theory]
    [MemberData(nameof(InvalidRules))]
    public void An_invalid_rule_gets_neutrons_error_at_its_group_rule_and_field(string why, NeutronSecurityGroupRule rule, string code, string message, string? field)
    {
        var result = NeutronTranslator.Translate(Input([Group(Web, rule), Group(Db)]));

        Assert.Null(result.Rows);
        var error = Assert.Single(result.Diagnostics);
        Assert.True((code, message) == (error.Code, error.Message), $"{why}: got {error}");
        Assert.Equal(new NeutronLocation("groups.json", "security_group_rule", Rule1, field, Web), error.Location);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
    }

    [Fact]
    public void Duplicate_rules_name_the_rule_neutron_already_has()
    {
        var result = NeutronTranslator.Translate(Input([Group(Web, Rule("r1", protocol: "tcp", min: 22, max: 22), Rule("r2", protocol: "6", min: 22, max: 22))]));

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal((NeutronDiagnosticCodes.DuplicateRule, "Security group rule already exists. Rule id is r1.", "r2"), (error.Code, error.Message, error.Location.ObjectId));
    }

    [Fact]
    public void Every_error_is_reported_together_and_nothing_is_translated()
    {
        var input = Input(
            [Group(Web, Rule("r1", protocol: "tcp", min: 9, max: 8), Rule("r2", protocol: "icmp", max: 3), Rule("ok", protocol: "tcp", min: 22, max: 22)),
             Group(Db, Rule("r3", ethertype: "IPv6", prefix: "10.0.0.0/8")) with { Stateful = false }],
            [Port("p1", false, "compute:nova", Web), Port("p2", true, "compute:nova", Web, Db, "missing-1", "missing-2")]);

        var result = NeutronTranslator.Translate(input);

        Assert.False(result.Succeeded);
        Assert.Equal(
            [(NeutronDiagnosticCodes.InvalidPortRange, "r1"), (NeutronDiagnosticCodes.MissingIcmpType, "r2"), (NeutronDiagnosticCodes.EthertypeConflictWithPrefix, "r3"),
             (NeutronDiagnosticCodes.PortSecurityDisabledWithGroups, "p1"), (NeutronDiagnosticCodes.PortSecurityGroupNotFound, "p2"), (NeutronDiagnosticCodes.MixedStatefulGroups, "p2")],
            result.Diagnostics.Select(d => (d.Code, d.Location.ObjectId)));
        Assert.Equal("Security group missing-1, missing-2 does not exist", result.Diagnostics[4].Message);
        var exception = Assert.Throws<AclCompileException>(result.GetRowsOrThrow);
        Assert.Equal(6, exception.Diagnostics.Length);
        Assert.Contains("groups.json: security_group_rule r1 (security_group 7e6b0000-0000-4000-8000-000000000001): port_range_min: NEUT0106: For TCP/UDP protocols", exception.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OvnAclException>(exception);
    }

    [Fact]
    public void Ids_seen_twice_are_errors()
    {
        var input = Input([Group(Web, Rule("r1")), Group(Web) with { SourceFile = "more.json" }, Group(Db, Rule("r1"))]);

        var result = NeutronTranslator.Translate(input);

        Assert.Equal(
            ["more.json: security_group 7e6b0000-0000-4000-8000-000000000001: id: NEUT0006: security_group 7e6b0000-0000-4000-8000-000000000001 appears more than once (first in groups.json)",
             $"groups.json: security_group_rule r1 (security_group {Db}): id: NEUT0006: security_group_rule r1 appears more than once (first at groups.json: security_group_rule r1 (security_group {Web}))"],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void A_group_built_in_code_without_a_boolean_stateful_is_an_error_not_left_out()
    {
        var result = NeutronTranslator.Translate(Input([Group(Web) with { Stateful = null }]));

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal((NeutronDiagnosticCodes.InvalidStateful, "stateful"), (error.Code, error.Location.Field));
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void A_stateful_that_reading_refused_is_reported_once()
    {
        var result = NeutronTranslator.Translate(NeutronInput.Parse("""{"security_groups": [{"id": "sg-1", "stateful": "yes"}]}""", "groups.json"));

        Assert.Equal([NeutronDiagnosticCodes.InvalidStateful], result.Diagnostics.Select(d => d.Code));
    }
}
