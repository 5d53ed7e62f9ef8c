using System.Net;
using System.Net.Sockets;

namespace OvnAcl.Match;

/// <summary>Connection-tracking state bits, numbered as OVS numbers them in <c>ct_state</c>.</summary>
[Flags]
public enum CtState : uint
{
    /// <summary>No state bit set: the packet has not been through conntrack.</summary>
    None = 0,
    /// <summary><c>ct.new</c>: the first packet of a connection.</summary>
    New = 1 << 0,
    /// <summary><c>ct.est</c>: part of a committed connection.</summary>
    Established = 1 << 1,
    /// <summary><c>ct.rel</c>: related to a committed connection (an ICMP error, say).</summary>
    Related = 1 << 2,
    /// <summary><c>ct.rpl</c>: in the reply direction of its connection.</summary>
    Reply = 1 << 3,
    /// <summary><c>ct.inv</c>: conntrack could not make sense of it.</summary>
    Invalid = 1 << 4,
    /// <summary><c>ct.trk</c>: the packet has been through conntrack.</summary>
    Tracked = 1 << 5,
    /// <summary><c>ct.snat</c>: source-NATed.</summary>
    SourceNat = 1 << 6,
    /// <summary><c>ct.dnat</c>: destination-NATed.</summary>
    DestinationNat = 1 << 7,
}

/// <summary>
/// A concrete packet and its metadata as a logical flow sees it. Fields a packet does not have are ignored: OVN's
/// prerequisites (<c>tcp.dst</c> needs <c>tcp</c>, which needs <c>ip</c>) decide whether a field is looked at,
/// from <see cref="EthType"/> and <see cref="IpProto"/>. Build one with <see cref="Tcp4"/> and friends, then <c>with</c>.
/// </summary>
public sealed record Packet
{
    /// <summary><c>eth.type</c> of IPv4.</summary>
    public const ushort EthTypeIpv4 = 0x0800;
    /// <summary><c>eth.type</c> of IPv6.</summary>
    public const ushort EthTypeIpv6 = 0x86dd;
    /// <summary><c>eth.type</c> of ARP.</summary>
    public const ushort EthTypeArp = 0x0806;
    /// <summary><c>ip.proto</c> of ICMPv4.</summary>
    public const byte ProtoIcmp4 = 1;
    /// <summary><c>ip.proto</c> of TCP.</summary>
    public const byte ProtoTcp = 6;
    /// <summary><c>ip.proto</c> of UDP.</summary>
    public const byte ProtoUdp = 17;
    /// <summary><c>ip.proto</c> of ICMPv6.</summary>
    public const byte ProtoIcmp6 = 58;
    /// <summary><c>ip.proto</c> of SCTP.</summary>
    public const byte ProtoSctp = 132;

    // The four 128-bit logical registers; reg0..15 and xreg0..7 are views of them.
    private (UInt128 R0, UInt128 R1, UInt128 R2, UInt128 R3) _xxregs;

    /// <summary>Logical input port name (<c>inport</c>).</summary>
    public string? Inport { get; init; }

    /// <summary>Logical output port name (<c>outport</c>); set in the egress pipeline, where to-lport ACLs run.</summary>
    public string? Outport { get; init; }

    /// <summary><c>eth.src</c>.</summary>
    public MacAddress EthSrc { get; init; }
    /// <summary><c>eth.dst</c>.</summary>
    public MacAddress EthDst { get; init; }
    /// <summary><c>eth.type</c>: decides which of <c>ip4</c>, <c>ip6</c> and <c>arp</c> hold (see <see cref="EthTypeIpv4"/>).</summary>
    public ushort EthType { get; init; }
    /// <summary><c>vlan.tci</c>; 0 for an untagged packet.</summary>
    public ushort VlanTci { get; init; }

    /// <summary>IPv4 or IPv6 source, read as <c>ip4.src</c> or <c>ip6.src</c> according to its family.</summary>
    public IPAddress? IpSrc { get; init; }

    /// <summary>IPv4 or IPv6 destination, read as <c>ip4.dst</c> or <c>ip6.dst</c> according to its family; null for a non-IP packet.</summary>
    public IPAddress? IpDst { get; init; }
    /// <summary><c>ip.proto</c> (see <see cref="ProtoTcp"/> and the others).</summary>
    public byte IpProto { get; init; }
    /// <summary><c>ip.dscp</c>.</summary>
    public byte IpDscp { get; init; }
    /// <summary><c>ip.ecn</c>.</summary>
    public byte IpEcn { get; init; }
    /// <summary><c>ip.ttl</c> (the hop limit for IPv6).</summary>
    public byte IpTtl { get; init; } = 64;

    /// <summary><c>ip.frag</c>: bit 0 "is a fragment", bit 1 "is a later fragment".</summary>
    public byte IpFrag { get; init; }

    /// <summary><c>ip6.label</c>: the IPv6 flow label.</summary>
    public uint Ip6Label { get; init; }

    /// <summary>TCP, UDP or SCTP source port, whichever <see cref="IpProto"/> says.</summary>
    public ushort L4Src { get; init; }

    /// <summary>TCP, UDP or SCTP destination port, whichever <see cref="IpProto"/> says.</summary>
    public ushort L4Dst { get; init; }
    /// <summary><c>tcp.flags</c>.</summary>
    public ushort TcpFlags { get; init; }

    /// <summary>ICMPv4 or ICMPv6 type, whichever the packet is.</summary>
    public byte IcmpType { get; init; }

    /// <summary>ICMPv4 or ICMPv6 code, whichever the packet is.</summary>
    public byte IcmpCode { get; init; }
    /// <summary><c>arp.op</c>: 1 for a request, 2 for a reply.</summary>
    public ushort ArpOp { get; init; }
    /// <summary><c>arp.spa</c>: the sender's IPv4 address.</summary>
    public IPAddress? ArpSpa { get; init; }
    /// <summary><c>arp.tpa</c>: the target's IPv4 address.</summary>
    public IPAddress? ArpTpa { get; init; }
    /// <summary><c>arp.sha</c>: the sender's MAC.</summary>
    public MacAddress ArpSha { get; init; }
    /// <summary><c>arp.tha</c>: the target's MAC.</summary>
    public MacAddress ArpTha { get; init; }
    /// <summary><c>nd.target</c>: the address a neighbor solicitation or advertisement is about.</summary>
    public IPAddress? NdTarget { get; init; }
    /// <summary><c>nd.sll</c>: the source link-layer address option.</summary>
    public MacAddress NdSll { get; init; }
    /// <summary><c>nd.tll</c>: the target link-layer address option.</summary>
    public MacAddress NdTll { get; init; }
    /// <summary><c>ct_state</c>, as the ACL stage sees it.</summary>
    public CtState CtState { get; init; }
    /// <summary><c>ct_mark</c>.</summary>
    public uint CtMark { get; init; }
    /// <summary><c>ct_label</c>, 128 bits.</summary>
    public UInt128 CtLabel { get; init; }
    /// <summary>OVN's logical <c>flags</c> register.</summary>
    public uint Flags { get; init; }
    /// <summary><c>pkt.mark</c>.</summary>
    public uint PktMark { get; init; }

    /// <summary>A TCP/IPv4 packet from <paramref name="src"/>:<paramref name="srcPort"/> to <paramref name="dst"/>:<paramref name="dstPort"/>.</summary>
    /// <exception cref="FormatException">An address does not parse.</exception>
    public static Packet Tcp4(string src, string dst, ushort srcPort, ushort dstPort) => Ip(src, dst, ProtoTcp) with { L4Src = srcPort, L4Dst = dstPort };

    /// <summary>A UDP/IPv4 packet from <paramref name="src"/>:<paramref name="srcPort"/> to <paramref name="dst"/>:<paramref name="dstPort"/>.</summary>
    /// <exception cref="FormatException">An address does not parse.</exception>
    public static Packet Udp4(string src, string dst, ushort srcPort, ushort dstPort) => Ip(src, dst, ProtoUdp) with { L4Src = srcPort, L4Dst = dstPort };

    /// <summary>A TCP/IPv6 packet from <paramref name="src"/>:<paramref name="srcPort"/> to <paramref name="dst"/>:<paramref name="dstPort"/>.</summary>
    /// <exception cref="FormatException">An address does not parse.</exception>
    public static Packet Tcp6(string src, string dst, ushort srcPort, ushort dstPort) => Ip(src, dst, ProtoTcp) with { L4Src = srcPort, L4Dst = dstPort };

    /// <summary>A UDP/IPv6 packet from <paramref name="src"/>:<paramref name="srcPort"/> to <paramref name="dst"/>:<paramref name="dstPort"/>.</summary>
    /// <exception cref="FormatException">An address does not parse.</exception>
    public static Packet Udp6(string src, string dst, ushort srcPort, ushort dstPort) => Ip(src, dst, ProtoUdp) with { L4Src = srcPort, L4Dst = dstPort };

    /// <summary>An ICMP echo request (ICMPv4 type 8 or ICMPv6 type 128, by the addresses' family).</summary>
    public static Packet Ping(string src, string dst)
    {
        var packet = Ip(src, dst, 0);
        return packet.EthType == EthTypeIpv4
            ? packet with { IpProto = ProtoIcmp4, IcmpType = 8 }
            : packet with { IpProto = ProtoIcmp6, IcmpType = 128 };
    }

    /// <summary>An IP packet of protocol <paramref name="proto"/>; the family of the addresses sets <see cref="EthType"/>.</summary>
    public static Packet Ip(string src, string dst, byte proto)
    {
        var source = IPAddress.Parse(src);
        var destination = IPAddress.Parse(dst);
        if (source.AddressFamily != destination.AddressFamily)
        {
            throw new ArgumentException($"{src} and {dst} are not of the same family");
        }

        return new Packet
        {
            EthType = source.AddressFamily == AddressFamily.InterNetwork ? EthTypeIpv4 : EthTypeIpv6,
            IpSrc = source,
            IpDst = destination,
            IpProto = proto,
        };
    }

    /// <summary>An ARP packet with operation <paramref name="op"/> (1 request, 2 reply) from <paramref name="senderIp"/> about <paramref name="targetIp"/>.</summary>
    public static Packet Arp(ushort op, string senderIp, string targetIp) =>
        new() { EthType = EthTypeArp, ArpOp = op, ArpSpa = IPAddress.Parse(senderIp), ArpTpa = IPAddress.Parse(targetIp) };

    /// <summary><c>reg0</c>..<c>reg15</c>.</summary>
    public uint Register(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 15);
        return (uint)(Xxreg(index / 4) >> (32 * (3 - (index % 4))));
    }

    /// <summary><c>xxreg0</c>..<c>xxreg3</c>.</summary>
    public UInt128 Xxreg(int index) => index switch
    {
        0 => _xxregs.R0,
        1 => _xxregs.R1,
        2 => _xxregs.R2,
        3 => _xxregs.R3,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>A copy with <c>reg<paramref name="index"/></c> (0-15) set to <paramref name="value"/>; the overlapping <c>xxreg</c> changes with it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not 0-15.</exception>
    public Packet WithRegister(int index, uint value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 15);
        var shift = 32 * (3 - (index % 4));
        var xx = (Xxreg(index / 4) & ~((UInt128)uint.MaxValue << shift)) | ((UInt128)value << shift);
        return WithXxreg(index / 4, xx);
    }

    /// <summary>A copy with <c>xxreg<paramref name="index"/></c> (0-3) set to <paramref name="value"/>, and with it the four <c>reg</c>s it spans.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not 0-3.</exception>
    public Packet WithXxreg(int index, UInt128 value)
    {
        var registers = _xxregs;
        switch (index)
        {
            case 0: registers.R0 = value; break;
            case 1: registers.R1 = value; break;
            case 2: registers.R2 = value; break;
            case 3: registers.R3 = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(index));
        }

        return this with { _xxregs = registers };
    }
}
