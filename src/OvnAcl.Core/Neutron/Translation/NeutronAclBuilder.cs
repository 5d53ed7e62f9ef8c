using System.Globalization;
using System.Text;
using OvnAcl.Collections;
using OvnAcl.Northbound;

namespace OvnAcl.Neutron;

/// <summary>
/// The ACLs Neutron's ML2/OVN driver writes (neutron/common/ovn/acl.py), built from canonical rules. The match text
/// is Neutron's, clause by clause, not OvnAcl's canonical print: operators diff it against a live NB.
/// </summary>
internal static class NeutronAclBuilder
{
    /// <summary>acl.py _add_sg_rule_acl_for_port_group: direction, IP version, remote prefix, remote group, protocol and ports.</summary>
    public static string Match(CanonicalRule rule, string portGroup, NeutronRemoteAddressGroupHandling addressGroups)
    {
        var match = new StringBuilder(96);
        match.Append(rule.IsIngress ? "outport" : "inport").Append(" == @").Append(portGroup);
        var ip = rule.IsIPv6 ? "ip6" : "ip4";
        match.Append(" && ").Append(ip);
        var srcOrDst = rule.IsIngress ? "src" : "dst";
        if (rule.NormalizedCidr is { } cidr)
        {
            match.Append(" && ").Append(ip).Append('.').Append(srcOrDst).Append(" == ").Append(cidr);
        }

        if (!string.IsNullOrEmpty(rule.RemoteGroupId))
        {
            match.Append(" && ").Append(ip).Append('.').Append(srcOrDst).Append(" == $").Append(NeutronNames.PortGroupAddressSet(rule.RemoteGroupId, ip));
        }

        if (!string.IsNullOrEmpty(rule.RemoteAddressGroupId) && addressGroups == NeutronRemoteAddressGroupHandling.AddressSets)
        {
            match.Append(" && ").Append(ip).Append('.').Append(srcOrDst).Append(" == $").Append(NeutronNames.AddressGroupAddressSet(rule.RemoteAddressGroupId, ip));
        }

        AppendProtocol(match, rule);
        return match.ToString();
    }

    /// <summary>acl.py acl_protocol_and_ports.</summary>
    private static void AppendProtocol(StringBuilder match, CanonicalRule rule)
    {
        if (rule.Protocol is null)
        {
            return;
        }

        var number = NeutronProtocols.DriverProtocolNumber(rule.Protocol)
            ?? throw new InvalidOperationException($"protocol '{rule.Protocol}' passed the API's checks but the OVN driver cannot read it");
        var (min, max) = (rule.PortRangeMin, rule.PortRangeMax);
        switch (number)
        {
            case NeutronProtocols.Tcp or NeutronProtocols.Udp or NeutronProtocols.Sctp:
                var name = number switch { NeutronProtocols.Tcp => "tcp", NeutronProtocols.Udp => "udp", _ => "sctp" };
                match.Append(" && ").Append(name);
                if (min is not null && min == max)
                {
                    match.Append(CultureInfo.InvariantCulture, $" && {name}.dst == {min}");
                }
                else
                {
                    if (min is not null)
                    {
                        match.Append(CultureInfo.InvariantCulture, $" && {name}.dst >= {min}");
                    }

                    if (max is not null)
                    {
                        match.Append(CultureInfo.InvariantCulture, $" && {name}.dst <= {max}");
                    }
                }

                break;
            case NeutronProtocols.Icmp or NeutronProtocols.Ipv6Icmp:
                // The ICMP version follows the ethertype, not the protocol: "icmp" on an IPv6 rule is icmp6.
                var icmp = rule.IsIPv6 ? "icmp6" : "icmp4";
                match.Append(" && ").Append(icmp);
                if (min is not null)
                {
                    match.Append(CultureInfo.InvariantCulture, $" && {icmp}.type == {min}");
                }

                if (max is not null)
                {
                    match.Append(CultureInfo.InvariantCulture, $" && {icmp}.code == {max}");
                }

                break;
            default:
                match.Append(CultureInfo.InvariantCulture, $" && ip.proto == {number}");
                break;
        }
    }

    /// <summary>acl.py add_sg_rule_acl_for_port_group, as ovsdbapp writes it: name, severity and meter left empty, log false.</summary>
    public static AclRow RuleAcl(CanonicalRule rule, string portGroup, bool stateful, NeutronRemoteAddressGroupHandling addressGroups) => new()
    {
        Direction = rule.IsIngress ? "to-lport" : "from-lport",
        Priority = NeutronNames.AllowPriority,
        Match = Match(rule, portGroup, addressGroups),
        Action = stateful ? "allow-related" : "allow-stateless",
        Log = false,
        ExternalIds = new EquatableMap([new(NeutronNames.SecurityGroupRuleIdKey, rule.Id)]),
    };

    /// <summary>
    /// acl.py add_acls_for_sg_port_group: one ACL per rule in the group's order, except that ovsdbapp's
    /// <c>may_exist=True</c> skips an ACL whose direction, priority and match an earlier one already has (the
    /// earlier rule's id stays in external_ids). <paramref name="duplicate"/> hears of each skipped rule and the rule kept.
    /// </summary>
    public static EquatableArray<AclRow> GroupAcls(
        IEnumerable<CanonicalRule> rules, string securityGroupId, bool stateful, NeutronRemoteAddressGroupHandling addressGroups,
        Action<CanonicalRule, string>? duplicate = null)
    {
        var portGroup = NeutronNames.PortGroup(securityGroupId);
        var seen = new Dictionary<(string, int, string), string>();
        var acls = new List<AclRow>();
        foreach (var rule in rules)
        {
            var acl = RuleAcl(rule, portGroup, stateful, addressGroups);
            if (seen.TryGetValue((acl.Direction, acl.Priority, acl.Match), out var keptRuleId))
            {
                duplicate?.Invoke(rule, keptRuleId);
                continue;
            }

            seen.Add((acl.Direction, acl.Priority, acl.Match), rule.Id);
            acls.Add(acl);
        }

        return acls.ToEquatableArray();
    }

    /// <summary>acl.py add_acls_for_drop_port_group: drop all IP both ways at 1001, below every rule's 1002.</summary>
    public static EquatableArray<AclRow> DropAcls() => EquatableArray.Create(
        new AclRow { Direction = "from-lport", Priority = NeutronNames.DropPriority, Match = $"inport == @{NeutronNames.DropPortGroup} && ip", Action = "drop" },
        new AclRow { Direction = "to-lport", Priority = NeutronNames.DropPriority, Match = $"outport == @{NeutronNames.DropPortGroup} && ip", Action = "drop" });
}
