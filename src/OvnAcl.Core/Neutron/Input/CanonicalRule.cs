using OvnAcl.Addressing;

namespace OvnAcl.Neutron;

/// <summary>
/// A rule after Neutron's API converters and its create-time canonicalisation: what Neutron stores and what its OVN
/// driver reads. <see cref="Protocol"/> is kept as stored: a lower-case name or the number text as given (<c>"06"</c>).
/// </summary>
internal sealed record CanonicalRule
{
    public required string Id { get; init; }
    public required string Direction { get; init; }
    /// <summary><c>IPv4</c> or <c>IPv6</c>.</summary>
    public required string Ethertype { get; init; }
    public string? Protocol { get; init; }
    public int? PortRangeMin { get; init; }
    public int? PortRangeMax { get; init; }
    public IpPrefix? RemoteIpPrefix { get; init; }
    public string? RemoteGroupId { get; init; }
    public string? RemoteAddressGroupId { get; init; }

    public bool IsIngress => Direction == "ingress";

    public bool IsIPv6 => Ethertype == "IPv6";

    /// <summary>Neutron's <c>normalized_cidr</c>: the prefix with host bits cleared, null without a prefix.</summary>
    public string? NormalizedCidr => RemoteIpPrefix?.Network().ToNetaddrString();
}
