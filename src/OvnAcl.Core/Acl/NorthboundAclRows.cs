namespace OvnAcl.Acl;

/// <summary>
/// An <c>ACL</c> row as ovn-nb(5) defines it. Compilers produce these; <see cref="AclPolicyView.FromRows"/> reads them.
/// <see cref="Uuid"/> is the NB row's uuid when the row came from a database, <see cref="Guid.Empty"/> before it is written.
/// </summary>
public sealed record AclRow
{
    public Guid Uuid { get; init; }
    public string? Name { get; init; }
    public required AclDirection Direction { get; init; }

    /// <summary>0 to 32767; the highest matching priority decides.</summary>
    public required int Priority { get; init; }

    /// <summary>The OVN match expression, as text.</summary>
    public required string Match { get; init; }

    public required AclAction Action { get; init; }

    /// <summary>0 to 3 (OVN 23.06 and later); lower tiers are evaluated first.</summary>
    public int Tier { get; init; }

    public bool Log { get; init; }
    public string? Severity { get; init; }
    public StringMap ExternalIds { get; init; } = StringMap.Empty;

    /// <summary><c>options</c>; <c>apply-after-lb=true</c> moves a from-lport ACL to the stage after load balancing.</summary>
    public StringMap Options { get; init; } = StringMap.Empty;

    public bool ApplyAfterLb => Direction == AclDirection.FromLport && string.Equals(Options.Get("apply-after-lb"), "true", StringComparison.OrdinalIgnoreCase);
}

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
}

/// <summary>A <c>Logical_Switch</c> row with its ports and its own ACLs.</summary>
public sealed record LogicalSwitchRow(string Name)
{
    public EquatableArray<LogicalSwitchPortRow> Ports { get; init; }
    public EquatableArray<AclRow> Acls { get; init; }
}

/// <summary>A <c>Port_Group</c> row: member ports by name, and ACLs.</summary>
public sealed record PortGroupRow(string Name)
{
    public EquatableArray<string> Ports { get; init; }
    public EquatableArray<AclRow> Acls { get; init; }
}

/// <summary>An <c>Address_Set</c> row; entries as in the NB (<c>10.0.0.1</c>, <c>10.0.0.0/24</c>, <c>fd00::/64</c>, MACs).</summary>
public sealed record AddressSetRow(string Name)
{
    public EquatableArray<string> Addresses { get; init; }
}

/// <summary>Everything in a Northbound database that decides whether traffic between two logical ports passes.</summary>
public sealed record NorthboundAclRows
{
    public static NorthboundAclRows Empty { get; } = new();

    public EquatableArray<LogicalSwitchRow> Switches { get; init; }
    public EquatableArray<PortGroupRow> PortGroups { get; init; }
    public EquatableArray<AddressSetRow> AddressSets { get; init; }

    /// <summary><c>NB_Global options:default_acl_drop</c>.</summary>
    public bool DefaultAclDrop { get; init; }
}
