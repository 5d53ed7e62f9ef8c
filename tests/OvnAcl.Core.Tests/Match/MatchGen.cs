using FsCheck;
using FsCheck.Fluent;
using OvnAcl.Match;

namespace OvnAcl.Core.Tests.Match;

/// <summary>
/// Generators of semantically valid match trees (OVN would accept their printed form) and of packets and a context
/// that make the evaluator's comparisons hit as well as miss.
/// </summary>
internal static class MatchGen
{
    private static readonly string[] OrdinalFields = ["tcp.dst", "tcp.src", "udp.dst", "udp.src", "sctp.dst", "reg0", "reg7", "xreg2", "ct_mark", "ip.frag", "tcp.flags", "ip6.label", "pkt.mark", "vlan.vid", "ct_label"];
    private static readonly string[] NominalFields = ["eth.type", "ip.proto", "icmp4.type", "icmp6.type", "ip.ttl", "arp.op"];
    private static readonly string[] OneBitFields = ["ct.new", "ct.est", "ct.rel", "ct.rpl", "ct.inv", "ct.trk", "ct.dnat", "ct.snat", "ct_mark.blocked", "flags.loopback", "eth.mcast"];
    private static readonly string[] BooleanPredicates = ["eth.bcast", "vlan.present", "ip4.mcast", "ip.is_frag", "ip.first_frag", "eth.mcastv6"];
    private static readonly string[] NominalPredicates = ["ip", "ip4", "ip6", "tcp", "udp", "sctp", "icmp", "icmp4", "icmp6", "arp", "nd", "nd_ns", "igmp"];
    private static readonly ulong[] SmallIntegers = [0, 1, 6, 17, 22, 53, 80, 443, 800, 850, 8080, 0x800, 0x806, 0x86dd, 65535];
    private static readonly string[] Ipv4s = ["10.0.0.1", "10.0.0.2", "192.168.1.1", "0.0.0.0", "255.255.255.255"];
    private static readonly string[] Ipv4Prefixes = ["10.0.0.0/8", "10.0.0.0/24", "192.168.1.0/24", "0.0.0.0/0", "10.0.0.1/32"];
    private static readonly string[] Ipv6s = ["fd00::1", "fd00::2", "fe80::1", "::", "::ffff:10.0.0.1"];
    private static readonly string[] Ipv6Prefixes = ["fd00::/64", "fe80::/10", "::/0", "fd00::1/128"];
    private static readonly string[] Macs = ["0a:00:00:00:00:01", "0a:00:00:00:00:02", "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01"];
    private static readonly string[] Ports = ["p1", "p2", "p3"];
    private static readonly string[] Ipv4Sets = ["as_a", "as_b", "pg_web_ip4", "as_empty"];
    private static readonly string[] PortGroups = ["pg_web", "pg_db", "pg_empty"];

    public static MatchContext Context { get; } = MatchContext.Empty
        .WithAddressSet("as_a", "10.0.0.1", "10.0.0.0/24")
        .WithAddressSet("as_b", "192.168.1.0/24")
        .WithAddressSet("pg_web_ip4", "10.0.0.2")
        .WithAddressSet("as_empty")
        .WithAddressSet("as_v6", "fd00::/64")
        .WithPortGroup("pg_web", "p1")
        .WithPortGroup("pg_db", "p2", "p3")
        .WithPortGroup("pg_empty");

    public static Gen<MatchExpr> Expression { get; } = Gen.Sized(size => Expr(size, negated: false));

    /// <summary>Trees for round trips: besides <see cref="Expression"/>'s, odd constants (huge hex, escapes, odd names).</summary>
    public static Gen<MatchExpr> PrintableExpression { get; } = Gen.Frequency(
        (4, Expression),
        (1, Gen.Sized(size => Expr(size, negated: false)).SelectMany(e => OddLeaf.Select(l => (MatchExpr)new AndExpr([e, l])))));

    public static Gen<Packet> Packet { get; } =
        from kind in Gen.Choose(0, 6)
        from v4 in Gen.Elements(Ipv4s).Two()
        from v6 in Gen.Elements(Ipv6s).Two()
        from ports in Gen.Elements(SmallIntegers.Where(i => i <= 65535).ToArray()).Two()
        from ct in Gen.Choose(0, 255)
        from inport in Gen.Elements<string?>("p1", "p2", "p3", null)
        from outport in Gen.Elements<string?>("p1", "p2", "p3", null)
        from macs in Gen.Elements(Macs).Two()
        from reg0 in Gen.Elements(0u, 1u, 80u, 0xffu, 0x10u)
        from mark in Gen.Elements(0u, 1u, 2u)
        from frag in Gen.Choose(0, 3)
        from icmpType in Gen.Elements<byte>(0, 8, 128, 135)
        select Build(kind, v4, v6, ports, ct, inport, outport, macs, reg0, mark, frag, icmpType);

    private static Packet Build(
        int kind, (string, string) v4, (string, string) v6, (ulong, ulong) ports, int ct, string? inport, string? outport,
        (string, string) macs, uint reg0, uint mark, int frag, byte icmpType)
    {
        var packet = kind switch
        {
            0 => OvnAcl.Match.Packet.Tcp4(v4.Item1, v4.Item2, (ushort)ports.Item1, (ushort)ports.Item2),
            1 => OvnAcl.Match.Packet.Udp4(v4.Item1, v4.Item2, (ushort)ports.Item1, (ushort)ports.Item2),
            2 => OvnAcl.Match.Packet.Ping(v4.Item1, v4.Item2) with { IcmpType = icmpType },
            3 => OvnAcl.Match.Packet.Tcp6(v6.Item1, v6.Item2, (ushort)ports.Item1, (ushort)ports.Item2),
            4 => OvnAcl.Match.Packet.Udp6(v6.Item1, v6.Item2, (ushort)ports.Item1, (ushort)ports.Item2),
            5 => OvnAcl.Match.Packet.Ping(v6.Item1, v6.Item2) with { IcmpType = icmpType, IpTtl = 255 },
            _ => OvnAcl.Match.Packet.Arp(1, v4.Item1, v4.Item2),
        };
        return packet.WithRegister(0, reg0) with
        {
            CtState = (CtState)ct,
            Inport = inport,
            Outport = outport,
            EthSrc = MacAddress.Parse(macs.Item1),
            EthDst = MacAddress.Parse(macs.Item2),
            CtMark = mark,
            IpFrag = (byte)frag,
            VlanTci = (ushort)(ports.Item1 & 0x1fff),
        };
    }

    private static Gen<MatchExpr> Expr(int size, bool negated)
    {
        if (size <= 1)
        {
            return Leaf(negated);
        }

        var operands = Gen.Choose(2, 4).SelectMany(n => Gen.ArrayOf(Expr(size / 3, negated), n));
        return Gen.Frequency(
            (3, Leaf(negated)),
            (2, operands.Select(o => (MatchExpr)new AndExpr([.. o]))),
            (2, operands.Select(o => (MatchExpr)new OrExpr([.. o]))),
            (1, Expr(size / 2, !negated).Select(e => (MatchExpr)new NotExpr(e))));
    }

    private static Gen<MatchExpr> Leaf(bool negated) => Gen.Frequency(
        (1, Gen.Elements(true, false).Select(b => (MatchExpr)new BoolExpr(b))),
        (4, OrdinalComparison()),
        (2, RangeOn(Gen.Elements(OrdinalFields))),
        (3, AddressComparison("ip4.src", Ipv4s, Ipv4Prefixes, Ipv4Sets)),
        (2, AddressComparison("ip4.dst", Ipv4s, Ipv4Prefixes, Ipv4Sets)),
        (2, AddressComparison("ip6.src", Ipv6s, Ipv6Prefixes, ["as_v6"])),
        (1, AddressComparison("arp.spa", Ipv4s, Ipv4Prefixes, ["as_a"])),
        (2, MacComparison()),
        (3, NominalComparison(negated)),
        (3, PortComparison(negated)),
        (3, Gen.Elements(OneBitFields.Concat(BooleanPredicates).ToArray()).Select(f => (MatchExpr)MatchExpr.Test(f))),
        (negated ? 0 : 3, Gen.Elements(NominalPredicates).Select(f => (MatchExpr)MatchExpr.Test(f))),
        (1, Gen.Elements(0, 1).SelectMany(b => Gen.Elements(OneBitFields).Select(f => (MatchExpr)MatchExpr.Eq(f, new IntegerConstant((ulong)b))))),
        (negated ? 1 : 0, Gen.Elements(NominalFields).Select(f => (MatchExpr)MatchExpr.Test(f))));

    private static int Width(string field) => MatchSymbols.Find(field)!.Width;

    private static Gen<IntegerConstant> IntegerFor(int width) =>
        Gen.Frequency(
            (3, Gen.Elements(SmallIntegers).Where(v => width >= 64 || v < 1UL << width).Select(v => (UInt128)v)),
            (1, Gen.Choose(0, int.MaxValue).Two().Select(p => ((UInt128)(uint)p.Item1 << 97) ^ ((UInt128)(uint)p.Item2 << 31) ^ (uint)p.Item1)
                .Select(v => width >= 128 ? v : v & ((UInt128.One << width) - 1))))
        .SelectMany(v => (v > ulong.MaxValue ? Gen.Constant(true) : Gen.Elements(true, false)).Select(hex => new IntegerConstant(v, hex)));

    private static Gen<MatchExpr> OrdinalComparison() =>
        from field in Gen.Elements(OrdinalFields)
        from bits in Gen.Frequency((4, Gen.Constant<BitRange?>(null)), (1, BitsOf(Width(field))))
        let width = bits?.Width ?? Width(field)
        from op in Gen.Elements(Enum.GetValues<RelationalOperator>())
        from value in op is RelationalOperator.Equal or RelationalOperator.NotEqual
            ? Gen.Frequency(
                (3, IntegerFor(width).Select(c => (MatchValue)c)),
                (1, Gen.NonEmptyListOf(IntegerFor(width)).Select(cs => (MatchValue)new ValueSet(cs))),
                (1, IntegerFor(width).Two().Select(p => (MatchValue)new MaskedConstant(
                    new IntegerConstant(p.Item1.Value & p.Item2.Value, Hexadecimal: true), p.Item2 with { Hexadecimal = true }))))
            : IntegerFor(width).Select(c => (MatchValue)c)
        select (MatchExpr)new ComparisonExpr(new FieldRef(field, bits), op, value);

    private static Gen<BitRange?> BitsOf(int width) =>
        Gen.Choose(0, width - 1).Two().Select(p => (BitRange?)new BitRange(Math.Min(p.Item1, p.Item2), Math.Max(p.Item1, p.Item2)));

    private static Gen<MatchExpr> RangeOn(Gen<string> fields) =>
        from field in fields
        from values in IntegerFor(Width(field)).Two()
        from upward in Gen.Elements(true, false)
        from ops in Gen.Elements(0, 1).Two()
        let low = ops.Item1 == 0 ? (upward ? RelationalOperator.Less : RelationalOperator.Greater) : (upward ? RelationalOperator.LessOrEqual : RelationalOperator.GreaterOrEqual)
        let high = ops.Item2 == 0 ? (upward ? RelationalOperator.Less : RelationalOperator.Greater) : (upward ? RelationalOperator.LessOrEqual : RelationalOperator.GreaterOrEqual)
        select (MatchExpr)new RangeExpr(values.Item1, low, new FieldRef(field), high, values.Item2);

    private static Gen<MatchExpr> AddressComparison(string field, string[] addresses, string[] prefixes, string[] sets)
    {
        var constant = Gen.Frequency(
            (3, Gen.Elements(addresses).Select(a => (MatchConstant)NumericLiteral.ParseEntry(a))),
            (2, Gen.Elements(prefixes).Select(p => (MatchConstant)PrefixConstant.Parse(p))),
            (2, Gen.Elements(sets).Select(s => (MatchConstant)new AddressSetRef(s))));
        return from op in Gen.Frequency((4, Gen.Elements(RelationalOperator.Equal, RelationalOperator.NotEqual)), (1, Gen.Elements(RelationalOperator.Less, RelationalOperator.GreaterOrEqual)))
               from value in op.IsOrdering()
                   ? Gen.Elements(addresses).Select(a => (MatchValue)NumericLiteral.ParseEntry(a))
                   : Gen.Frequency((3, constant.Select(c => (MatchValue)c)), (1, Gen.NonEmptyListOf(constant).Select(cs => (MatchValue)new ValueSet(cs))))
               select (MatchExpr)MatchExpr.Compare(field, op, value);
    }

    private static Gen<MatchExpr> MacComparison() =>
        from field in Gen.Elements("eth.src", "eth.dst")
        from op in Gen.Elements(RelationalOperator.Equal, RelationalOperator.NotEqual)
        from value in Gen.Frequency(
            (3, Gen.Elements(Macs).Select(m => (MatchValue)MacConstant.Parse(m))),
            (1, Gen.Constant((MatchValue)new MaskedConstant(MacConstant.Parse("01:00:00:00:00:00"), MacConstant.Parse("01:00:00:00:00:00")))))
        select (MatchExpr)MatchExpr.Compare(field, op, value);

    // Nominal fields only in a positive sense: == outside an odd number of '!', != inside.
    private static Gen<MatchExpr> NominalComparison(bool negated) =>
        from field in Gen.Elements(NominalFields)
        from values in Gen.NonEmptyListOf(Gen.Elements(SmallIntegers).Where(v => v < 1UL << Width(field)).Select(v => new IntegerConstant(v, v > 255)))
        select (MatchExpr)MatchExpr.Compare(
            field,
            negated ? RelationalOperator.NotEqual : RelationalOperator.Equal,
            values.Count == 1 ? values[0] : new ValueSet(values));

    private static Gen<MatchExpr> PortComparison(bool negated)
    {
        var constant = Gen.Frequency(
            (2, Gen.Elements(Ports).Select(p => (MatchConstant)new StringConstant(p))),
            (2, Gen.Elements(PortGroups).Select(g => (MatchConstant)new PortGroupRef(g))));
        return from field in Gen.Elements("inport", "outport")
               from value in Gen.Frequency((3, constant.Select(c => (MatchValue)c)), (1, Gen.NonEmptyListOf(constant).Select(cs => (MatchValue)new ValueSet(cs))))
               select (MatchExpr)MatchExpr.Compare(field, negated ? RelationalOperator.NotEqual : RelationalOperator.Equal, value);
    }

    private static Gen<MatchExpr> OddLeaf => Gen.OneOf(
        Gen.Elements("a\"b", "back\\slash", "tab\there", "ünï", "\u0001", "", "line\nbreak", "/*x*/", "x // y")
            .Select(s => (MatchExpr)MatchExpr.Eq("outport", new StringConstant(s))),
        Gen.Choose(0, int.MaxValue).Two().Select(p => (MatchExpr)MatchExpr.Eq("xxreg0", new IntegerConstant(((UInt128)(uint)p.Item1 << 100) | (uint)p.Item2, Hexadecimal: true))),
        Gen.Elements("ip4.src == $a.b_c", "ip4.src == $_x9", "outport == @.pg", "ct_label[96..127] == 0x1 && reg15[31] == 1", "ip6.dst == ::ffff:1.2.3.4/128")
            .Select(t => MatchExpression.Parse(t)));
}
