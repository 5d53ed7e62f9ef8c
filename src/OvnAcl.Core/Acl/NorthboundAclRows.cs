using OvnAcl.Collections;
using OvnAcl.Northbound;

namespace OvnAcl.Acl;

/// <summary>A <c>Logical_Switch_Port</c> row: the columns that decide its addresses and how ACLs see it.</summary>
public sealed record LogicalSwitchPortRow(string Name)
{
    /// <summary><c>type</c>: empty for a VM/pod port, or <c>router</c>, <c>localnet</c>, <c>localport</c>, …</summary>
    public string Type { get; init; } = "";

    /// <summary><c>addresses</c> entries, e.g. <c>"0a:00:00:00:00:01 10.0.0.1 fd00::1"</c>, <c>"unknown"</c>, <c>"router"</c>, <c>"dynamic"</c>.</summary>
    public EquatableArray<string> Addresses { get; init; }

    /// <summary><c>dynamic_addresses</c>, what northd's IPAM assigned for a <c>dynamic</c> entry.</summary>
    public string? DynamicAddresses { get; init; }

    /// <summary><c>port_security</c> entries, e.g. <c>"0a:00:00:00:00:01 10.0.0.1/24"</c>.</summary>
    public EquatableArray<string> PortSecurity { get; init; }

    /// <summary><c>enabled</c>; null (unset) means enabled.</summary>
    public bool? Enabled { get; init; }

    /// <summary><c>options:router-port</c> of a <c>router</c> port: the <c>Logical_Router_Port</c> it is patched to.</summary>
    public string? RouterPort { get; init; }
}

/// <summary>A <c>Logical_Router</c> row, as far as it joins switches: the names of its <c>Logical_Router_Port</c> rows.</summary>
public sealed record LogicalRouterRow(string Name)
{
    /// <summary>Names of the router's ports (<c>Logical_Router_Port.name</c>).</summary>
    public EquatableArray<string> Ports { get; init; }
}

/// <summary>A <c>Logical_Switch</c> row with its ports and its own ACLs.</summary>
public sealed record LogicalSwitchRow(string Name)
{
    /// <summary>The ports on the switch.</summary>
    public EquatableArray<LogicalSwitchPortRow> Ports { get; init; }
    /// <summary>ACLs applied to the switch itself (its <c>acls</c> column), on every port of it.</summary>
    public EquatableArray<AclRow> Acls { get; init; }

    /// <summary>
    /// The load balancers the switch applies: its <c>load_balancer</c> column and those of its
    /// <c>load_balancer_group</c> rows (ovn-northd treats both alike).
    /// </summary>
    public EquatableArray<LoadBalancerRow> LoadBalancers { get; init; }
}

/// <summary>A <c>Load_Balancer</c> row: the columns that decide where a connection to one of its VIPs goes.</summary>
public sealed record LoadBalancerRow(string Name)
{
    /// <summary>The row's UUID when read from a database; <see cref="Guid.Empty"/> for rows built offline.</summary>
    public Guid Uuid { get; init; }

    /// <summary><c>protocol</c>: <c>tcp</c> (also when unset), <c>udp</c> or <c>sctp</c>.</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary><c>vips</c>: <c>"VIP[:PORT]"</c> → <c>"IP[:PORT],IP[:PORT]..."</c> (IPv6 in brackets when a port follows); an empty value has no backends.</summary>
    public EquatableMap Vips { get; init; } = EquatableMap.Empty;

    /// <summary><c>options</c>; <c>reject=true</c> makes a VIP without backends reject instead of drop.</summary>
    public EquatableMap Options { get; init; } = EquatableMap.Empty;

    /// <summary><c>external_ids</c>; ovn-kubernetes writes <c>k8s.ovn.org/kind=Service</c> and <c>k8s.ovn.org/owner=NAMESPACE/NAME</c>.</summary>
    public EquatableMap ExternalIds { get; init; } = EquatableMap.Empty;
}

/// <summary>Everything in a Northbound database that decides whether traffic between two logical ports passes.</summary>
public sealed record NorthboundAclRows
{
    /// <summary>No switches, port groups or address sets: every packet is allowed.</summary>
    public static NorthboundAclRows Empty { get; } = new();

    /// <summary>The logical switches with their ports and own ACLs.</summary>
    public EquatableArray<LogicalSwitchRow> Switches { get; init; }
    /// <summary>Port groups with their ports and ACLs.</summary>
    public EquatableArray<PortGroupRow> PortGroups { get; init; }
    /// <summary>Address sets that ACL matches name as <c>$name</c>.</summary>
    public EquatableArray<AddressSetRow> AddressSets { get; init; }

    /// <summary>Logical routers, which join switches through their <c>router</c> ports: traffic between switches is decided across one.</summary>
    public EquatableArray<LogicalRouterRow> Routers { get; init; }

    /// <summary><c>NB_Global options:default_acl_drop</c>.</summary>
    public bool DefaultAclDrop { get; init; }

    /// <summary>
    /// A compiler's output (<see cref="NorthboundRows"/>) on the switches whose ports it refers to: what
    /// <c>explain</c> evaluates offline.
    /// </summary>
    public static NorthboundAclRows FromCompiled(NorthboundRows rows, IEnumerable<LogicalSwitchRow> switches, bool defaultAclDrop = false)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(switches);
        return new NorthboundAclRows
        {
            Switches = switches.ToEquatableArray(),
            PortGroups = rows.PortGroups,
            AddressSets = rows.AddressSets,
            DefaultAclDrop = defaultAclDrop,
        };
    }
}
