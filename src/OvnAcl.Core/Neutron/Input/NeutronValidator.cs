using OvnAcl.Collections;

namespace OvnAcl.Neutron;

/// <summary>A security group whose rules all passed Neutron's checks, in canonical form.</summary>
internal sealed record ValidatedGroup(NeutronSecurityGroup Group, bool Stateful, IReadOnlyList<CanonicalRule> Rules);

/// <summary>The input once checked: what can be translated, and every diagnostic found (reading ones included).</summary>
internal sealed record ValidatedInput(
    IReadOnlyList<ValidatedGroup> Groups,
    IReadOnlyList<NeutronPort> Ports,
    IReadOnlyList<(NeutronAddressGroup Group, IReadOnlyList<IpPrefix> Addresses)> AddressGroups,
    IReadOnlyList<NeutronDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Checks the whole input as Neutron's API would have when the objects were created: every rule (see
/// <see cref="NeutronRuleChecks"/>), ports against their groups, address group entries, and ids that appear twice.
/// All problems are collected; nothing stops at the first.
/// </summary>
internal sealed class NeutronValidator
{
    private readonly NeutronInput _input;
    private readonly NeutronTranslationOptions _options;
    private readonly List<NeutronDiagnostic> _diagnostics;

    private NeutronValidator(NeutronInput input, NeutronTranslationOptions options)
    {
        _input = input;
        _options = options;
        _diagnostics = [.. input.Diagnostics];
    }

    public static ValidatedInput Validate(NeutronInput input, NeutronTranslationOptions options) =>
        new NeutronValidator(input, options).Run();

    private ValidatedInput Run()
    {
        var groups = Unique(_input.SecurityGroups, g => g.Id, g => new NeutronLocation(g.SourceFile, NeutronObjectKinds.SecurityGroup, g.Id, SecurityGroupId: g.Id), g => g.SourceFile);
        var ports = Unique(_input.Ports, p => p.Id, p => new NeutronLocation(p.SourceFile, NeutronObjectKinds.Port, p.Id), p => p.SourceFile);
        var addressGroups = Unique(_input.AddressGroups, a => a.Id, a => new NeutronLocation(a.SourceFile, NeutronObjectKinds.AddressGroup, a.Id), a => a.SourceFile);
        var groupsById = groups.ToDictionary(g => g.Id, StringComparer.Ordinal);
        var addressGroupIds = addressGroups.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);

        var readFailures = _input.Diagnostics
            .Where(d => d.IsError && d.Location.ObjectKind == NeutronObjectKinds.SecurityGroupRule)
            .Select(d => (d.Location.File, d.Location.SecurityGroupId, d.Location.ObjectId))
            .ToHashSet();
        var ruleIds = new Dictionary<string, NeutronLocation>(StringComparer.Ordinal);
        var validatedGroups = new List<ValidatedGroup>();
        foreach (var group in groups)
        {
            var rules = new List<CanonicalRule>();
            var keys = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var rule in group.Rules)
            {
                var location = new NeutronLocation(group.SourceFile, NeutronObjectKinds.SecurityGroupRule, rule.Id, SecurityGroupId: group.Id);
                if (!ruleIds.TryAdd(rule.Id, location))
                {
                    Error(NeutronDiagnosticCodes.DuplicateId, $"security_group_rule {rule.Id} appears more than once (first at {ruleIds[rule.Id]})", location with { Field = "id" });
                    continue;
                }

                if (readFailures.Contains((group.SourceFile, group.Id, rule.Id)))
                {
                    continue;
                }

                if (rule.SecurityGroupId is { } owner && owner != group.Id)
                {
                    Error(NeutronDiagnosticCodes.RuleGroupMismatch, $"the rule names security group {owner} but is listed under {group.Id}", location with { Field = "security_group_id" });
                    continue;
                }

                if (CheckRule(rule, group, location, groupsById, addressGroupIds, keys) is { } canonical)
                {
                    rules.Add(canonical);
                }
            }

            if (group.Stateful is { } stateful)
            {
                validatedGroups.Add(new ValidatedGroup(group, stateful || !_options.StatelessSupported, rules));
            }
        }

        foreach (var port in ports)
        {
            CheckPort(port, groupsById);
        }

        var validatedAddressGroups = addressGroups.Select(a => (a, (IReadOnlyList<IpPrefix>)CheckAddresses(a))).ToList();
        return new ValidatedInput(validatedGroups, ports, validatedAddressGroups, _diagnostics);
    }

    private CanonicalRule? CheckRule(
        NeutronSecurityGroupRule rule, NeutronSecurityGroup group, NeutronLocation location,
        Dictionary<string, NeutronSecurityGroup> groups, HashSet<string> addressGroups, Dictionary<string, string> keys)
    {
        var converted = NeutronRuleChecks.Convert(rule, location, out var conversionError);
        if (converted is null)
        {
            _diagnostics.Add(conversionError!);
            return null;
        }

        var canonical = NeutronRuleChecks.Canonicalize(converted);
        if (NeutronRuleChecks.Validate(canonical, groups.ContainsKey, addressGroups.Contains, location) is { } error)
        {
            _diagnostics.Add(error);
            return null;
        }

        var key = NeutronRuleChecks.RuleKey(canonical, group.Id);
        if (keys.TryGetValue(key, out var earlier))
        {
            Error(NeutronDiagnosticCodes.DuplicateRule, NeutronMessages.RuleExists(earlier), location);
            return null;
        }

        keys.Add(key, rule.Id);
        if (rule.NormalizedCidr is { } shown && shown != canonical.NormalizedCidr)
        {
            Error(NeutronDiagnosticCodes.NormalizedCidrMismatch,
                $"normalized_cidr {shown} is not what Neutron computes from remote_ip_prefix {rule.RemoteIpPrefix ?? "None"} ({canonical.NormalizedCidr ?? "None"})",
                location with { Field = "normalized_cidr" });
            return null;
        }

        if (!string.IsNullOrEmpty(canonical.RemoteAddressGroupId) && _options.RemoteAddressGroups == NeutronRemoteAddressGroupHandling.Ignore)
        {
            Warning(NeutronDiagnosticCodes.RemoteAddressGroupIgnored,
                $"remote address group {canonical.RemoteAddressGroupId} is left out of the match, as Neutron 21 and older do: the ACL admits every remote",
                location with { Field = "remote_address_group_id" });
        }

        if (canonical.Protocol is { } protocol && (canonical.PortRangeMin ?? canonical.PortRangeMax) is not null
            && NeutronProtocols.DriverProtocolNumber(protocol) is NeutronProtocols.Dccp or NeutronProtocols.UdpLite)
        {
            Warning(NeutronDiagnosticCodes.PortsIgnoredForProtocol,
                $"Neutron's API accepts ports for protocol {protocol} but its OVN driver leaves them out of the match: the ACL admits every port",
                location with { Field = "port_range_min" });
        }

        return canonical;
    }

    private void CheckPort(NeutronPort port, Dictionary<string, NeutronSecurityGroup> groups)
    {
        var location = new NeutronLocation(port.SourceFile, NeutronObjectKinds.Port, port.Id);
        var missing = port.SecurityGroups.Where(id => !groups.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            Error(NeutronDiagnosticCodes.PortSecurityGroupNotFound, NeutronMessages.SecurityGroupNotFound(string.Join(", ", missing)), location with { Field = "security_groups" });
        }

        if (port.PortSecurityEnabled == false && port.SecurityGroups.Count > 0)
        {
            Error(NeutronDiagnosticCodes.PortSecurityDisabledWithGroups, NeutronMessages.PortSecurityRequired, location with { Field = "port_security_enabled" });
        }
        else if (port.PortSecurityEnabled is null)
        {
            Warning(NeutronDiagnosticCodes.PortSecurityUnknown,
                "port_security_enabled is absent; Neutron's OVN driver then treats the port as without port security (not in neutron_pg_drop)",
                location with { Field = "port_security_enabled" });
        }

        var statefulness = port.SecurityGroups
            .Select(id => groups.TryGetValue(id, out var g) ? g.Stateful : null)
            .OfType<bool>()
            .Distinct()
            .Count();
        if (statefulness > 1)
        {
            Error(NeutronDiagnosticCodes.MixedStatefulGroups, NeutronMessages.MixedStateful, location with { Field = "security_groups" });
        }
    }

    /// <summary>neutron_lib's <c>type:subnet_list</c> check on an address group's addresses.</summary>
    private List<IpPrefix> CheckAddresses(NeutronAddressGroup addressGroup)
    {
        var location = new NeutronLocation(addressGroup.SourceFile, NeutronObjectKinds.AddressGroup, addressGroup.Id, "addresses");
        var addresses = new List<IpPrefix>();
        foreach (var address in addressGroup.Addresses)
        {
            if (!IpPrefix.TryParse(address, out var prefix))
            {
                Error(NeutronDiagnosticCodes.InvalidAddress, NeutronMessages.InvalidSubnet(address), location);
                continue;
            }

            if (!address.Contains('/', StringComparison.Ordinal) || (!prefix.IsIPv6 && prefix.ToString() != address))
            {
                Error(NeutronDiagnosticCodes.InvalidAddress, NeutronMessages.SubnetNotCidr(address, prefix.ToString()), location);
                continue;
            }

            if (prefix.HasHostBits)
            {
                Warning(NeutronDiagnosticCodes.AddressHostBits,
                    $"{address} has host bits set; OVN refuses such an address set entry (the network is {prefix.Network()})", location);
            }

            addresses.Add(prefix);
        }

        return addresses;
    }

    private List<T> Unique<T>(IEnumerable<T> items, Func<T, string> id, Func<T, NeutronLocation> location, Func<T, string?> file)
    {
        var first = new Dictionary<string, T>(StringComparer.Ordinal);
        var unique = new List<T>();
        foreach (var item in items)
        {
            if (first.TryGetValue(id(item), out var earlier))
            {
                var where = location(item);
                Error(NeutronDiagnosticCodes.DuplicateId,
                    $"{where.ObjectKind} {id(item)} appears more than once (first in {file(earlier) ?? "input"})", where with { Field = "id" });
                continue;
            }

            first.Add(id(item), item);
            unique.Add(item);
        }

        return unique;
    }

    private void Error(string code, string message, NeutronLocation location) =>
        _diagnostics.Add(new NeutronDiagnostic(code, NeutronDiagnosticSeverity.Error, message, location));

    private void Warning(string code, string message, NeutronLocation location) =>
        _diagnostics.Add(new NeutronDiagnostic(code, NeutronDiagnosticSeverity.Warning, message, location));
}
