using System.Net;

namespace OvnAcl.Core.Tests.Kubernetes.Datapath;

/// <summary>The packets the sandbox sends, without processes: their datapath flow text, replies, and how a captured frame is recognised.</summary>
public sealed class DatapathPacketTests
{
    private static readonly DatapathPacket Syn = new()
    {
        Protocol = DatapathProtocol.Tcp,
        EthSrc = "0a:58:0a:f4:00:01",
        EthDst = "0a:58:0a:f4:00:02",
        IpSrc = IPAddress.Parse("10.244.0.11"),
        IpDst = IPAddress.Parse("10.244.0.12"),
        SourcePort = 40000,
        DestinationPort = 80,
    };

    [Fact]
    public void Flow_text_is_what_netdev_dummy_receive_composes_a_frame_from()
    {
        Assert.Equal(
            "eth(src=0a:58:0a:f4:00:01,dst=0a:58:0a:f4:00:02),eth_type(0x0800),ipv4(src=10.244.0.11,dst=10.244.0.12,proto=6,tos=0,ttl=64,frag=no),tcp(src=40000,dst=80),tcp_flags(0x002)",
            Syn.ToOdpFlow());
        var ping6 = Syn with { Protocol = DatapathProtocol.Icmp, IpSrc = IPAddress.Parse("fd00::1"), IpDst = IPAddress.Parse("fd00::2") };
        Assert.EndsWith("ipv6(src=fd00::1,dst=fd00::2,label=0,proto=58,tclass=0,hlimit=64,frag=no),icmpv6(type=128,code=0)", ping6.ToOdpFlow(), StringComparison.Ordinal);
        Assert.EndsWith("icmpv6(type=129,code=0)", ping6.Reply().ToOdpFlow(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => (Syn with { IpDst = IPAddress.Parse("fd00::2") }).ToOdpFlow());
    }

    [Fact]
    public void A_syn_is_answered_by_a_syn_ack_the_other_way()
    {
        var reply = Syn.Reply();
        Assert.Equal((Syn.EthDst, Syn.IpDst, 80, 40000, DatapathPacket.TcpSynAck), (reply.EthSrc, reply.IpSrc, reply.SourcePort, reply.DestinationPort, reply.TcpFlags));
        Assert.Equal(Syn with { TcpFlags = DatapathPacket.TcpSynAck }, reply.Reply());
    }

    [Fact]
    public void A_captured_frame_matches_by_addresses_ports_and_flags_not_by_macs()
    {
        var frame = Frame(src: [10, 244, 0, 11], dst: [10, 244, 0, 12], sourcePort: 40000, destinationPort: 80, flags: 0x02);
        Assert.True(Syn.Matches(frame));
        Assert.True((Syn with { EthDst = "0a:58:0a:f4:00:99" }).Matches(frame));  // a router rewrites MACs
        Assert.False((Syn with { SourcePort = 40001 }).Matches(frame));
        Assert.False(Syn.Reply().Matches(frame));
        Assert.False((Syn with { TcpFlags = DatapathPacket.TcpSynAck }).Matches(frame));
        Assert.False((Syn with { Protocol = DatapathProtocol.Udp }).Matches(frame));
        Assert.False(Syn.Matches(frame.AsSpan(0, 20)));
    }

    // Ethernet + IPv4 (20 bytes) + TCP (20 bytes), checksums left zero: Matches does not look at them.
    private static byte[] Frame(byte[] src, byte[] dst, int sourcePort, int destinationPort, byte flags)
    {
        var frame = new byte[14 + 20 + 20];
        frame[12] = 0x08;
        frame[14] = 0x45;
        frame[14 + 8] = 64;
        frame[14 + 9] = 6;
        src.CopyTo(frame, 14 + 12);
        dst.CopyTo(frame, 14 + 16);
        var tcp = 14 + 20;
        (frame[tcp], frame[tcp + 1], frame[tcp + 2], frame[tcp + 3]) = ((byte)(sourcePort >> 8), (byte)sourcePort, (byte)(destinationPort >> 8), (byte)destinationPort);
        frame[tcp + 12] = 0x50;
        frame[tcp + 13] = flags;
        return frame;
    }
}
