using System.CommandLine;
using System.Text;
using System.Text.Json;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;
using OvnAcl.Reconciliation;

namespace OvnAcl.Cli.Commands;

/// <summary>
/// <c>ovnacl show --db REMOTE [--controller NAME] [--acls] [--json]</c>: the port groups and address sets a controller
/// owns in the Northbound database (<c>external_ids:owner-controller</c>), each with the policy, namespace or security
/// group it came from, its member and ACL counts, and with <c>--acls</c> the ACLs themselves.
/// </summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var controller = new Option<string>("--controller") { Description = "Owner whose rows to list", DefaultValueFactory = _ => "ovnacl" };
        var acls = new Option<bool>("--acls") { Description = "List each port group's ACLs" };
        var json = new Option<bool>("--json") { Description = "One JSON object: portGroups and addressSets" };
        var command = new Command("show", "List the port groups, address sets and ACLs a controller owns in the Northbound database, with what each came from");
        common.AddTo(command);
        command.Add(controller);
        command.Add(acls);
        command.Add(json);
        command.SetAction((result, ct) => CommandRunner.RunAsync(async () =>
        {
            await using var client = common.CreateClient(result, "OVN_Northbound",
                [new OvsdbTableMonitor("Port_Group"), new OvsdbTableMonitor("Address_Set"), new OvsdbTableMonitor("ACL")]);
            await client.StartAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            var owned = OwnedRows.Read(client.Replica, result.GetValue(controller)!);
            Console.Out.Write(result.GetValue(json) ? Json(owned) : Text(owned, result.GetValue(acls)));
            return 0;
        }));
        return command;
    }

    private static string Text(OwnedRows owned, bool withAcls)
    {
        var text = new StringBuilder();
        text.Append("Port groups owned by ").Append(owned.Controller).Append(": ").Append(owned.PortGroups.Count).AppendLine();
        var nameWidth = Math.Max(4, owned.PortGroups.Select(p => p.Name.Length).Concat(owned.AddressSets.Select(a => a.Name.Length)).DefaultIfEmpty(0).Max());
        var fromWidth = Math.Max(4, owned.PortGroups.Select(p => p.From.Length).Concat(owned.AddressSets.Select(a => a.From.Length)).DefaultIfEmpty(0).Max());
        if (owned.PortGroups.Count > 0)
        {
            text.AppendLine($"  {"NAME".PadRight(nameWidth)}  {"FROM".PadRight(fromWidth)}  {"PORTS",5}  {"ACLS",4}");
        }

        foreach (var group in owned.PortGroups)
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

        text.Append("Address sets owned by ").Append(owned.Controller).Append(": ").Append(owned.AddressSets.Count).AppendLine();
        if (owned.AddressSets.Count > 0)
        {
            text.AppendLine($"  {"NAME".PadRight(nameWidth)}  {"FROM".PadRight(fromWidth)}  {"ADDRESSES",9}");
        }

        foreach (var set in owned.AddressSets)
        {
            text.AppendLine($"  {set.Name.PadRight(nameWidth)}  {set.From.PadRight(fromWidth)}  {set.Addresses,9}");
        }

        return text.ToString();
    }

    private static string Json(OwnedRows owned)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("controller", owned.Controller);
            writer.WriteStartArray("portGroups");
            foreach (var group in owned.PortGroups)
            {
                writer.WriteStartObject();
                writer.WriteString("name", group.Name);
                writer.WriteString("from", group.From);
                writer.WriteNumber("ports", group.Ports);
                writer.WriteStartArray("acls");
                foreach (var acl in group.Acls)
                {
                    writer.WriteStartObject();
                    writer.WriteString("direction", acl.Direction);
                    writer.WriteNumber("priority", acl.Priority);
                    writer.WriteString("action", acl.Action);
                    writer.WriteString("name", acl.Name);
                    writer.WriteString("match", acl.Match);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("addressSets");
            foreach (var set in owned.AddressSets)
            {
                writer.WriteStartObject();
                writer.WriteString("name", set.Name);
                writer.WriteString("from", set.From);
                writer.WriteNumber("addresses", set.Addresses);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + Environment.NewLine;
    }

    /// <summary>The owned rows as <c>show</c> lists them, read from a replica.</summary>
    private sealed record OwnedRows(string Controller, IReadOnlyList<OwnedPortGroup> PortGroups, IReadOnlyList<OwnedAddressSet> AddressSets)
    {
        public static OwnedRows Read(OvsdbReplica replica, string controller)
        {
            bool Owned(OvsdbRow row) => row.GetMapValue("external_ids", DesiredState.OwnerControllerKey) == controller;

            var groups = replica.GetRows("Port_Group").Where(Owned).Select(row => new OwnedPortGroup(
                    row.GetString("name") ?? "", From(row), row["ports"].Count,
                    [.. row["acls"].Keys.ToArray().Select(a => replica.TryGetRow("ACL", a.AsUuid(), out var acl) ? acl : null).OfType<OvsdbRow>()
                        .Select(NorthboundRowReader.ReadAcl).Select(acl => new OwnedAcl(acl.Direction, acl.Priority, acl.Action, acl.Name, acl.Match))
                        .OrderBy(a => a.Direction, StringComparer.Ordinal).ThenByDescending(a => a.Priority).ThenBy(a => a.Match, StringComparer.Ordinal)]))
                .OrderBy(g => g.Name, StringComparer.Ordinal).ToList();
            var sets = replica.GetRows("Address_Set").Where(Owned)
                .Select(row => new OwnedAddressSet(row.GetString("name") ?? "", From(row), row["addresses"].Count))
                .OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
            return new OwnedRows(controller, groups, sets);
        }

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

    private sealed record OwnedPortGroup(string Name, string From, int Ports, IReadOnlyList<OwnedAcl> Acls);

    private sealed record OwnedAcl(string Direction, int Priority, string Action, string? Name, string Match);

    private sealed record OwnedAddressSet(string Name, string From, int Addresses);
}
