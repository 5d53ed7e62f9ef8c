using System.Net;
using OvnAcl.Match;

namespace OvnAcl.Acl;

/// <summary>Builds the packet a port would send to another: first MAC and first IPv4 (or IPv6) address of each.</summary>
public static class AclPacketFactory
{
    /// <summary>The source port of generated TCP/UDP/SCTP packets.</summary>
    public const ushort DefaultSourcePort = 40000;

    /// <summary>
    /// A new-connection packet from <paramref name="fromPort"/> to <paramref name="toPort"/>: TCP, UDP or SCTP to
    /// <paramref name="destinationPort"/>, or an ICMP (ICMPv6) echo request.
    /// </summary>
    /// <exception cref="AclPolicyException">An unknown port, or one without a MAC or an address of the family.</exception>
    /// <exception cref="ArgumentException">A destination port missing for TCP/UDP/SCTP, or given for ICMP.</exception>
    public static Packet Create(AclPolicyView view, string fromPort, string toPort, AclProtocol protocol, ushort? destinationPort, bool ipv6 = false, ushort sourcePort = DefaultSourcePort)
    {
        ArgumentNullException.ThrowIfNull(view);
        var from = view.GetPort(fromPort);
        var to = view.GetPort(toPort);
        var (srcMac, srcIp) = Endpoint(from, ipv6);
        var (dstMac, dstIp) = Endpoint(to, ipv6);
        if (protocol == AclProtocol.Icmp)
        {
            if (destinationPort is not null)
            {
                throw new ArgumentException("ICMP has no ports; leave the destination port out", nameof(destinationPort));
            }

            return Packet.Ping(srcIp.ToString(), dstIp.ToString()) with { EthSrc = srcMac, EthDst = dstMac };
        }

        if (destinationPort is not { } port)
        {
            throw new ArgumentException($"{protocol.ToString().ToUpperInvariant()} needs a destination port", nameof(destinationPort));
        }

        var proto = protocol switch
        {
            AclProtocol.Tcp => Packet.ProtoTcp,
            AclProtocol.Udp => Packet.ProtoUdp,
            _ => Packet.ProtoSctp,
        };
        return Packet.Ip(srcIp.ToString(), dstIp.ToString(), proto) with { EthSrc = srcMac, EthDst = dstMac, L4Src = sourcePort, L4Dst = port };
    }

    /// <summary>
    /// The packet answering <paramref name="packet"/>, or the request a reply answers: MACs, addresses and ports swapped,
    /// an ICMP echo request turned into its reply and back.
    /// </summary>
    public static Packet Reverse(Packet packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        return packet with
        {
            EthSrc = packet.EthDst,
            EthDst = packet.EthSrc,
            IpSrc = packet.IpDst,
            IpDst = packet.IpSrc,
            L4Src = packet.L4Dst,
            L4Dst = packet.L4Src,
            IcmpType = (packet.IpProto, packet.IcmpType) switch
            {
                (Packet.ProtoIcmp4, 0) => 8,
                (Packet.ProtoIcmp4, 8) => 0,
                (Packet.ProtoIcmp6, 128) => 129,
                (Packet.ProtoIcmp6, 129) => 128,
                _ => packet.IcmpType,
            },
        };
    }

    /// <summary>The protocol <c>ovnacl explain --protocol</c> names, in any case: <c>tcp</c>, <c>udp</c>, <c>sctp</c>, or <c>icmp</c> (also <c>icmp4</c>, <c>icmp6</c>, <c>ping</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="text"/> is none of these.</exception>
    public static AclProtocol ParseProtocol(string text) => text.ToLowerInvariant() switch
    {
        "tcp" => AclProtocol.Tcp,
        "udp" => AclProtocol.Udp,
        "sctp" => AclProtocol.Sctp,
        "icmp" or "icmp4" or "icmp6" or "ping" => AclProtocol.Icmp,
        _ => throw new ArgumentException($"'{text}' is not a protocol: use tcp, udp, sctp or icmp"),
    };

    private static (MacAddress Mac, IPAddress Ip) Endpoint(LogicalPortView port, bool ipv6)
    {
        if (port.Macs.IsEmpty)
        {
            throw new AclPolicyException($"port '{port.Name}' has no MAC address in addresses or dynamic_addresses");
        }

        var ips = ipv6 ? port.Ipv6 : port.Ipv4;
        return ips.IsEmpty
            ? throw new AclPolicyException($"port '{port.Name}' has no {(ipv6 ? "IPv6" : "IPv4")} address in addresses or dynamic_addresses")
            : (port.Macs[0], ips[0]);
    }
}
