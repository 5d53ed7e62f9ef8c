using System.Collections.Frozen;

namespace OvnAcl.Neutron;

/// <summary>
/// neutron_lib's protocol table (<c>IP_PROTOCOL_MAP</c>, in its order, which Neutron's error messages show) and the
/// groupings Neutron's API and its OVN driver make of it.
/// </summary>
internal static class NeutronProtocols
{
    public static readonly IReadOnlyList<(string Name, int Number)> IpProtocolMap =
    [
        ("ah", 51), ("dccp", 33), ("egp", 8), ("esp", 50), ("gre", 47), ("hopopt", 0), ("icmp", 1), ("igmp", 2),
        ("ip", 0), ("ipip", 4), ("ipv6-encap", 41), ("ipv6-frag", 44), ("ipv6-icmp", 58), ("icmpv6", 58),
        ("ipv6-nonxt", 59), ("ipv6-opts", 60), ("ipv6-route", 43), ("ospf", 89), ("pgm", 113), ("rsvp", 46),
        ("sctp", 132), ("tcp", 6), ("udp", 17), ("udplite", 136), ("vrrp", 112),
    ];

    private static readonly FrozenDictionary<string, int> NameToNumber =
        IpProtocolMap.ToFrozenDictionary(p => p.Name, p => p.Number, StringComparer.Ordinal);

    public const int Icmp = 1;
    public const int Tcp = 6;
    public const int Udp = 17;
    public const int Dccp = 33;
    public const int Ipv6Icmp = 58;
    public const int Sctp = 132;
    public const int UdpLite = 136;

    /// <summary>Protocols the API accepts a port range for (neutron.common._constants.SG_PORT_PROTO_NUMS).</summary>
    public static bool ApiAcceptsPorts(int number) => number is Dccp or Sctp or Tcp or Udp or UdpLite;

    /// <summary>The list Neutron's API names in SecurityGroupInvalidProtocolForPort.</summary>
    public const string PortProtocolsText = "DCCP, SCTP, TCP, UDP, UDPLITE";

    /// <summary>Python's repr of the API's <c>sg_supported_protocols</c>: <c>[None, 'ah', …]</c>.</summary>
    public static readonly string SupportedProtocolsText = "[None, " + string.Join(", ", IpProtocolMap.Select(p => $"'{p.Name}'")) + "]";

    /// <summary>
    /// Protocols that are IPv6 only and refused on an IPv4 rule (SecurityGroupDbMixin._validate_ethertype_and_protocol):
    /// compared with the protocol as stored, so <c>"058"</c> is not among them.
    /// </summary>
    public static readonly FrozenSet<string> Ipv6OnlyProtocols = new[]
    {
        "ipv6-encap", "ipv6-frag", "ipv6-icmp", "icmpv6", "ipv6-nonxt", "ipv6-opts", "ipv6-route",
        "41", "44", "58", "59", "60", "43",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static bool TryGetNumber(string name, out int number) => NameToNumber.TryGetValue(name, out number);

    public static bool IsKnownName(string name) => NameToNumber.ContainsKey(name);

    /// <summary>
    /// The OVN driver's <c>_get_protocol_number</c>: a number 0–255 as Python's <c>int()</c> reads it, else a name in
    /// the table (case matters); null for anything else (the driver raises ProtocolNotSupported there).
    /// </summary>
    public static int? DriverProtocolNumber(string protocol)
    {
        if (PythonInt.TryParse(protocol, out var value, out var overflow))
        {
            return !overflow && value is >= 0 and <= 255 ? (int)value : null;
        }

        return TryGetNumber(protocol, out var number) ? number : null;
    }

    /// <summary>
    /// The API's <c>_get_ip_proto_number</c>: the alias <c>icmpv6</c> read as <c>ipv6-icmp</c>, a name looked up, anything
    /// else read by <c>int()</c>. Only called on protocols the API's converter accepted, which are all readable.
    /// </summary>
    public static int ApiProtocolNumber(string protocol)
    {
        if (TryGetNumber(protocol == "icmpv6" ? "ipv6-icmp" : protocol, out var number))
        {
            return number;
        }

        PythonInt.TryParse(protocol, out var value, out _);
        return (int)value;
    }
}
