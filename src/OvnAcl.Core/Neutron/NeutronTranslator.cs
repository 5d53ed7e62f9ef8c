using OvnAcl.Collections;
using OvnAcl.Northbound;

namespace OvnAcl.Neutron;

/// <summary>What <see cref="NeutronTranslator.Translate"/> gives: the rows, or null when any error was found, and every diagnostic.</summary>
public sealed record NeutronTranslationResult
{
    /// <summary>Null when <see cref="Diagnostics"/> holds an error: nothing is translated then.</summary>
    public NorthboundRows? Rows { get; init; }

    /// <summary>Errors and warnings, reading problems first, then in input order.</summary>
    public EquatableArray<Diagnostic> Diagnostics { get; init; } = EquatableArray<Diagnostic>.Empty;

    /// <summary>True when the rows were produced (no error).</summary>
    public bool Succeeded => Rows is not null;

    /// <summary>The rows, or a <see cref="AclCompileException"/> listing every error.</summary>
    public NorthboundRows GetRowsOrThrow() => Rows ?? throw new AclCompileException(Diagnostics.Items);
}

/// <summary>
/// OpenStack Neutron security groups translated exactly as Neutron's ML2/OVN driver translates them: one port group
/// <c>pg_&lt;id&gt;</c> per security group holding its ports and one ACL per rule at priority 1002, plus the shared
/// <c>neutron_pg_drop</c> group that drops all other IP traffic of ports with port security. Input that Neutron's API
/// would refuse gets Neutron's error, and then nothing is translated.
/// </summary>
public static class NeutronTranslator
{
    /// <summary>Translates security groups and ports into the rows Neutron's ML2/OVN driver writes, with every problem as a diagnostic.</summary>
    public static NeutronTranslationResult Translate(NeutronInput input, NeutronTranslationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        options ??= NeutronTranslationOptions.Default;
        var validated = NeutronValidator.Validate(input, options);
        var diagnostics = validated.Diagnostics.ToList();
        if (validated.HasErrors)
        {
            return new NeutronTranslationResult { Diagnostics = diagnostics.ToEquatableArray() };
        }

        var members = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var dropMembers = new List<string>();
        foreach (var port in validated.Ports)
        {
            // Trusted ports (device_owner "network:…": router interfaces, DHCP) are in no group at all
            // (utils.is_lsp_trusted); the rest join their groups, and the drop group if port security is on.
            if (IsTrusted(port))
            {
                continue;
            }

            foreach (var groupId in port.SecurityGroups)
            {
                if (!members.TryGetValue(groupId, out var list))
                {
                    members[groupId] = list = [];
                }

                list.Add(port.Id);
            }

            if (port.PortSecurityEnabled == true)
            {
                dropMembers.Add(port.Id);
            }
        }

        var portGroups = new List<PortGroupRow>
        {
            new()
            {
                Name = NeutronNames.DropPortGroup,
                Ports = dropMembers.ToSortedSet(),
                Acls = NeutronAclBuilder.DropAcls(),
            },
        };
        foreach (var group in validated.Groups)
        {
            portGroups.Add(new PortGroupRow
            {
                Name = NeutronNames.PortGroup(group.Group.Id),
                Ports = (members.TryGetValue(group.Group.Id, out var ports) ? ports : []).ToSortedSet(),
                ExternalIds = GroupExternalIds(group.Group.Id),
                Acls = GroupAcls(group, options, diagnostics),
            });
        }

        var addressSets = new List<AddressSetRow>();
        if (options.RemoteAddressGroups == NeutronRemoteAddressGroupHandling.AddressSets)
        {
            foreach (var (addressGroup, addresses) in validated.AddressGroups)
            {
                foreach (var ipv6 in (bool[])[false, true])
                {
                    addressSets.Add(new AddressSetRow
                    {
                        Name = AddressSetName(addressGroup.Id, ipv6),
                        Addresses = addresses.Where(a => a.IsIPv6 == ipv6).Select(a => a.ToNetaddrString()).ToSortedSet(),
                        ExternalIds = AddressSetExternalIds(addressGroup.Id),
                    });
                }
            }
        }

        return new NeutronTranslationResult
        {
            Rows = NorthboundRows.Create(portGroups, addressSets),
            Diagnostics = diagnostics.ToEquatableArray(),
        };
    }

    /// <summary>utils.is_lsp_trusted: <c>network:…</c> owners (router interfaces, DHCP) are in no port group.</summary>
    internal static bool IsTrusted(NeutronPort port) => port.DeviceOwner?.StartsWith("network:", StringComparison.Ordinal) == true;

    internal static EquatableMap GroupExternalIds(string securityGroupId) =>
        new([new(NeutronNames.SecurityGroupIdKey, securityGroupId)]);

    internal static EquatableMap AddressSetExternalIds(string addressGroupId) =>
        new([new(NeutronNames.AddressGroupIdKey, addressGroupId)]);

    internal static string AddressSetName(string addressGroupId, bool ipv6) =>
        NeutronNames.AddressGroupAddressSet(addressGroupId, ipv6 ? "ip6" : "ip4");

    /// <summary>The group's ACLs, and warning NEUT0401 for each rule whose ACL an earlier rule already gives.</summary>
    internal static EquatableArray<AclRow> GroupAcls(ValidatedGroup group, NeutronTranslationOptions options, List<Diagnostic> diagnostics) =>
        NeutronAclBuilder.GroupAcls(group.Rules, group.Group.Id, group.Stateful, options.RemoteAddressGroups, (skipped, kept) =>
            diagnostics.Add(Diagnostic.Warning(
                NeutronDiagnosticCodes.DuplicateAcl,
                $"gives the same ACL (direction, priority, match) as rule {kept}; Neutron writes it once, with rule {kept}'s id",
                new NeutronLocation(group.Group.SourceFile, NeutronObjectKinds.SecurityGroupRule, skipped.Id, SecurityGroupId: group.Group.Id))));
}
