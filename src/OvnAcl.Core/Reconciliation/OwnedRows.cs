using System.Text;
using System.Text.Json;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;

namespace OvnAcl.Reconciliation;

/// <summary>
/// The port groups and address sets a controller owns in a Northbound database (<c>external_ids:owner-controller</c>,
/// <see cref="DesiredState.OwnerControllerKey"/>), each with what it was made from, as <c>ovnacl show</c> lists them.
/// </summary>
/// <param name="Controller">The owner whose rows these are.</param>
/// <param name="PortGroups">Its port groups, by name.</param>
/// <param name="AddressSets">Its address sets, by name.</param>
public sealed record OwnedRows(string Controller, IReadOnlyList<OwnedPortGroup> PortGroups, IReadOnlyList<OwnedAddressSet> AddressSets)
{
    /// <summary>The tables a replica must monitor for <see cref="Read"/>.</summary>
    public static IReadOnlyList<OvsdbTableMonitor> MonitoredTables { get; } =
        [new OvsdbTableMonitor("Port_Group"), new OvsdbTableMonitor("Address_Set"), new OvsdbTableMonitor("ACL")];

    /// <summary>Reads the rows <paramref name="controller"/> owns from <paramref name="replica"/> (holding at least <see cref="MonitoredTables"/>).</summary>
    /// <remarks>ACL rows are decoded as the reconciler decodes them, so <c>show</c> lists what the reconciler compares.</remarks>
    public static OwnedRows Read(OvsdbReplica replica, string controller)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(controller);
        bool Owned(OvsdbRow row) => row.GetMapValue("external_ids", DesiredState.OwnerControllerKey) == controller;

        var groups = replica.GetRows("Port_Group").Where(Owned).Select(row => new OwnedPortGroup(
                row.GetString("name") ?? "", From(row), row["ports"].Count,
                [.. row["acls"].Keys.ToArray().Select(a => replica.TryGetRow("ACL", a.AsUuid(), out var acl) ? acl : null).OfType<OvsdbRow>()
                    .Select(AclColumns.FromRow)
                    .OrderBy(a => a.Direction, StringComparer.Ordinal).ThenByDescending(a => a.Priority).ThenBy(a => a.Match, StringComparer.Ordinal)]))
            .OrderBy(g => g.Name, StringComparer.Ordinal).ToList();
        var sets = replica.GetRows("Address_Set").Where(Owned)
            .Select(row => new OwnedAddressSet(row.GetString("name") ?? "", From(row), row["addresses"].Count))
            .OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        return new OwnedRows(controller, groups, sets);
    }

    /// <summary>A table per kind of row (name, what it came from, members, ACLs), with <paramref name="withAcls"/> each port group's ACLs under it.</summary>
    public string ToText(bool withAcls = false)
    {
        var text = new StringBuilder();
        text.Append("Port groups owned by ").Append(Controller).Append(": ").Append(PortGroups.Count).AppendLine();
        var nameWidth = Math.Max(4, PortGroups.Select(p => p.Name.Length).Concat(AddressSets.Select(a => a.Name.Length)).DefaultIfEmpty(0).Max());
        var fromWidth = Math.Max(4, PortGroups.Select(p => p.From.Length).Concat(AddressSets.Select(a => a.From.Length)).DefaultIfEmpty(0).Max());
        if (PortGroups.Count > 0)
        {
            text.AppendLine($"  {"NAME".PadRight(nameWidth)}  {"FROM".PadRight(fromWidth)}  {"PORTS",5}  {"ACLS",4}");
        }

        foreach (var group in PortGroups)
        {
            text.AppendLine($"  {group.Name.PadRight(nameWidth)}  {group.From.PadRight(fromWidth)}  {group.Ports,5}  {group.Acls.Count,4}");
            if (withAcls)
            {
                foreach (var acl in group.Acls)
                {
                    text.AppendLine($"      {acl.Direction,-10}  {acl.Priority,5}  {acl.Action,-14}  {acl.Name ?? "-"}  {acl.Match}");
                }
            }
        }

        text.Append("Address sets owned by ").Append(Controller).Append(": ").Append(AddressSets.Count).AppendLine();
        if (AddressSets.Count > 0)
        {
            text.AppendLine($"  {"NAME".PadRight(nameWidth)}  {"FROM".PadRight(fromWidth)}  {"ADDRESSES",9}");
        }

        foreach (var set in AddressSets)
        {
            text.AppendLine($"  {set.Name.PadRight(nameWidth)}  {set.From.PadRight(fromWidth)}  {set.Addresses,9}");
        }

        return text.ToString();
    }

    /// <summary>
    /// <c>{"controller", "port_groups": [{"name", "from", "ports", "acls": [{"direction", "priority", "action", "name",
    /// "match"}]}], "address_sets": [{"name", "from", "addresses"}]}</c>, names in snake_case as every <c>--json</c> output.
    /// </summary>
    public string ToJson() => JsonSerializer.Serialize(
        new OwnedRowsJson(Controller,
            [.. PortGroups.Select(g => new OwnedPortGroupJson(g.Name, g.From, g.Ports, [.. g.Acls.Select(a => new OwnedAclJson(a.Direction, a.Priority, a.Action, a.Name, a.Match))]))],
            [.. AddressSets.Select(s => new OwnedAddressSetJson(s.Name, s.From, s.Addresses))]),
        OutputJson.Context.OwnedRowsJson) + Environment.NewLine;

    /// <summary>What a row was made from: the policy or namespace (Kubernetes), the security or address group (Neutron).</summary>
    private static string From(OvsdbRow row)
    {
        if (row.GetMapValue("external_ids", "neutron:security_group_id") is { } group)
        {
            return "security group " + group;
        }

        if (row.GetMapValue("external_ids", "neutron:address_group_id") is { } addressGroup)
        {
            return "address group " + addressGroup;
        }

        var type = row.GetMapValue("external_ids", "owner-type");
        var owner = row.GetMapValue("external_ids", "owner");
        return (type, owner) switch
        {
            (null, null) => row.GetString("name") == "neutron_pg_drop" ? "Neutron port security" : "-",
            _ => $"{type} {owner}".Trim(),
        };
    }
}

/// <summary>An owned <c>Port_Group</c> row.</summary>
/// <param name="Name">The port group's name.</param>
/// <param name="From">What it was made from, e.g. <c>NetworkPolicy shop/web</c> or <c>security group ID</c>.</param>
/// <param name="Ports">Its member ports.</param>
/// <param name="Acls">Its ACLs, by direction, then priority (highest first), then match.</param>
public sealed record OwnedPortGroup(string Name, string From, int Ports, IReadOnlyList<AclRow> Acls);

/// <summary>An owned <c>Address_Set</c> row.</summary>
/// <param name="Name">The address set's name.</param>
/// <param name="From">What it was made from.</param>
/// <param name="Addresses">Its addresses.</param>
public sealed record OwnedAddressSet(string Name, string From, int Addresses);

internal sealed record OwnedRowsJson(string Controller, IReadOnlyList<OwnedPortGroupJson> PortGroups, IReadOnlyList<OwnedAddressSetJson> AddressSets);

internal sealed record OwnedPortGroupJson(string Name, string From, int Ports, IReadOnlyList<OwnedAclJson> Acls);

internal sealed record OwnedAclJson(string Direction, int Priority, string Action, string? Name, string Match);

internal sealed record OwnedAddressSetJson(string Name, string From, int Addresses);
