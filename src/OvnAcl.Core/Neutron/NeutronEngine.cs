using OvnAcl.Addressing;
using OvnAcl.Collections;
using OvnAcl.Reconciliation;

namespace OvnAcl.Neutron;

/// <summary>
/// Neutron security groups translated incrementally: each API event (a security group, rule, port or address group
/// created, updated or deleted) updates a <see cref="DesiredState"/> so that it always holds what
/// <see cref="NeutronTranslator.Translate"/> gives for the current objects (with the <c>owner-controller</c> stamp
/// the store adds). A port event only changes memberships, a group or rule event only that group's port group, an
/// address group event only its address sets' addresses.
/// </summary>
/// <remarks>
/// Every event is checked as Neutron's API checks it, against the objects that exist now, with the translator's
/// diagnostics; an event with an error throws <see cref="AclCompileException"/> and changes nothing. Event
/// methods return the warnings of what they checked. The engine must be the only writer of its store. Thread-safe.
/// </remarks>
public sealed class NeutronEngine
{
    private readonly Lock _lock = new();
    private readonly DesiredState _desired;
    private readonly NeutronTranslationOptions _options;
    private readonly Dictionary<string, NeutronSecurityGroup> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NeutronPort> _ports = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AddressGroupState> _addressGroups = new(StringComparer.Ordinal);
    /// <summary>Rule id → the group holding it.</summary>
    private readonly Dictionary<string, string> _ruleOwners = new(StringComparer.Ordinal);
    /// <summary>Security group id → the ports naming it (trusted ones too: Neutron binds them all).</summary>
    private readonly Dictionary<string, HashSet<string>> _portsByGroup = new(StringComparer.Ordinal);
    /// <summary>Remote security group id → rule id → the group holding the rule.</summary>
    private readonly Dictionary<string, Dictionary<string, string>> _remoteGroupUsers = new(StringComparer.Ordinal);
    /// <summary>Remote address group id → rule id → the group holding the rule.</summary>
    private readonly Dictionary<string, Dictionary<string, string>> _addressGroupUsers = new(StringComparer.Ordinal);

    /// <summary>Starts empty: the store gets <c>neutron_pg_drop</c>, which the translation always has.</summary>
    public NeutronEngine(DesiredState desired, NeutronTranslationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        _desired = desired;
        _options = options ?? NeutronTranslationOptions.Default;
        _desired.PutPortGroup(NeutronNames.DropPortGroup, EquatableMap.Empty, NeutronAclBuilder.DropAcls());
        foreach (var kind in Enum.GetValues<NeutronInputKind>())
        {
            _desired.ExpectInput(kind.ToString());
        }
    }

    /// <summary>
    /// Every object of <paramref name="kind"/> has been fed (the first listing from the Neutron database or API). A
    /// reconciler on the store writes nothing until every kind is listed, so a partial start never deletes rows.
    /// </summary>
    public void MarkListed(NeutronInputKind kind) => _desired.MarkListed(kind.ToString());

    /// <summary>Every kind is listed (<see cref="Load"/> does this: it takes a complete snapshot).</summary>
    public void MarkAllListed()
    {
        foreach (var kind in Enum.GetValues<NeutronInputKind>())
        {
            MarkListed(kind);
        }
    }

    /// <summary>A copy of the objects the engine holds, as input to <see cref="NeutronTranslator.Translate"/> (costs a walk of them all).</summary>
    public NeutronInput CurrentInput
    {
        get
        {
            lock (_lock)
            {
                return new NeutronInput
                {
                    SecurityGroups = _groups.Values.ToEquatableArray(),
                    Ports = _ports.Values.ToEquatableArray(),
                    AddressGroups = _addressGroups.Values.Select(a => a.Group).ToEquatableArray(),
                };
            }
        }
    }

    /// <summary>
    /// Replaces everything the engine and its store hold with <paramref name="input"/>, checked and translated as a
    /// whole; on any error (reading ones included) throws and changes nothing. Returns the warnings. Marks every kind
    /// listed (<see cref="MarkAllListed"/>): the input is the whole snapshot.
    /// </summary>
    public EquatableArray<Diagnostic> Load(NeutronInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        NeutronTranslationResult result;
        lock (_lock)
        {
            result = NeutronTranslator.Translate(input, _options);
            var rows = result.GetRowsOrThrow();
            _groups.Clear();
            _ports.Clear();
            _addressGroups.Clear();
            _ruleOwners.Clear();
            _portsByGroup.Clear();
            _remoteGroupUsers.Clear();
            _addressGroupUsers.Clear();
            foreach (var group in input.SecurityGroups)
            {
                _groups.Add(group.Id, group);
                IndexRules(group);
            }

            foreach (var port in input.Ports)
            {
                _ports.Add(port.Id, port);
                IndexPort(port);
            }

            foreach (var addressGroup in input.AddressGroups)
            {
                var diagnostics = new List<Diagnostic>();
                _addressGroups.Add(addressGroup.Id, new AddressGroupState(addressGroup, Addresses(NeutronValidator.CheckAddressGroup(addressGroup, diagnostics))));
            }

            _desired.Load(rows);
        }

        MarkAllListed();
        return result.Diagnostics;
    }

    /// <summary>Creates a security group or replaces it with its rules; re-puts only its port group.</summary>
    public EquatableArray<Diagnostic> UpsertSecurityGroup(NeutronSecurityGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        lock (_lock)
        {
            var diagnostics = new List<Diagnostic>();
            if (_groups.TryGetValue(group.Id, out var old) && old.Stateful != group.Stateful && IsNamedByPorts(group.Id))
            {
                // securitygroups_db.update_security_group: stateful cannot change under bound ports.
                diagnostics.Add(Error(NeutronDiagnosticCodes.SecurityGroupInUse, NeutronMessages.SecurityGroupInUse(group.Id),
                    GroupLocation(group) with { Field = "stateful" }));
            }

            return PutGroup(group, diagnostics);
        }
    }

    /// <summary>
    /// Creates a rule in an existing group (at the end of its rules) or replaces the group's rule with the same id;
    /// the group's port group is re-put. Returns the group's warnings.
    /// </summary>
    public EquatableArray<Diagnostic> UpsertSecurityGroupRule(string securityGroupId, NeutronSecurityGroupRule rule)
    {
        ArgumentException.ThrowIfNullOrEmpty(securityGroupId);
        ArgumentNullException.ThrowIfNull(rule);
        lock (_lock)
        {
            if (!_groups.TryGetValue(securityGroupId, out var group))
            {
                throw NotFound(NeutronMessages.SecurityGroupNotFound(securityGroupId),
                    new NeutronLocation(null, NeutronObjectKinds.SecurityGroupRule, rule.Id, "security_group_id", securityGroupId));
            }

            var replaced = false;
            var rules = new List<NeutronSecurityGroupRule>(group.Rules.Count + 1);
            foreach (var existing in group.Rules)
            {
                if (existing.Id == rule.Id && !replaced)
                {
                    rules.Add(rule);
                    replaced = true;
                }
                else
                {
                    rules.Add(existing);
                }
            }

            if (!replaced)
            {
                rules.Add(rule);
            }

            return PutGroup(group with { Rules = rules.ToEquatableArray() }, []);
        }
    }

    /// <summary>Deletes a rule by id from whichever group holds it; that group's port group is re-put.</summary>
    public EquatableArray<Diagnostic> DeleteSecurityGroupRule(string ruleId)
    {
        ArgumentException.ThrowIfNullOrEmpty(ruleId);
        lock (_lock)
        {
            if (!_ruleOwners.TryGetValue(ruleId, out var owner))
            {
                throw NotFound(NeutronMessages.SecurityGroupRuleNotFound(ruleId), new NeutronLocation(null, NeutronObjectKinds.SecurityGroupRule, ruleId));
            }

            var group = _groups[owner];
            return PutGroup(group with { Rules = group.Rules.Where(r => r.Id != ruleId).ToEquatableArray() }, []);
        }
    }

    /// <summary>Deletes a security group no port names and no other group's rule has as remote group.</summary>
    public void DeleteSecurityGroup(string securityGroupId)
    {
        ArgumentException.ThrowIfNullOrEmpty(securityGroupId);
        lock (_lock)
        {
            if (!_groups.TryGetValue(securityGroupId, out var group))
            {
                throw NotFound(NeutronMessages.SecurityGroupNotFound(securityGroupId),
                    new NeutronLocation(null, NeutronObjectKinds.SecurityGroup, securityGroupId, SecurityGroupId: securityGroupId));
            }

            var diagnostics = new List<Diagnostic>();
            if (IsNamedByPorts(securityGroupId))
            {
                diagnostics.Add(Error(NeutronDiagnosticCodes.SecurityGroupInUse, NeutronMessages.SecurityGroupInUse(securityGroupId), GroupLocation(group)));
            }

            // Neutron's database would delete these rules with the group (ON DELETE CASCADE); an event stream that
            // relies on it must send the rule deletions first, so that every change reaches the store.
            var users = _remoteGroupUsers.TryGetValue(securityGroupId, out var byRule)
                ? byRule.Where(u => u.Value != securityGroupId).Select(u => u.Key).Order(StringComparer.Ordinal).ToList()
                : [];
            if (users.Count > 0)
            {
                diagnostics.Add(Error(NeutronDiagnosticCodes.SecurityGroupInUse,
                    NeutronMessages.SecurityGroupInUse(securityGroupId, $"in use as remote_group_id of security group rule {string.Join(", ", users)}"),
                    GroupLocation(group)));
            }

            ThrowOnErrors(diagnostics);
            UnindexRules(group);
            _groups.Remove(securityGroupId);
            _desired.RemovePortGroup(NeutronNames.PortGroup(securityGroupId));
        }
    }

    /// <summary>Creates or updates a port: only its memberships in <c>pg_…</c> and <c>neutron_pg_drop</c> change.</summary>
    public EquatableArray<Diagnostic> UpsertPort(NeutronPort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        lock (_lock)
        {
            var diagnostics = new List<Diagnostic>();
            NeutronValidator.CheckPort(port, FindGroup, diagnostics);
            ThrowOnErrors(diagnostics);
            _ports.TryGetValue(port.Id, out var old);
            var before = Memberships(old);
            var after = Memberships(port);
            foreach (var portGroup in after.Except(before))
            {
                _desired.AddPort(portGroup, port.Id);
            }

            foreach (var portGroup in before.Except(after))
            {
                _desired.RemovePort(portGroup, port.Id);
            }

            if (old is not null)
            {
                UnindexPort(old);
            }

            _ports[port.Id] = port;
            IndexPort(port);
            return diagnostics.ToEquatableArray();
        }
    }

    /// <summary>Removes the port with <paramref name="portId"/> from its security groups' port groups and address sets.</summary>
    /// <exception cref="AclCompileException">No port has <paramref name="portId"/>.</exception>
    public void DeletePort(string portId)
    {
        ArgumentException.ThrowIfNullOrEmpty(portId);
        lock (_lock)
        {
            if (!_ports.Remove(portId, out var port))
            {
                throw NotFound(NeutronMessages.PortNotFound(portId), new NeutronLocation(null, NeutronObjectKinds.Port, portId));
            }

            foreach (var portGroup in Memberships(port))
            {
                _desired.RemovePort(portGroup, portId);
            }

            UnindexPort(port);
        }
    }

    /// <summary>Creates or updates an address group: its two address sets appear with it, then only addresses change.</summary>
    public EquatableArray<Diagnostic> UpsertAddressGroup(NeutronAddressGroup addressGroup)
    {
        ArgumentNullException.ThrowIfNull(addressGroup);
        lock (_lock)
        {
            var diagnostics = new List<Diagnostic>();
            var addresses = Addresses(NeutronValidator.CheckAddressGroup(addressGroup, diagnostics));
            ThrowOnErrors(diagnostics);
            var existed = _addressGroups.TryGetValue(addressGroup.Id, out var old);
            if (_options.RemoteAddressGroups == NeutronRemoteAddressGroupHandling.AddressSets)
            {
                if (!existed)
                {
                    foreach (var ipv6 in (bool[])[false, true])
                    {
                        _desired.PutAddressSet(NeutronTranslator.AddressSetName(addressGroup.Id, ipv6), NeutronTranslator.AddressSetExternalIds(addressGroup.Id));
                    }
                }

                var before = old?.Addresses ?? [];
                foreach (var (ipv6, address) in addresses.Except(before))
                {
                    _desired.AddAddress(NeutronTranslator.AddressSetName(addressGroup.Id, ipv6), address);
                }

                foreach (var (ipv6, address) in before.Except(addresses))
                {
                    _desired.RemoveAddress(NeutronTranslator.AddressSetName(addressGroup.Id, ipv6), address);
                }
            }

            _addressGroups[addressGroup.Id] = new AddressGroupState(addressGroup, addresses);
            return diagnostics.ToEquatableArray();
        }
    }

    /// <summary>Deletes an address group no rule has as remote address group, with its address sets.</summary>
    public void DeleteAddressGroup(string addressGroupId)
    {
        ArgumentException.ThrowIfNullOrEmpty(addressGroupId);
        lock (_lock)
        {
            if (!_addressGroups.TryGetValue(addressGroupId, out var state))
            {
                throw NotFound(NeutronMessages.AddressGroupNotFound(addressGroupId), new NeutronLocation(null, NeutronObjectKinds.AddressGroup, addressGroupId));
            }

            if (_addressGroupUsers.TryGetValue(addressGroupId, out var users) && users.Count > 0)
            {
                ThrowOnErrors([Error(NeutronDiagnosticCodes.AddressGroupInUse, NeutronMessages.AddressGroupInUse(addressGroupId),
                    new NeutronLocation(state.Group.SourceFile, NeutronObjectKinds.AddressGroup, addressGroupId))]);
            }

            _addressGroups.Remove(addressGroupId);
            if (_options.RemoteAddressGroups == NeutronRemoteAddressGroupHandling.AddressSets)
            {
                foreach (var (ipv6, address) in state.Addresses)
                {
                    _desired.RemoveAddress(NeutronTranslator.AddressSetName(addressGroupId, ipv6), address);
                }

                foreach (var ipv6 in (bool[])[false, true])
                {
                    _desired.RemoveAddressSet(NeutronTranslator.AddressSetName(addressGroupId, ipv6));
                }
            }
        }
    }

    /// <summary>Checks <paramref name="group"/> as it would now be, then stores it and re-puts its port group.</summary>
    private EquatableArray<Diagnostic> PutGroup(NeutronSecurityGroup group, List<Diagnostic> diagnostics)
    {
        var context = new NeutronCheckContext(FindGroup, _addressGroups.ContainsKey, ruleId =>
            _ruleOwners.TryGetValue(ruleId, out var owner) && owner != group.Id
                ? new NeutronLocation(_groups[owner].SourceFile, NeutronObjectKinds.SecurityGroupRule, ruleId, SecurityGroupId: owner)
                : null);
        var validated = NeutronValidator.CheckGroup(group, _options, context, diagnostics);
        ThrowOnErrors(diagnostics);
        var acls = NeutronTranslator.GroupAcls(validated!, _options, diagnostics);
        if (_groups.TryGetValue(group.Id, out var old))
        {
            UnindexRules(old);
        }

        _groups[group.Id] = group;
        IndexRules(group);
        _desired.PutPortGroup(NeutronNames.PortGroup(group.Id), NeutronTranslator.GroupExternalIds(group.Id), acls);
        return diagnostics.ToEquatableArray();
    }

    private NeutronSecurityGroup? FindGroup(string id) => _groups.GetValueOrDefault(id);

    private bool IsNamedByPorts(string securityGroupId) => _portsByGroup.TryGetValue(securityGroupId, out var ports) && ports.Count > 0;

    /// <summary>The port groups a port is a member of, as the translator decides membership.</summary>
    private static HashSet<string> Memberships(NeutronPort? port)
    {
        var groups = new HashSet<string>(StringComparer.Ordinal);
        if (port is null || NeutronTranslator.IsTrusted(port))
        {
            return groups;
        }

        foreach (var id in port.SecurityGroups)
        {
            groups.Add(NeutronNames.PortGroup(id));
        }

        if (port.PortSecurityEnabled == true)
        {
            groups.Add(NeutronNames.DropPortGroup);
        }

        return groups;
    }

    private static HashSet<(bool IPv6, string Address)> Addresses(List<IpPrefix> prefixes) =>
        prefixes.Select(p => (p.IsIPv6, p.ToNetaddrString())).ToHashSet();

    private void IndexRules(NeutronSecurityGroup group)
    {
        foreach (var rule in group.Rules)
        {
            _ruleOwners[rule.Id] = group.Id;
            if (!string.IsNullOrEmpty(rule.RemoteGroupId))
            {
                Users(_remoteGroupUsers, rule.RemoteGroupId)[rule.Id] = group.Id;
            }

            if (!string.IsNullOrEmpty(rule.RemoteAddressGroupId))
            {
                Users(_addressGroupUsers, rule.RemoteAddressGroupId)[rule.Id] = group.Id;
            }
        }
    }

    private void UnindexRules(NeutronSecurityGroup group)
    {
        foreach (var rule in group.Rules)
        {
            _ruleOwners.Remove(rule.Id);
            foreach (var (index, target) in new[] { (_remoteGroupUsers, rule.RemoteGroupId), (_addressGroupUsers, rule.RemoteAddressGroupId) })
            {
                if (!string.IsNullOrEmpty(target) && index.TryGetValue(target, out var users))
                {
                    users.Remove(rule.Id);
                    if (users.Count == 0)
                    {
                        index.Remove(target);
                    }
                }
            }
        }
    }

    private static Dictionary<string, string> Users(Dictionary<string, Dictionary<string, string>> index, string target)
    {
        if (!index.TryGetValue(target, out var users))
        {
            index[target] = users = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return users;
    }

    private void IndexPort(NeutronPort port)
    {
        foreach (var id in port.SecurityGroups)
        {
            if (!_portsByGroup.TryGetValue(id, out var ports))
            {
                _portsByGroup[id] = ports = new HashSet<string>(StringComparer.Ordinal);
            }

            ports.Add(port.Id);
        }
    }

    private void UnindexPort(NeutronPort port)
    {
        foreach (var id in port.SecurityGroups)
        {
            if (_portsByGroup.TryGetValue(id, out var ports) && ports.Remove(port.Id) && ports.Count == 0)
            {
                _portsByGroup.Remove(id);
            }
        }
    }

    private static NeutronLocation GroupLocation(NeutronSecurityGroup group) =>
        new(group.SourceFile, NeutronObjectKinds.SecurityGroup, group.Id, SecurityGroupId: group.Id);

    private static Diagnostic Error(string code, string message, NeutronLocation location) =>
        new(code, DiagnosticSeverity.Error, message, location);

    private static AclCompileException NotFound(string message, NeutronLocation location) =>
        new([Error(NeutronDiagnosticCodes.NotFound, message, location)]);

    private static void ThrowOnErrors(List<Diagnostic> diagnostics)
    {
        if (diagnostics.Any(d => d.IsError))
        {
            throw new AclCompileException([.. diagnostics]);
        }
    }

    /// <summary>An address group and its addresses as the address sets hold them (one reference each).</summary>
    private sealed record AddressGroupState(NeutronAddressGroup Group, HashSet<(bool IPv6, string Address)> Addresses);
}

/// <summary>The kinds of object a <see cref="NeutronEngine"/> reads.</summary>
public enum NeutronInputKind
{
    /// <summary>Security groups with their rules.</summary>
    SecurityGroup,

    /// <summary>Ports.</summary>
    Port,

    /// <summary>Address groups.</summary>
    AddressGroup,
}
