using OvnAcl.Collections;
using OvnAcl.Neutron;
using OvnAcl.Northbound;

namespace OvnAcl.Core.Tests.Neutron;

/// <summary>Small builders for hand-written cases.</summary>
internal static class NeutronTestInput
{
    public const string Web = "7e6b0000-0000-4000-8000-000000000001";
    public const string Db = "db000000-0000-4000-8000-000000000003";

    public static NeutronSecurityGroupRule Rule(string id, string direction = "ingress", string ethertype = "IPv4", string? protocol = null,
        int? min = null, int? max = null, string? prefix = null, string? remoteGroup = null, string? remoteAddressGroup = null) => new()
        {
            Id = id,
            Direction = direction,
            Ethertype = ethertype,
            Protocol = protocol,
            PortRangeMin = min,
            PortRangeMax = max,
            RemoteIpPrefix = prefix,
            RemoteGroupId = remoteGroup,
            RemoteAddressGroupId = remoteAddressGroup,
        };

    public static NeutronSecurityGroup Group(string id, params NeutronSecurityGroupRule[] rules) =>
        new() { Id = id, Rules = rules.ToEquatableArray(), SourceFile = "groups.json" };

    public static NeutronPort Port(string id, bool? portSecurity = true, string? deviceOwner = "compute:nova", params string[] groups) => new()
    {
        Id = id,
        PortSecurityEnabled = portSecurity,
        DeviceOwner = deviceOwner,
        SecurityGroups = groups.ToEquatableArray(),
        SourceFile = "ports.json",
    };

    public static NeutronInput Input(IEnumerable<NeutronSecurityGroup> groups, IEnumerable<NeutronPort>? ports = null, IEnumerable<NeutronAddressGroup>? addressGroups = null) => new()
    {
        SecurityGroups = groups.ToEquatableArray(),
        Ports = (ports ?? []).ToEquatableArray(),
        AddressGroups = (addressGroups ?? []).ToEquatableArray(),
    };

    public static PortGroupRow PortGroup(this NeutronTranslationResult result, string name) =>
        result.GetRowsOrThrow().PortGroups.Single(p => p.Name == name);

    /// <summary>A short text form of the rows for humans and golden files: one line per port group, ACL and address set.</summary>
    public static string Render(NorthboundRows rows)
    {
        var lines = new List<string>();
        foreach (var group in rows.PortGroups)
        {
            lines.Add($"Port_Group {group.Name}{(group.ExternalIds.Count > 0 ? $" {group.ExternalIds}" : "")}");
            lines.Add($"  ports: {(group.Ports.Count == 0 ? "(none)" : string.Join(" ", group.Ports))}");
            foreach (var acl in group.Acls)
            {
                var rule = acl.ExternalIds.TryGetValue("neutron:security_group_rule_id", out var id) ? $"  # rule {id}" : "";
                lines.Add($"  {acl.Direction} {acl.Priority} {acl.Action,-15} {acl.Match}{rule}");
            }
        }

        foreach (var set in rows.AddressSets)
        {
            lines.Add($"Address_Set {set.Name} {set.ExternalIds}");
            lines.Add($"  addresses: {(set.Addresses.Count == 0 ? "(none)" : string.Join(" ", set.Addresses))}");
        }

        return string.Join("\n", lines) + "\n";
    }
}
