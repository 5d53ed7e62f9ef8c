using OvnAcl.Addressing;
using OvnAcl.Collections;

namespace OvnAcl.Neutron;

/// <summary>A security group whose rules all passed Neutron's checks, in canonical form.</summary>
internal sealed record ValidatedGroup(NeutronSecurityGroup Group, bool Stateful, IReadOnlyList<CanonicalRule> Rules);

/// <summary>The input once checked: what can be translated, and every diagnostic found (reading ones included).</summary>
internal sealed record ValidatedInput(
    IReadOnlyList<ValidatedGroup> Groups,
    IReadOnlyList<NeutronPort> Ports,
    IReadOnlyList<(NeutronAddressGroup Group, IReadOnlyList<IpPrefix> Addresses)> AddressGroups,
    IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// What a single-object check needs to know about the objects around it: the batch validator answers from the input,
/// <c>NeutronEngine</c> from its current state.
/// </summary>
/// <param name="FindGroup">A security group by id (remote groups must exist; ports read their groups' <c>stateful</c>).</param>
/// <param name="AddressGroupExists">Whether a remote address group exists.</param>
/// <param name="RuleIdTakenElsewhere">Where a rule id is already used outside the group being checked, or null.</param>
internal sealed record NeutronCheckContext(
    Func<string, NeutronSecurityGroup?> FindGroup,
    Func<string, bool> AddressGroupExists,
    Func<string, NeutronLocation?> RuleIdTakenElsewhere);

/// <summary>
/// Checks the whole input as Neutron's API would have when the objects were created: every rule (see
/// <see cref="NeutronRuleChecks"/>), ports against their groups, address group entries, and ids that appear twice.
/// All problems are collected; nothing stops at the first. The per-object checks (<see cref="CheckGroup"/>,
/// <see cref="CheckPort"/>, <see cref="CheckAddressGroup"/>) are what <c>NeutronEngine</c> runs on each event.
/// </summary>
internal sealed class NeutronValidator
{
    private readonly NeutronInput _input;
    private readonly NeutronTranslationOptions _options;
    private readonly List<Diagnostic> _diagnostics;

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

        // The objects reading found errors in, by location without the field: a rule's is its file, group and id.
        var readFailures = _input.Diagnostics
            .Where(d => d.IsError)
            .Select(d => d.Location with { Field = null })
            .ToHashSet();
        var statefulUnread = _input.Diagnostics
            .Where(d => d.Code == NeutronDiagnosticCodes.InvalidStateful)
            .Select(d => d.Location with { Field = null })
            .ToHashSet();
        var ruleIds = new Dictionary<string, NeutronLocation>(StringComparer.Ordinal);
        var context = new NeutronCheckContext(
            id => groupsById.GetValueOrDefault(id),
            addressGroupIds.Contains,
            id => ruleIds.TryGetValue(id, out var first) ? first : null);
        var validatedGroups = new List<ValidatedGroup>();
        foreach (var group in groups)
        {
            // Reading already reported a non-boolean stateful and the rules it could not read.
            if (CheckGroup(group, _options, context, _diagnostics, statefulUnread: statefulUnread.Contains(new NeutronLocation(group.SourceFile, NeutronObjectKinds.SecurityGroup, group.Id, SecurityGroupId: group.Id)),
                    skipRule: rule => readFailures.Contains(new NeutronLocation(group.SourceFile, NeutronObjectKinds.SecurityGroupRule, rule.Id, SecurityGroupId: group.Id))) is { } validated)
            {
                validatedGroups.Add(validated);
            }

            foreach (var rule in group.Rules)
            {
                ruleIds.TryAdd(rule.Id, RuleLocation(group, rule));
            }
        }

        foreach (var port in ports)
        {
            CheckPort(port, context.FindGroup, _diagnostics);
        }

        var validatedAddressGroups = addressGroups.Select(a => (a, (IReadOnlyList<IpPrefix>)CheckAddressGroup(a, _diagnostics))).ToList();
        return new ValidatedInput(validatedGroups, ports, validatedAddressGroups, _diagnostics);
    }

    public static NeutronLocation RuleLocation(NeutronSecurityGroup group, NeutronSecurityGroupRule rule) =>
        new(group.SourceFile, NeutronObjectKinds.SecurityGroupRule, rule.Id, SecurityGroupId: group.Id);

    /// <summary>
    /// One security group and its rules, in order; null when its <c>stateful</c> is not a boolean (an error unless
    /// <paramref name="statefulUnread"/> says reading reported it). Rules that fail are left out of the result.
    /// </summary>
    public static ValidatedGroup? CheckGroup(
        NeutronSecurityGroup group, NeutronTranslationOptions options, NeutronCheckContext context, List<Diagnostic> diagnostics,
        bool statefulUnread = false, Func<NeutronSecurityGroupRule, bool>? skipRule = null)
    {
        var rules = new List<CanonicalRule>();
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var ids = new Dictionary<string, NeutronLocation>(StringComparer.Ordinal);
        foreach (var rule in group.Rules)
        {
            var location = RuleLocation(group, rule);
            if ((ids.TryGetValue(rule.Id, out var first) ? first : context.RuleIdTakenElsewhere(rule.Id)) is { } earlier)
            {
                Error(diagnostics, NeutronDiagnosticCodes.DuplicateId, $"security_group_rule {rule.Id} appears more than once (first at {earlier})", location with { Field = "id" });
                continue;
            }

            ids.Add(rule.Id, location);
            if (skipRule?.Invoke(rule) == true)
            {
                continue;
            }

            if (rule.SecurityGroupId is { } owner && owner != group.Id)
            {
                Error(diagnostics, NeutronDiagnosticCodes.RuleGroupMismatch, $"the rule names security group {owner} but is listed under {group.Id}", location with { Field = "security_group_id" });
                continue;
            }

            if (CheckRule(rule, group, location, options, context, keys, diagnostics) is { } canonical)
            {
                rules.Add(canonical);
            }
        }

        if (group.Stateful is { } stateful)
        {
            return new ValidatedGroup(group, stateful || !options.StatelessSupported, rules);
        }

        if (!statefulUnread)
        {
            Error(diagnostics, NeutronDiagnosticCodes.InvalidStateful, "'None' is not a valid boolean value",
                new NeutronLocation(group.SourceFile, NeutronObjectKinds.SecurityGroup, group.Id, "stateful", group.Id));
        }

        return null;
    }

    private static CanonicalRule? CheckRule(
        NeutronSecurityGroupRule rule, NeutronSecurityGroup group, NeutronLocation location, NeutronTranslationOptions options,
        NeutronCheckContext context, Dictionary<string, string> keys, List<Diagnostic> diagnostics)
    {
        var converted = NeutronRuleChecks.Convert(rule, location, out var conversionError);
        if (converted is null)
        {
            diagnostics.Add(conversionError!);
            return null;
        }

        var canonical = NeutronRuleChecks.Canonicalize(converted);
        if (NeutronRuleChecks.Validate(canonical, id => id == group.Id || context.FindGroup(id) is not null, context.AddressGroupExists, location) is { } error)
        {
            diagnostics.Add(error);
            return null;
        }

        var key = NeutronRuleChecks.RuleKey(canonical, group.Id);
        if (keys.TryGetValue(key, out var earlier))
        {
            Error(diagnostics, NeutronDiagnosticCodes.DuplicateRule, NeutronMessages.RuleExists(earlier), location);
            return null;
        }

        keys.Add(key, rule.Id);
        if (rule.NormalizedCidr is { } shown && shown != canonical.NormalizedCidr)
        {
            Error(diagnostics, NeutronDiagnosticCodes.NormalizedCidrMismatch,
                $"normalized_cidr {shown} is not what Neutron computes from remote_ip_prefix {rule.RemoteIpPrefix ?? "None"} ({canonical.NormalizedCidr ?? "None"})",
                location with { Field = "normalized_cidr" });
            return null;
        }

        if (!string.IsNullOrEmpty(canonical.RemoteAddressGroupId) && options.RemoteAddressGroups == NeutronRemoteAddressGroupHandling.Ignore)
        {
            Warning(diagnostics, NeutronDiagnosticCodes.RemoteAddressGroupIgnored,
                $"remote address group {canonical.RemoteAddressGroupId} is left out of the match, as Neutron 21 and older do: the ACL admits every remote",
                location with { Field = "remote_address_group_id" });
        }

        if (canonical.Protocol is { } protocol && (canonical.PortRangeMin ?? canonical.PortRangeMax) is not null
            && NeutronProtocols.DriverProtocolNumber(protocol) is NeutronProtocols.Dccp or NeutronProtocols.UdpLite)
        {
            Warning(diagnostics, NeutronDiagnosticCodes.PortsIgnoredForProtocol,
                $"Neutron's API accepts ports for protocol {protocol} but its OVN driver leaves them out of the match: the ACL admits every port",
                location with { Field = "port_range_min" });
        }

        return canonical;
    }

    /// <summary>A port against its groups: they exist, port security allows them, they agree on <c>stateful</c>.</summary>
    public static void CheckPort(NeutronPort port, Func<string, NeutronSecurityGroup?> findGroup, List<Diagnostic> diagnostics)
    {
        var location = new NeutronLocation(port.SourceFile, NeutronObjectKinds.Port, port.Id);
        var missing = port.SecurityGroups.Where(id => findGroup(id) is null).ToList();
        if (missing.Count > 0)
        {
            Error(diagnostics, NeutronDiagnosticCodes.PortSecurityGroupNotFound, NeutronMessages.SecurityGroupNotFound(string.Join(", ", missing)), location with { Field = "security_groups" });
        }

        if (port.PortSecurityEnabled == false && port.SecurityGroups.Count > 0)
        {
            Error(diagnostics, NeutronDiagnosticCodes.PortSecurityDisabledWithGroups, NeutronMessages.PortSecurityRequired, location with { Field = "port_security_enabled" });
        }
        else if (port.PortSecurityEnabled is null)
        {
            Warning(diagnostics, NeutronDiagnosticCodes.PortSecurityUnknown,
                "port_security_enabled is absent; Neutron's OVN driver then treats the port as without port security (not in neutron_pg_drop)",
                location with { Field = "port_security_enabled" });
        }

        var statefulness = port.SecurityGroups
            .Select(id => findGroup(id)?.Stateful)
            .OfType<bool>()
            .Distinct()
            .Count();
        if (statefulness > 1)
        {
            Error(diagnostics, NeutronDiagnosticCodes.MixedStatefulGroups, NeutronMessages.MixedStateful, location with { Field = "security_groups" });
        }
    }

    /// <summary>neutron_lib's <c>type:subnet_list</c> check on an address group's addresses.</summary>
    public static List<IpPrefix> CheckAddressGroup(NeutronAddressGroup addressGroup, List<Diagnostic> diagnostics)
    {
        var location = new NeutronLocation(addressGroup.SourceFile, NeutronObjectKinds.AddressGroup, addressGroup.Id, "addresses");
        var addresses = new List<IpPrefix>();
        foreach (var address in addressGroup.Addresses)
        {
            if (!IpPrefix.TryParseNetaddr(address, out var prefix))
            {
                Error(diagnostics, NeutronDiagnosticCodes.InvalidAddress, NeutronMessages.InvalidSubnet(address), location);
                continue;
            }

            if (!address.Contains('/', StringComparison.Ordinal) || (!prefix.IsIPv6 && prefix.ToNetaddrString() != address))
            {
                Error(diagnostics, NeutronDiagnosticCodes.InvalidAddress, NeutronMessages.SubnetNotCidr(address, prefix.ToNetaddrString()), location);
                continue;
            }

            if (prefix.HasHostBits)
            {
                Warning(diagnostics, NeutronDiagnosticCodes.AddressHostBits,
                    $"{address} has host bits set; OVN refuses such an address set entry (the network is {prefix.Network().ToNetaddrString()})", location);
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
                Error(_diagnostics, NeutronDiagnosticCodes.DuplicateId,
                    $"{where.ObjectKind} {id(item)} appears more than once (first in {file(earlier) ?? "input"})", where with { Field = "id" });
                continue;
            }

            first.Add(id(item), item);
            unique.Add(item);
        }

        return unique;
    }

    private static void Error(List<Diagnostic> diagnostics, string code, string message, NeutronLocation location) =>
        diagnostics.Add(new Diagnostic(code, DiagnosticSeverity.Error, message, location));

    private static void Warning(List<Diagnostic> diagnostics, string code, string message, NeutronLocation location) =>
        diagnostics.Add(new Diagnostic(code, DiagnosticSeverity.Warning, message, location));
}
