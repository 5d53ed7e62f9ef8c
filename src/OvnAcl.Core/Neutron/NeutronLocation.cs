namespace OvnAcl.Neutron;

/// <summary>
/// How the Neutron reader and validator build a <see cref="DiagnosticLocation"/>: the file it came from, the Neutron object (<c>security_group</c>, <c>security_group_rule</c>,
/// <c>port</c>, <c>address_group</c>) and its id, the owning security group for a rule, and the API field.
/// </summary>
internal sealed record NeutronLocation(string? File, string? ObjectKind = null, string? ObjectId = null, string? Field = null, string? SecurityGroupId = null)
{
    public static implicit operator DiagnosticLocation(NeutronLocation location) => location.ToLocation();

    public DiagnosticLocation ToLocation() =>
        new(File is null ? null : new ObjectSource(File), DescribeObject(), Field);

    /// <summary><c>security_group_rule 3f… (security_group 9a…)</c>, or null when no object is named.</summary>
    private string? DescribeObject()
    {
        if (ObjectKind is null)
        {
            return null;
        }

        var what = ObjectId is null ? ObjectKind : $"{ObjectKind} {ObjectId}";
        return SecurityGroupId is not null && ObjectKind != NeutronObjectKinds.SecurityGroup ? what + $" (security_group {SecurityGroupId})" : what;
    }

    /// <summary><c>groups.json: security_group_rule 3f… (security_group 9a…): port_range_min</c>.</summary>
    public override string ToString() => ToLocation().ToString();
}

/// <summary>The object kinds a <see cref="NeutronLocation"/> names, spelled as Neutron's API spells its resources.</summary>
public static class NeutronObjectKinds
{
    /// <summary>A security group, as diagnostics and object counts name it.</summary>
    public const string SecurityGroup = "security_group";
    /// <summary>A security group rule.</summary>
    public const string SecurityGroupRule = "security_group_rule";
    /// <summary>A port.</summary>
    public const string Port = "port";
    /// <summary>An address group.</summary>
    public const string AddressGroup = "address_group";
}

