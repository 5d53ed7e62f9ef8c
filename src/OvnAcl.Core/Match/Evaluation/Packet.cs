using System.Net;
using System.Net.Sockets;

namespace OvnAcl.Match;

/// <summary>Connection-tracking state bits, numbered as OVS numbers them in <c>ct_state</c>.</summary>
[Flags]
public enum CtState : uint
{
    None = 0,
    New = 1 << 0,
    Established = 1 << 1,
    Related = 1 << 2,
    Reply = 1 << 3,
    Invalid = 1 << 4,
    Tracked = 1 << 5,
    SourceNat = 1 << 6,
    DestinationNat = 1 << 7,
}

/// <summary>
/// A concrete packet and its metadata as a logical flow sees it. Fields a packet does not have are ignored: OVN's
/// prerequisites (<c>tcp.dst</c> needs <c>tcp</c>, which needs <c>ip</c>) decide whether a field is looked at,
/// from <see cref="EthType"/> and <see cref="IpProto"/>. Build one with <see cref="Tcp4"/> and friends, then <c>with</c>.
/// </summary>
public sealed record Packet
{
    public const ushort EthTypeIpv4 = 0x0800;
    public const ushort EthTypeIpv6 = 0x86dd;
    public const ushort EthTypeArp = 0x0806;
    public const byte ProtoIcmp4 = 1;
    public const byte ProtoTcp = 6;
    public const byte ProtoUdp = 17;
    public const byte ProtoIcmp6 = 58;
    public const byte ProtoSctp = 132;

    // The four 128-bit logical registers; reg0..15 and xreg0..7 are views of them.
    private (UInt128 R0, UInt128 R1, UInt128 R2, UInt128 R3) _xxregs;

    /// <summary>Logical input port name (<c>inport</c>).</summary>
    public string? Inport { get; init; }

    /// <summary>Logical output port name (<c>outport</c>); set in the egress pipeline, where to-lport ACLs run.</summary>
    public string? Outport { get; init; }

    public MacAddress EthSrc { get; init; }
    public MacAddress EthDst { get; init; }
    public ushort EthType { get; init; }
    public ushort VlanTci { get; init; }

    /// <summary>IPv4 or IPv6 source, read as <c>ip4.src</c> or <c>ip6.src</c> according to its family.</summary>
    public IPAddress? IpSrc { get; init; }

    public IPAddress? IpDst { get; init; }
    public byte IpProto { get; init; }
    public byte IpDscp { get; init; }
    public byte IpEcn { get; init; }
    public byte IpTtl { get; init; } = 64;

    /// <summary><c>ip.frag</c>: bit 0 "is a fragment", bit 1 "is a later fragment".</summary>
    public byte IpFrag { get; init; }

    public uint Ip6Label { get; init; }

    /// <summary>TCP, UDP or SCTP source port, whichever <see cref="IpProto"/> says.</summary>
    public ushort L4Src { get; init; }

    public ushort L4Dst { get; init; }
    public ushort TcpFlags { get; init; }

    /// <summary>ICMPv4 or ICMPv6 type, whichever the packet is.</summary>
    public byte IcmpType { get; init; }

    public byte IcmpCode { get; init; }
    public ushort ArpOp { get; init; }
    public IPAddress? ArpSpa { get; init; }
    public IPAddress? ArpTpa { get; init; }
    public MacAddress ArpSha { get; init; }
    public MacAddress ArpTha { get; init; }
    public IPAddress? NdTarget { get; init; }
    public MacAddress NdSll { get; init; }
    public MacAddress NdTll { get; init; }
    public CtState CtState { get; init; }
    public uint CtMark { get; init; }
    public UInt128 CtLabel { get; init; }
    public uint Flags { get; init; }
    public uint PktMark { get; init; }

    public static Packet Tcp4(string src, string dst, ushort srcPort, ushort dstPort) => Ip(src, dst, ProtoTcp) with { L4Src = srcPort, L4Dst = dstPort };

    public static Packet Udp4(string src, string dst, ushort srcPort, ushort dstPort) => Ip(src, dst, ProtoUdp) with { L4Src = srcPort, L4Dst = dstPort };

    public static Packet Tcp6(string src, string dst, ushort srcPort, ushort dstPort) => Ip(src, dst, ProtoTcp) with { L4Src = srcPort, L4Dst = dstPort };

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

    public Packet WithRegister(int index, uint value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 15);
        var shift = 32 * (3 - (index % 4));
        var xx = (Xxreg(index / 4) & ~((UInt128)uint.MaxValue << shift)) | ((UInt128)value << shift);
        return WithXxreg(index / 4, xx);
    }

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
