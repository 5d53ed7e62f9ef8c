using System.Collections.Immutable;
using OvnAcl.Collections;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;

namespace OvnAcl.Acl;

public sealed partial class AclPolicyView
{
    /// <summary>
    /// The NB tables (and columns) <see cref="FromReplica"/> reads: replicate only these to explain traffic.
    /// ACL is replicated whole so that <c>tier</c> is read where the schema has it (OVN 23.06 and later).
    /// </summary>
    public static IReadOnlyList<OvsdbTableMonitor> MonitoredTables { get; } =
    [
        new("NB_Global") { Columns = ["options"] },
        new("Logical_Switch") { Columns = ["name", "ports", "acls", "load_balancer", "load_balancer_group"] },
        new("Logical_Switch_Port") { Columns = ["name", "type", "addresses", "dynamic_addresses", "port_security", "enabled", "options"] },
        new("Logical_Router") { Columns = ["name", "ports"] },
        new("Logical_Router_Port") { Columns = ["name"] },
        new("Port_Group") { Columns = ["name", "ports", "acls"] },
        new("Address_Set") { Columns = ["name", "addresses"] },
        new("ACL"),
        new("Load_Balancer") { Columns = ["name", "vips", "protocol", "options", "external_ids"] },
        new("Load_Balancer_Group") { Columns = ["name", "load_balancer"] },
    ];

    /// <summary>Builds the view from a replica of a live Northbound database holding (at least) <see cref="MonitoredTables"/>.</summary>
    public static AclPolicyView FromReplica(OvsdbReplica replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        return FromRows(replica.Read(ReadRows));
    }

    /// <summary>The rows of a replica (see <see cref="FromReplica"/>), e.g. to compare with a compiler's output.</summary>
    public static NorthboundAclRows ReadRows(OvsdbReplica replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        return replica.Read(ReadRows);
    }

    private static NorthboundAclRows ReadRows(IReadOnlyDictionary<string, IReadOnlyDictionary<Guid, OvsdbRow>> tables)
    {
        var acls = tables["ACL"];
        var lsps = tables["Logical_Switch_Port"];
        var global = tables["NB_Global"].Values.FirstOrDefault();
        var loadBalancers = tables.TryGetValue("Load_Balancer", out var lbTable) ? lbTable : new Dictionary<Guid, OvsdbRow>();
        var lbGroups = tables.TryGetValue("Load_Balancer_Group", out var groupTable) ? groupTable : new Dictionary<Guid, OvsdbRow>();

        // ovn-northd applies a switch's load_balancer and its groups' load_balancer alike.
        ImmutableArray<LoadBalancerRow> LoadBalancersOf(OvsdbRow sw) =>
        [
            .. Uuids(Column(sw, "load_balancer"))
                .Concat(Uuids(Column(sw, "load_balancer_group")).SelectMany(g => lbGroups.TryGetValue(g, out var group) ? Uuids(group["load_balancer"]) : []))
                .Distinct()
                .Select(u => loadBalancers.TryGetValue(u, out var row) ? row : null).OfType<OvsdbRow>()
                .OrderBy(l => l.GetString("name"), StringComparer.Ordinal)
                .Select(ReadLoadBalancer),
        ];

        ImmutableArray<AclRow> AclsOf(OvsdbRow owner) =>
            [.. Uuids(owner["acls"]).Select(u => acls.TryGetValue(u, out var row) ? row : null).OfType<OvsdbRow>().Select(ReadAcl)];

        var switches = tables["Logical_Switch"].Values
            .OrderBy(s => s.GetString("name"), StringComparer.Ordinal)
            .Select(s => new LogicalSwitchRow(s.GetString("name") ?? s.Uuid.ToString())
            {
                Ports = Uuids(s["ports"]).Select(u => lsps.TryGetValue(u, out var p) ? p : null).OfType<OvsdbRow>().Select(ReadPort).ToImmutableArray(),
                Acls = AclsOf(s),
                LoadBalancers = LoadBalancersOf(s),
            })
            .ToImmutableArray();
        var portGroups = tables["Port_Group"].Values
            .OrderBy(g => g.GetString("name"), StringComparer.Ordinal)
            .Select(g => new PortGroupRow
            {
                Name = g.GetString("name") ?? g.Uuid.ToString(),
                Ports = Uuids(g["ports"]).Select(u => lsps.TryGetValue(u, out var p) ? p.GetString("name") : null).OfType<string>().ToImmutableArray(),
                Acls = AclsOf(g),
            })
            .ToImmutableArray();
        var lrps = tables["Logical_Router_Port"];
        var routers = tables["Logical_Router"].Values
            .OrderBy(r => r.GetString("name"), StringComparer.Ordinal)
            .Select(r => new LogicalRouterRow(r.GetString("name") ?? r.Uuid.ToString())
            {
                Ports = Uuids(r["ports"]).Select(u => lrps.TryGetValue(u, out var p) ? p.GetString("name") : null).OfType<string>().ToImmutableArray(),
            })
            .ToImmutableArray();
        var addressSets = tables["Address_Set"].Values
            .OrderBy(a => a.GetString("name"), StringComparer.Ordinal)
            .Select(a => new AddressSetRow { Name = a.GetString("name") ?? a.Uuid.ToString(), Addresses = Strings(a["addresses"]) })
            .ToImmutableArray();
        return new NorthboundAclRows
        {
            Switches = switches,
            PortGroups = portGroups,
            AddressSets = addressSets,
            Routers = routers,
            DefaultAclDrop = global is not null && string.Equals(global.GetMapValue("options", "default_acl_drop"), "true", StringComparison.OrdinalIgnoreCase),
        };
    }

    private static LogicalSwitchPortRow ReadPort(OvsdbRow row) => new(row.GetString("name") ?? row.Uuid.ToString())
    {
        Type = row.GetString("type") ?? "",
        Addresses = Strings(row["addresses"]),
        DynamicAddresses = row.GetString("dynamic_addresses"),
        PortSecurity = Strings(row["port_security"]),
        Enabled = row["enabled"].Count == 0 ? null : row["enabled"].Keys[0].AsBoolean(),
        RouterPort = row.GetMapValue("options", "router-port"),
    };

    private static AclRow ReadAcl(OvsdbRow row) => NorthboundRowReader.ReadAcl(row);

    private static LoadBalancerRow ReadLoadBalancer(OvsdbRow row) => new(row.GetString("name") ?? row.Uuid.ToString())
    {
        Uuid = row.Uuid,
        Protocol = row.GetString("protocol") ?? "tcp",
        Vips = Map(row["vips"]),
        Options = Map(row["options"]),
        ExternalIds = Map(row["external_ids"]),
    };

    private static OvsdbDatum Column(OvsdbRow row, string name) => row.TryGet(name, out var datum) ? datum : OvsdbDatum.Empty;

    private static EquatableMap Map(OvsdbDatum datum)
    {
        var items = new List<KeyValuePair<string, string>>(datum.Count);
        for (var i = 0; i < datum.Count; i++)
        {
            items.Add(new(datum.Keys[i].AsString(), datum.Values[i].AsString()));
        }

        return new EquatableMap(items);
    }

    private static IEnumerable<Guid> Uuids(OvsdbDatum datum)
    {
        var result = new Guid[datum.Count];
        for (var i = 0; i < datum.Count; i++)
        {
            result[i] = datum.Keys[i].AsUuid();
        }

        return result;
    }

    private static ImmutableArray<string> Strings(OvsdbDatum datum)
    {
        var result = ImmutableArray.CreateBuilder<string>(datum.Count);
        for (var i = 0; i < datum.Count; i++)
        {
            result.Add(datum.Keys[i].AsString());
        }

        return result.MoveToImmutable();
    }

}
