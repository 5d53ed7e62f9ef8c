using OvnAcl.Addressing;

namespace OvnAcl.Neutron;

/// <summary>
/// What Neutron's API does to one security group rule before storing it, in Neutron's order, stopping at the first
/// failure as Neutron does: the attribute converters and validators (neutron/extensions/securitygroup.py, applied in
/// the attribute map's order), then SecurityGroupDbMixin's canonicalisation and checks (neutron/db/securitygroups_db.py).
/// </summary>
internal static class NeutronRuleChecks
{
    /// <summary>The API layer: direction, protocol, ports, ethertype, remote_ip_prefix, in that order.</summary>
    public static CanonicalRule? Convert(NeutronSecurityGroupRule rule, NeutronLocation location, out Diagnostic? error)
    {
        error = null;
        if (rule.Direction is null)
        {
            error = Error(NeutronDiagnosticCodes.MissingField, NeutronMessages.MissingAttribute("direction"), location, "direction");
            return null;
        }

        if (rule.Direction is not ("ingress" or "egress"))
        {
            error = Error(NeutronDiagnosticCodes.InvalidDirection, NeutronMessages.InvalidDirection(rule.Direction), location, "direction");
            return null;
        }

        string? protocol = null;
        if (rule.Protocol is { } rawProtocol)
        {
            // convert_protocol: a number keeps its text; a name is lower-cased; both must be known.
            if (PythonInt.TryParse(rawProtocol, out var number, out var overflow))
            {
                if (overflow || number is < 0 or > 255)
                {
                    error = Error(NeutronDiagnosticCodes.InvalidProtocol, NeutronMessages.InvalidProtocol(rawProtocol), location, "protocol");
                    return null;
                }

                protocol = rawProtocol;
            }
            else
            {
                var lower = rawProtocol.ToLowerInvariant();
                if (!NeutronProtocols.IsKnownName(lower))
                {
                    error = Error(NeutronDiagnosticCodes.InvalidProtocol, NeutronMessages.InvalidProtocol(rawProtocol), location, "protocol");
                    return null;
                }

                protocol = lower;
            }
        }

        foreach (var (value, field) in new[] { (rule.PortRangeMin, "port_range_min"), (rule.PortRangeMax, "port_range_max") })
        {
            if (value is { } port and not (>= 0 and <= 65535))
            {
                error = Error(NeutronDiagnosticCodes.InvalidPortValue, NeutronMessages.InvalidPortValue(NeutronMessages.Num(port)), location, field);
                return null;
            }
        }

        string ethertype;
        if (string.Equals(rule.Ethertype, "IPv4", StringComparison.OrdinalIgnoreCase))
        {
            ethertype = "IPv4";
        }
        else if (string.Equals(rule.Ethertype, "IPv6", StringComparison.OrdinalIgnoreCase))
        {
            ethertype = "IPv6";
        }
        else
        {
            error = Error(NeutronDiagnosticCodes.InvalidEthertype, NeutronMessages.InvalidEthertype(rule.Ethertype), location, "ethertype");
            return null;
        }

        IpPrefix? prefix = null;
        if (!string.IsNullOrEmpty(rule.RemoteIpPrefix))
        {
            if (!IpPrefix.TryParseNetaddr(rule.RemoteIpPrefix, out var parsed))
            {
                error = Error(NeutronDiagnosticCodes.InvalidCidr, NeutronMessages.InvalidCidr(rule.RemoteIpPrefix), location, "remote_ip_prefix");
                return null;
            }

            prefix = parsed;
        }

        return new CanonicalRule
        {
            Id = rule.Id,
            Direction = rule.Direction,
            Ethertype = ethertype,
            Protocol = protocol,
            PortRangeMin = rule.PortRangeMin,
            PortRangeMax = rule.PortRangeMax,
            RemoteIpPrefix = prefix,
            RemoteGroupId = rule.RemoteGroupId,
            RemoteAddressGroupId = rule.RemoteAddressGroupId,
        };
    }

    /// <summary>
    /// _make_canonical_ipv6_icmp_protocol and _make_canonical_port_range: on IPv6, <c>icmp</c>/<c>icmpv6</c> become
    /// <c>ipv6-icmp</c> and <c>1</c> becomes <c>58</c>; the whole range 1–65535 becomes no range, whatever the protocol.
    /// </summary>
    public static CanonicalRule Canonicalize(CanonicalRule rule)
    {
        if (rule.IsIPv6)
        {
            if (rule.Protocol is "icmp" or "icmpv6")
            {
                rule = rule with { Protocol = "ipv6-icmp" };
            }
            else if (rule.Protocol == "1")
            {
                rule = rule with { Protocol = "58" };
            }
        }

        if (rule is { PortRangeMin: 1, PortRangeMax: 65535 })
        {
            rule = rule with { PortRangeMin = null, PortRangeMax = null };
        }

        return rule;
    }

    /// <summary>
    /// _validate_port_range, _validate_ip_prefix, _validate_ethertype_and_protocol, the single-remote check and the
    /// remote look-ups of _validate_security_group_rule; the first failure, or null.
    /// </summary>
    public static Diagnostic? Validate(CanonicalRule rule, Func<string, bool> groupExists, Func<string, bool> addressGroupExists, NeutronLocation location)
    {
        if (ValidatePortRange(rule, location) is { } portError)
        {
            return portError;
        }

        if (rule.RemoteIpPrefix is { } prefix && rule.Ethertype != $"IPv{prefix.Version}")
        {
            return Error(NeutronDiagnosticCodes.EthertypeConflictWithPrefix, NeutronMessages.EthertypeConflictWithPrefix(rule.Ethertype, prefix.ToNetaddrString()), location, "remote_ip_prefix");
        }

        if (rule.Ethertype == "IPv4" && rule.Protocol is { } protocol && NeutronProtocols.Ipv6OnlyProtocols.Contains(protocol))
        {
            return Error(NeutronDiagnosticCodes.EthertypeConflictWithProtocol, NeutronMessages.EthertypeConflictWithProtocol(rule.Ethertype, protocol), location, "protocol");
        }

        var remotes = (rule.RemoteIpPrefix is null ? 0 : 1) + (string.IsNullOrEmpty(rule.RemoteGroupId) ? 0 : 1) + (string.IsNullOrEmpty(rule.RemoteAddressGroupId) ? 0 : 1);
        if (remotes > 1)
        {
            return Error(NeutronDiagnosticCodes.MultipleRemotes, NeutronMessages.MultipleRemotes, location, null);
        }

        if (!string.IsNullOrEmpty(rule.RemoteGroupId) && !groupExists(rule.RemoteGroupId))
        {
            return Error(NeutronDiagnosticCodes.RemoteGroupNotFound, NeutronMessages.SecurityGroupNotFound(rule.RemoteGroupId), location, "remote_group_id");
        }

        if (!string.IsNullOrEmpty(rule.RemoteAddressGroupId) && !addressGroupExists(rule.RemoteAddressGroupId))
        {
            return Error(NeutronDiagnosticCodes.RemoteAddressGroupNotFound, NeutronMessages.AddressGroupNotFound(rule.RemoteAddressGroupId), location, "remote_address_group_id");
        }

        return null;
    }

    private static Diagnostic? ValidatePortRange(CanonicalRule rule, NeutronLocation location)
    {
        var (min, max) = (rule.PortRangeMin, rule.PortRangeMax);
        if (min is null && max is null)
        {
            return null;
        }

        if (string.IsNullOrEmpty(rule.Protocol))
        {
            return Error(NeutronDiagnosticCodes.ProtocolRequiredWithPorts, NeutronMessages.ProtocolRequiredWithPorts, location, "protocol");
        }

        var number = NeutronProtocols.ApiProtocolNumber(rule.Protocol);
        if (NeutronProtocols.ApiAcceptsPorts(number))
        {
            if (min == 0 || max == 0)
            {
                return Error(NeutronDiagnosticCodes.InvalidPortValue, NeutronMessages.InvalidPortValue("0"), location, min == 0 ? "port_range_min" : "port_range_max");
            }

            return min is not null && max is not null && min <= max
                ? null
                : Error(NeutronDiagnosticCodes.InvalidPortRange, NeutronMessages.InvalidPortRange, location, "port_range_min");
        }

        if (number is NeutronProtocols.Icmp or NeutronProtocols.Ipv6Icmp)
        {
            foreach (var (value, field, attribute) in new[] { (min, "type", "port_range_min"), (max, "code", "port_range_max") })
            {
                if (value is { } v and not (>= 0 and <= 255))
                {
                    return Error(NeutronDiagnosticCodes.InvalidIcmpValue, NeutronMessages.InvalidIcmpValue(field, attribute, v), location, attribute);
                }
            }

            return min is null && max is { } code
                ? Error(NeutronDiagnosticCodes.MissingIcmpType, NeutronMessages.MissingIcmpType(code), location, "port_range_min")
                : null;
        }

        return Error(NeutronDiagnosticCodes.InvalidProtocolForPort, NeutronMessages.InvalidProtocolForPort(number), location, "port_range_min");
    }

    /// <summary>
    /// SecurityGroupDbMixin._rule_to_key: two rules of a group are the same to Neutron when these strings are equal
    /// (protocols compared by name and number, <c>0.0.0.0/0</c> and <c>::/0</c> the same as no prefix).
    /// </summary>
    public static string RuleKey(CanonicalRule rule, string securityGroupId)
    {
        const string none = "+";
        var prefix = rule.RemoteIpPrefix?.ToNetaddrString();
        return string.Join('_',
            rule.Direction,
            rule.Ethertype,
            rule.PortRangeMax is { } max ? NeutronMessages.Num(max) : none,
            rule.PortRangeMin is { } min ? NeutronMessages.Num(min) : none,
            rule.Protocol is { } protocol ? ProtocolKey(protocol, rule.IsIPv6) : none,
            rule.RemoteGroupId ?? none,
            rule.RemoteAddressGroupId ?? none,
            prefix is null or "0.0.0.0/0" or "::/0" ? none : prefix,
            securityGroupId);
    }

    /// <summary>_get_ip_proto_name_and_num, written as Python writes the list it returns.</summary>
    private static string ProtocolKey(string protocol, bool ipv6)
    {
        if (ipv6)
        {
            protocol = protocol switch
            {
                "icmp" or "icmpv6" => "ipv6-icmp",
                "1" => "58",
                _ => protocol,
            };
        }

        if (NeutronProtocols.TryGetNumber(protocol, out var number))
        {
            return $"['{protocol}', '{NeutronMessages.Num(number)}']";
        }

        return NumberToName(protocol) is { } name ? $"['{name}', '{protocol}']" : $"['{protocol}', '{protocol}']";
    }

    /// <summary>neutron_lib's IP_PROTOCOL_NUM_TO_NAME_MAP: keyed by the exact text, <c>"0"</c> is <c>ip</c>, <c>"58"</c> is <c>ipv6-icmp</c>.</summary>
    private static string? NumberToName(string text) => text switch
    {
        "0" => "ip",
        "58" => "ipv6-icmp",
        _ => NeutronProtocols.IpProtocolMap.FirstOrDefault(p => NeutronMessages.Num(p.Number) == text).Name,
    };

    private static Diagnostic Error(string code, string message, NeutronLocation location, string? field) =>
        new(code, DiagnosticSeverity.Error, message, location with { Field = field });
}
