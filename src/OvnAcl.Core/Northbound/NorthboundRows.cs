using OvnAcl.Collections;

namespace OvnAcl.Northbound;

/// <summary>
/// One desired ACL row (ovn-nb(5) ACL table). Compilers produce these; the reconciler diffs them against the
/// database; the decision engine evaluates them. Value equality throughout.
/// </summary>
public sealed record AclRow
{
    /// <summary>The row's uuid when it was read from a database; <see cref="Guid.Empty"/> for a desired row.</summary>
    public Guid Uuid { get; init; }

    /// <summary><c>from-lport</c> or <c>to-lport</c>.</summary>
    public required string Direction { get; init; }
    /// <summary>0 to 32767; a higher priority wins within a tier (ovn-nb(5)).</summary>
    public required int Priority { get; init; }
    /// <summary>
    /// The match as the compiler writes it: OvnAcl's canonical form (<c>MatchExpression.Print</c>) for Kubernetes,
    /// Neutron's own text for security groups (the contract there is to equal what Neutron writes).
    /// </summary>
    public required string Match { get; init; }
    /// <summary><c>allow</c>, <c>allow-related</c>, <c>allow-stateless</c>, <c>drop</c>, <c>reject</c> or <c>pass</c>.</summary>
    public required string Action { get; init; }
    /// <summary>At most 63 characters (ovn-nb(5)); null for none.</summary>
    public string? Name { get; init; }
    /// <summary>Whether OVN logs packets that hit the ACL.</summary>
    public bool Log { get; init; }
    /// <summary>The log severity (<c>alert</c>, <c>warning</c>, <c>notice</c>, <c>info</c>, <c>debug</c>), or null.</summary>
    public string? Severity { get; init; }
    /// <summary>The meter that rate-limits the ACL's log, or null.</summary>
    public string? Meter { get; init; }
    /// <summary>The ACL's tier (0-3): lower tiers are evaluated first, and a <c>pass</c> moves on to the next.</summary>
    public int Tier { get; init; }
    /// <summary>The ACL's <c>options</c> column.</summary>
    public EquatableMap Options { get; init; } = EquatableMap.Empty;
    /// <summary>The ACL's <c>external_ids</c>: owner, owner type and controller, and the rule it comes from.</summary>
    public EquatableMap ExternalIds { get; init; } = EquatableMap.Empty;
}

/// <summary>One desired port group: its member logical switch ports (by name) and its ACLs.</summary>
public sealed record PortGroupRow
{
    /// <summary>The port group's name, as matches name it after <c>@</c>.</summary>
    public required string Name { get; init; }
    /// <summary>Logical switch port names, sorted and unique.</summary>
    public EquatableArray<string> Ports { get; init; } = EquatableArray<string>.Empty;
    /// <summary>The port group's <c>external_ids</c>: owner, owner type and controller.</summary>
    public EquatableMap ExternalIds { get; init; } = EquatableMap.Empty;
    /// <summary>The ACLs in the port group's <c>acls</c> column.</summary>
    public EquatableArray<AclRow> Acls { get; init; } = EquatableArray<AclRow>.Empty;
}

/// <summary>One desired address set: addresses as OVN accepts them (IPs, CIDRs), sorted and unique.</summary>
public sealed record AddressSetRow
{
    /// <summary>The address set's name, as matches name it after <c>$</c>.</summary>
    public required string Name { get; init; }
    /// <summary>The addresses (IPv4 or IPv6, with or without prefix length).</summary>
    public EquatableArray<string> Addresses { get; init; } = EquatableArray<string>.Empty;
    /// <summary>The address set's <c>external_ids</c>: owner, owner type and controller.</summary>
    public EquatableMap ExternalIds { get; init; } = EquatableMap.Empty;
}

/// <summary>
/// Everything a compiler wants in the Northbound database: the same model for Kubernetes and Neutron input,
/// printed by <c>ovnacl compile</c> and reconciled by the reconciler. Port groups and address sets are sorted
/// by name so equal inputs give equal output.
/// </summary>
public sealed record NorthboundRows
{
    /// <summary>No rows: applied, it removes everything the controller owns.</summary>
    public static NorthboundRows Empty { get; } = new();

    /// <summary>The port groups, sorted by name.</summary>
    public EquatableArray<PortGroupRow> PortGroups { get; init; } = EquatableArray<PortGroupRow>.Empty;
    /// <summary>The address sets, sorted by name.</summary>
    public EquatableArray<AddressSetRow> AddressSets { get; init; } = EquatableArray<AddressSetRow>.Empty;

    /// <summary>Rows from <paramref name="portGroups"/> and <paramref name="addressSets"/>, sorted by name so that equal inputs give equal rows.</summary>
    public static NorthboundRows Create(IEnumerable<PortGroupRow> portGroups, IEnumerable<AddressSetRow> addressSets) => new()
    {
        PortGroups = portGroups.OrderBy(p => p.Name, StringComparer.Ordinal).ToEquatableArray(),
        AddressSets = addressSets.OrderBy(a => a.Name, StringComparer.Ordinal).ToEquatableArray(),
    };
}
