using OvnAcl.Collections;

namespace OvnAcl.Neutron;

/// <summary>
/// A security group as <c>GET /v2.0/security-groups</c> returns it. Values are kept as the API shows them; the
/// translator applies Neutron's own conversions and checks.
/// </summary>
public sealed record NeutronSecurityGroup
{
    /// <summary>The group's UUID; also what its port group's name is made from.</summary>
    public required string Id { get; init; }
    /// <summary>The API's <c>name</c>; labels only.</summary>
    public string? Name { get; init; }
    /// <summary>Null when the input gave a non-boolean (an error); the API's default is true.</summary>
    public bool? Stateful { get; init; } = true;
    /// <summary>The group's rules.</summary>
    public EquatableArray<NeutronSecurityGroupRule> Rules { get; init; } = EquatableArray<NeutronSecurityGroupRule>.Empty;
    /// <summary>The file the group was read from, for diagnostics; null when built in code.</summary>
    public string? SourceFile { get; init; }
}

/// <summary>One security group rule, with the fields of the API's <c>security_group_rules</c> entries.</summary>
public sealed record NeutronSecurityGroupRule
{
    /// <summary>The rule's UUID, by which its ACLs and diagnostics name it.</summary>
    public required string Id { get; init; }
    /// <summary>Null when absent: the rule belongs to the group it is listed under.</summary>
    public string? SecurityGroupId { get; init; }
    /// <summary><c>ingress</c> or <c>egress</c>.</summary>
    public string? Direction { get; init; }
    /// <summary><c>IPv4</c> or <c>IPv6</c>; the API's default when absent is <c>IPv4</c>.</summary>
    public string? Ethertype { get; init; } = "IPv4";
    /// <summary>A name (<c>tcp</c>, <c>ipv6-icmp</c>, …), a number as a string (<c>"6"</c>), or null for any protocol.</summary>
    public string? Protocol { get; init; }
    /// <summary>Lowest port of the range (or, for ICMP, the type); null for any.</summary>
    public int? PortRangeMin { get; init; }
    /// <summary>Highest port of the range (or, for ICMP, the code); null for any.</summary>
    public int? PortRangeMax { get; init; }
    /// <summary>The peer as a CIDR; exclusive with <see cref="RemoteGroupId"/> and <see cref="RemoteAddressGroupId"/>.</summary>
    public string? RemoteIpPrefix { get; init; }
    /// <summary>The peer as the ports of another security group (its address set).</summary>
    public string? RemoteGroupId { get; init; }
    /// <summary>The peer as an address group's addresses.</summary>
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
    /// <summary>The network the port is on (its logical switch).</summary>
    public string? NetworkId { get; init; }
    /// <summary>The port's MAC address.</summary>
    public string? MacAddress { get; init; }
    /// <summary>Ports whose owner starts with <c>network:</c> (router interfaces, DHCP) are trusted: in no port group.</summary>
    public string? DeviceOwner { get; init; }
    /// <summary>The port's IP addresses: these join its security groups' address sets.</summary>
    public EquatableArray<NeutronFixedIp> FixedIps { get; init; } = EquatableArray<NeutronFixedIp>.Empty;
    /// <summary>UUIDs of the security groups the port is in: it joins their port groups.</summary>
    public EquatableArray<string> SecurityGroups { get; init; } = EquatableArray<string>.Empty;
    /// <summary>Null when the API did not show the field (the port-security extension is off).</summary>
    public bool? PortSecurityEnabled { get; init; } = true;
    /// <summary>Extra addresses the port may use: they join the address sets too.</summary>
    public EquatableArray<NeutronAllowedAddressPair> AllowedAddressPairs { get; init; } = EquatableArray<NeutronAllowedAddressPair>.Empty;
    /// <summary>The file the port was read from, for diagnostics; null when built in code.</summary>
    public string? SourceFile { get; init; }
}

/// <summary>One entry of a port's <c>fixed_ips</c>: <paramref name="IpAddress"/> on the subnet <paramref name="SubnetId"/>.</summary>
public sealed record NeutronFixedIp(string? SubnetId, string IpAddress);

/// <summary>One entry of a port's <c>allowed_address_pairs</c>: <paramref name="IpAddress"/> (an address or CIDR), optionally with its own <paramref name="MacAddress"/>.</summary>
public sealed record NeutronAllowedAddressPair(string IpAddress, string? MacAddress);

/// <summary>An address group as <c>GET /v2.0/address-groups</c> returns it.</summary>
public sealed record NeutronAddressGroup
{
    /// <summary>The address group's UUID.</summary>
    public required string Id { get; init; }
    /// <summary>The API's <c>name</c>; labels only.</summary>
    public string? Name { get; init; }
    /// <summary>CIDRs as the API shows them (<c>192.168.2.2/32</c>, <c>2001:db8::/32</c>).</summary>
    public EquatableArray<string> Addresses { get; init; } = EquatableArray<string>.Empty;
    /// <summary>The file the group was read from, for diagnostics; null when built in code.</summary>
    public string? SourceFile { get; init; }
}
