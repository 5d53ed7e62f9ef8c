using OvnAcl.Collections;

namespace OvnAcl.Neutron;

/// <summary>
/// A security group as <c>GET /v2.0/security-groups</c> returns it. Values are kept as the API shows them; the
/// translator applies Neutron's own conversions and checks.
/// </summary>
public sealed record NeutronSecurityGroup
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    /// <summary>Null when the input gave a non-boolean (an error); the API's default is true.</summary>
    public bool? Stateful { get; init; } = true;
    public EquatableArray<NeutronSecurityGroupRule> Rules { get; init; } = EquatableArray<NeutronSecurityGroupRule>.Empty;
    /// <summary>The file the group was read from, for diagnostics; null when built in code.</summary>
    public string? SourceFile { get; init; }
}

/// <summary>One security group rule, with the fields of the API's <c>security_group_rules</c> entries.</summary>
public sealed record NeutronSecurityGroupRule
{
    public required string Id { get; init; }
    /// <summary>Null when absent: the rule belongs to the group it is listed under.</summary>
    public string? SecurityGroupId { get; init; }
    /// <summary><c>ingress</c> or <c>egress</c>.</summary>
    public string? Direction { get; init; }
    /// <summary><c>IPv4</c> or <c>IPv6</c>; the API's default when absent is <c>IPv4</c>.</summary>
    public string? Ethertype { get; init; } = "IPv4";
    /// <summary>A name (<c>tcp</c>, <c>ipv6-icmp</c>, …), a number as a string (<c>"6"</c>), or null for any protocol.</summary>
    public string? Protocol { get; init; }
    public int? PortRangeMin { get; init; }
    public int? PortRangeMax { get; init; }
    public string? RemoteIpPrefix { get; init; }
    public string? RemoteGroupId { get; init; }
    public string? RemoteAddressGroupId { get; init; }
    /// <summary>What the API showed as <c>normalized_cidr</c>, if it did; checked against <see cref="RemoteIpPrefix"/>.</summary>
    public string? NormalizedCidr { get; init; }
}

/// <summary>A port as <c>GET /v2.0/ports</c> returns it: the fields that decide port group membership.</summary>
public sealed record NeutronPort
{
    /// <summary>Also the logical switch port's name in OVN.</summary>
    public required string Id { get; init; }
    /// <summary>The API's <c>name</c>; labels only, the translation does not use it.</summary>
    public string? Name { get; init; }
    public string? NetworkId { get; init; }
    public string? MacAddress { get; init; }
    /// <summary>Ports whose owner starts with <c>network:</c> (router interfaces, DHCP) are trusted: in no port group.</summary>
    public string? DeviceOwner { get; init; }
    public EquatableArray<NeutronFixedIp> FixedIps { get; init; } = EquatableArray<NeutronFixedIp>.Empty;
    public EquatableArray<string> SecurityGroups { get; init; } = EquatableArray<string>.Empty;
    /// <summary>Null when the API did not show the field (the port-security extension is off).</summary>
    public bool? PortSecurityEnabled { get; init; } = true;
    public EquatableArray<NeutronAllowedAddressPair> AllowedAddressPairs { get; init; } = EquatableArray<NeutronAllowedAddressPair>.Empty;
    public string? SourceFile { get; init; }
}

public sealed record NeutronFixedIp(string? SubnetId, string IpAddress);

public sealed record NeutronAllowedAddressPair(string IpAddress, string? MacAddress);

/// <summary>An address group as <c>GET /v2.0/address-groups</c> returns it.</summary>
public sealed record NeutronAddressGroup
{
    public required string Id { get; init; }
    public string? Name { get; init; }
    /// <summary>CIDRs as the API shows them (<c>192.168.2.2/32</c>, <c>2001:db8::/32</c>).</summary>
    public EquatableArray<string> Addresses { get; init; } = EquatableArray<string>.Empty;
    public string? SourceFile { get; init; }
}
