using System.Collections.Frozen;
using System.Net;
using System.Net.Sockets;

namespace OvnAcl.Match;

/// <summary>Reads the base fields of the symbol table out of a <see cref="Packet"/>; subfields are bit slices of these.</summary>
internal static class PacketFields
{
    private static readonly FrozenDictionary<string, Func<Packet, UInt128>> Integers = new Dictionary<string, Func<Packet, UInt128>>(StringComparer.Ordinal)
    {
        ["xxreg0"] = p => p.Xxreg(0),
        ["xxreg1"] = p => p.Xxreg(1),
        ["xxreg2"] = p => p.Xxreg(2),
        ["xxreg3"] = p => p.Xxreg(3),
        ["flags"] = p => p.Flags,
        ["pkt.mark"] = p => p.PktMark,
        ["ct_mark"] = p => p.CtMark,
        ["ct_label"] = p => p.CtLabel,
        ["ct_state"] = p => (uint)p.CtState,
        ["eth.src"] = p => p.EthSrc.Value,
        ["eth.dst"] = p => p.EthDst.Value,
        ["eth.type"] = p => p.EthType,
        ["vlan.tci"] = p => p.VlanTci,
        ["ip.proto"] = p => p.IpProto,
        ["ip.dscp"] = p => p.IpDscp,
        ["ip.ecn"] = p => p.IpEcn,
        ["ip.ttl"] = p => p.IpTtl,
        ["ip.frag"] = p => p.IpFrag,
        ["ip4.src"] = p => V4(p.IpSrc),
        ["ip4.dst"] = p => V4(p.IpDst),
        ["ip6.src"] = p => V6(p.IpSrc),
        ["ip6.dst"] = p => V6(p.IpDst),
        ["ip6.label"] = p => p.Ip6Label,
        ["icmp4.type"] = p => p.IcmpType,
        ["icmp4.code"] = p => p.IcmpCode,
        ["icmp6.type"] = p => p.IcmpType,
        ["icmp6.code"] = p => p.IcmpCode,
        ["arp.op"] = p => p.ArpOp,
        ["arp.spa"] = p => V4(p.ArpSpa),
        ["arp.tpa"] = p => V4(p.ArpTpa),
        ["arp.sha"] = p => p.ArpSha.Value,
        ["arp.tha"] = p => p.ArpTha.Value,
        ["rarp.op"] = p => p.ArpOp,
        ["rarp.spa"] = p => V4(p.ArpSpa),
        ["rarp.tpa"] = p => V4(p.ArpTpa),
        ["rarp.sha"] = p => p.ArpSha.Value,
        ["rarp.tha"] = p => p.ArpTha.Value,
        ["nd.target"] = p => V6(p.NdTarget),
        ["nd.sll"] = p => p.NdSll.Value,
        ["nd.tll"] = p => p.NdTll.Value,
        ["tcp.src"] = p => p.L4Src,
        ["tcp.dst"] = p => p.L4Dst,
        ["tcp.flags"] = p => p.TcpFlags,
        ["udp.src"] = p => p.L4Src,
        ["udp.dst"] = p => p.L4Dst,
        ["sctp.src"] = p => p.L4Src,
        ["sctp.dst"] = p => p.L4Dst,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static string? String(string name, Packet packet) => name switch
    {
        "inport" => packet.Inport,
        "outport" => packet.Outport,
        _ => throw new MatchEvaluationException($"{name} is not a string field"),
    };

    /// <summary>The value of a field or subfield (not a predicate), right-aligned.</summary>
    public static UInt128 Integer(MatchSymbol symbol, Packet packet)
    {
        if (symbol.Parent is { } parent)
        {
            var whole = Integers[parent](packet);
            return (whole >> symbol.ParentOffset) & Ones(symbol.Width);
        }

        return Integers.TryGetValue(symbol.Name, out var read)
            ? read(packet)
            : throw new MatchEvaluationException($"field {symbol.Name} has no value in the packet model");
    }

    public static UInt128 Ones(int width) => width >= 128 ? UInt128.MaxValue : (UInt128.One << width) - 1;

    private static UInt128 V4(IPAddress? address) =>
        address is { AddressFamily: AddressFamily.InterNetwork } ? Ipv4Constant.FromAddress(address).Value : 0;

    private static UInt128 V6(IPAddress? address) =>
        address is { AddressFamily: AddressFamily.InterNetworkV6 } ? Ipv6Constant.FromAddress(address).Value : 0;
}
