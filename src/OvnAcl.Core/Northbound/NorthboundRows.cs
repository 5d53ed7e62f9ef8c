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
    public bool Log { get; init; }
    public string? Severity { get; init; }
    public string? Meter { get; init; }
    public int Tier { get; init; }
    public EquatableMap Options { get; init; } = EquatableMap.Empty;
    public EquatableMap ExternalIds { get; init; } = EquatableMap.Empty;
}

/// <summary>One desired port group: its member logical switch ports (by name) and its ACLs.</summary>
public sealed record PortGroupRow
{
    public required string Name { get; init; }
    /// <summary>Logical switch port names, sorted and unique.</summary>
    public EquatableArray<string> Ports { get; init; } = EquatableArray<string>.Empty;
    public EquatableMap ExternalIds { get; init; } = EquatableMap.Empty;
    public EquatableArray<AclRow> Acls { get; init; } = EquatableArray<AclRow>.Empty;
}

/// <summary>One desired address set: addresses as OVN accepts them (IPs, CIDRs), sorted and unique.</summary>
public sealed record AddressSetRow
{
    public required string Name { get; init; }
    public EquatableArray<string> Addresses { get; init; } = EquatableArray<string>.Empty;
    public EquatableMap ExternalIds { get; init; } = EquatableMap.Empty;
}

/// <summary>
/// Everything a compiler wants in the Northbound database: the same model for Kubernetes and Neutron input,
/// printed by <c>ovnacl compile</c> and reconciled by the reconciler. Port groups and address sets are sorted
/// by name so equal inputs give equal output.
/// </summary>
public sealed record NorthboundRows
{
    public static NorthboundRows Empty { get; } = new();

    public EquatableArray<PortGroupRow> PortGroups { get; init; } = EquatableArray<PortGroupRow>.Empty;
    public EquatableArray<AddressSetRow> AddressSets { get; init; } = EquatableArray<AddressSetRow>.Empty;

    public static NorthboundRows Create(IEnumerable<PortGroupRow> portGroups, IEnumerable<AddressSetRow> addressSets) => new()
    {
        PortGroups = portGroups.OrderBy(p => p.Name, StringComparer.Ordinal).ToEquatableArray(),
        AddressSets = addressSets.OrderBy(a => a.Name, StringComparer.Ordinal).ToEquatableArray(),
    };
}
