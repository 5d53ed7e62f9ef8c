using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OvnAcl.Sandbox;

/// <summary>The transport of a <see cref="DatapathPacket"/>.</summary>
public enum DatapathProtocol
{
    Tcp,
    Udp,
    Sctp,

    /// <summary>ICMP echo (ICMPv6 for IPv6 addresses).</summary>
    Icmp,
}

/// <summary>
/// One Ethernet frame to put on a simulated VIF with <c>ovs-appctl netdev-dummy/receive</c>: IPv4 or IPv6 (by the
/// addresses' family), TTL/hop limit 64, and a TCP segment (SYN, or SYN-ACK for <see cref="TcpSynAck"/>), a UDP or SCTP
/// datagram, or an ICMP echo request (an echo reply with <see cref="EchoReply"/>). ovs-vswitchd composes the frame from
/// <see cref="ToOdpFlow"/> and computes the checksums the userspace conntrack checks.
/// </summary>
public sealed record DatapathPacket
{
    /// <summary>A TCP SYN, the usual first packet of a connection.</summary>
    public const int TcpSyn = 0x002;

    /// <summary>A TCP SYN-ACK, the server's answer to a SYN.</summary>
    public const int TcpSynAck = 0x012;

    public required DatapathProtocol Protocol { get; init; }

    /// <summary>MAC as <c>xx:xx:xx:xx:xx:xx</c>.</summary>
    public required string EthSrc { get; init; }

    public required string EthDst { get; init; }

    public required IPAddress IpSrc { get; init; }

    public required IPAddress IpDst { get; init; }

    /// <summary>Source port (TCP, UDP, SCTP); ignored for ICMP.</summary>
    public int SourcePort { get; init; }

    /// <summary>Destination port (TCP, UDP, SCTP); ignored for ICMP.</summary>
    public int DestinationPort { get; init; }

    /// <summary>TCP flags; <see cref="TcpSyn"/> unless set.</summary>
    public int TcpFlags { get; init; } = TcpSyn;

    /// <summary>For ICMP: an echo reply instead of an echo request.</summary>
    public bool EchoReply { get; init; }

    public bool IsIpv6 => IpSrc.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>
    /// The answer the destination would send: MACs, addresses and ports swapped, a SYN answered by a SYN-ACK, an echo
    /// request by an echo reply.
    /// </summary>
    public DatapathPacket Reply() => this with
    {
        EthSrc = EthDst,
        EthDst = EthSrc,
        IpSrc = IpDst,
        IpDst = IpSrc,
        SourcePort = DestinationPort,
        DestinationPort = SourcePort,
        TcpFlags = TcpFlags == TcpSyn ? TcpSynAck : TcpFlags,
        EchoReply = !EchoReply,
    };

    /// <summary>The packet in the datapath flow syntax that <c>netdev-dummy/receive</c> composes a frame from.</summary>
    public string ToOdpFlow()
    {
        var ipv6 = IsIpv6;
        if ((IpDst.AddressFamily == AddressFamily.InterNetworkV6) != ipv6)
        {
            throw new ArgumentException($"source {IpSrc} and destination {IpDst} are of different families");
        }

        var proto = IpProtocol;
        var l3 = ipv6
            ? $"eth_type(0x86dd),ipv6(src={IpSrc},dst={IpDst},label=0,proto={proto},tclass=0,hlimit=64,frag=no)"
            : $"eth_type(0x0800),ipv4(src={IpSrc},dst={IpDst},proto={proto},tos=0,ttl=64,frag=no)";
        var l4 = Protocol switch
        {
            DatapathProtocol.Tcp => $"tcp(src={SourcePort},dst={DestinationPort}),tcp_flags(0x{TcpFlags:x3})",
            DatapathProtocol.Udp => $"udp(src={SourcePort},dst={DestinationPort})",
            DatapathProtocol.Sctp => $"sctp(src={SourcePort},dst={DestinationPort})",
            _ => ipv6 ? $"icmpv6(type={IcmpType},code=0)" : $"icmp(type={IcmpType},code=0)",
        };
        return string.Create(CultureInfo.InvariantCulture, $"eth(src={EthSrc},dst={EthDst}),{l3},{l4}");
    }

    /// <summary>The packet as an OpenFlow match (<c>ovs-ofctl</c> syntax), for <c>ofproto/trace</c>, arriving on <paramref name="inPort"/>.</summary>
    public string ToOpenFlowMatch(string? inPort = null)
    {
        var ipv6 = IsIpv6;
        var (src, dst, ttl) = ipv6 ? ("ipv6_src", "ipv6_dst", "nw_ttl") : ("nw_src", "nw_dst", "nw_ttl");
        var l4 = Protocol switch
        {
            // ofproto/trace refuses tp_src/tp_dst for UDP and SCTP; the protocol's own field names work for all three.
            DatapathProtocol.Tcp => $"{(ipv6 ? "tcp6" : "tcp")},tcp_src={SourcePort},tcp_dst={DestinationPort},tcp_flags=0x{TcpFlags:x3}",
            DatapathProtocol.Udp => $"{(ipv6 ? "udp6" : "udp")},udp_src={SourcePort},udp_dst={DestinationPort}",
            DatapathProtocol.Sctp => $"{(ipv6 ? "sctp6" : "sctp")},sctp_src={SourcePort},sctp_dst={DestinationPort}",
            _ => ipv6 ? $"icmp6,icmpv6_type={IcmpType},icmpv6_code=0" : $"icmp,icmp_type={IcmpType},icmp_code=0",
        };
        // ofproto/trace parses fields in order, each after its prerequisites: protocol, then L2, L3, L4.
        var (protocol, ports) = (l4.Split(',', 2)[0], l4.Contains(',', StringComparison.Ordinal) ? "," + l4.Split(',', 2)[1] : "");
        return string.Create(CultureInfo.InvariantCulture, $"{protocol}{(inPort is null ? "" : ",in_port=" + inPort)},dl_src={EthSrc},dl_dst={EthDst},{src}={IpSrc},{dst}={IpDst},{ttl}=64{ports}");
    }

    public override string ToString() => Protocol switch
    {
        DatapathProtocol.Icmp => $"{(IsIpv6 ? "icmp6" : "icmp")} {(EchoReply ? "echo-reply" : "echo")} {IpSrc} -> {IpDst}",
        DatapathProtocol.Tcp => $"tcp {IpSrc}:{SourcePort} -> {IpDst}:{DestinationPort} {(TcpFlags == TcpSynAck ? "syn-ack" : TcpFlags == TcpSyn ? "syn" : $"flags 0x{TcpFlags:x3}")}",
        _ => $"{Protocol.ToString().ToLowerInvariant()} {IpSrc}:{SourcePort} -> {IpDst}:{DestinationPort}",
    };

    private int IpProtocol => Protocol switch
    {
        DatapathProtocol.Tcp => 6,
        DatapathProtocol.Udp => 17,
        DatapathProtocol.Sctp => 132,
        _ => IsIpv6 ? 58 : 1,
    };

    private int IcmpType => (IsIpv6, EchoReply) switch
    {
        (false, false) => 8,
        (false, true) => 0,
        (true, false) => 128,
        (true, true) => 129,
    };

    /// <summary>
    /// Whether <paramref name="frame"/> (as a VIF's <c>tx_pcap</c> recorded it) is this packet: the same addresses,
    /// protocol, ports and TCP flags or ICMP type. MACs are not compared, since a logical router rewrites them.
    /// </summary>
    public bool Matches(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14)
        {
            return false;
        }

        var etherType = (frame[12] << 8) | frame[13];
        var ip = frame[14..];
        ReadOnlySpan<byte> l4;
        int proto;
        if (etherType == 0x0800 && !IsIpv6 && ip.Length >= 20)
        {
            var headerLength = (ip[0] & 0x0f) * 4;
            proto = ip[9];
            if (!ip.Slice(12, 4).SequenceEqual(IpSrc.GetAddressBytes()) || !ip.Slice(16, 4).SequenceEqual(IpDst.GetAddressBytes()) || ip.Length < headerLength)
            {
                return false;
            }

            l4 = ip[headerLength..];
        }
        else if (etherType == 0x86dd && IsIpv6 && ip.Length >= 40)
        {
            proto = ip[6];
            if (!ip.Slice(8, 16).SequenceEqual(IpSrc.GetAddressBytes()) || !ip.Slice(24, 16).SequenceEqual(IpDst.GetAddressBytes()))
            {
                return false;
            }

            l4 = ip[40..];
        }
        else
        {
            return false;
        }

        if (proto != IpProtocol)
        {
            return false;
        }

        if (Protocol == DatapathProtocol.Icmp)
        {
            return l4.Length >= 1 && l4[0] == IcmpType;
        }

        if (l4.Length < 4 || ((l4[0] << 8) | l4[1]) != SourcePort || ((l4[2] << 8) | l4[3]) != DestinationPort)
        {
            return false;
        }

        return Protocol != DatapathProtocol.Tcp || (l4.Length >= 14 && (((l4[12] & 0x0f) << 8) | l4[13]) == TcpFlags);
    }
}
