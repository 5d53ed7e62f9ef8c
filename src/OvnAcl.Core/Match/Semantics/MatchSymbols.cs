using System.Collections.Frozen;

namespace OvnAcl.Match;

/// <summary>
/// The symbols a logical-flow match may use, with widths, levels, prerequisites and predicate expansions as OVN
/// 23.03 defines them (ovn-sb(5) and ovn/lib/logical-fields.c).
/// </summary>
internal static class MatchSymbols
{
    private static readonly FrozenDictionary<string, MatchSymbol> Table = Build().ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);
    private static readonly FrozenDictionary<string, SymbolLevel> PredicateLevels = ComputePredicateLevels();

    public static IEnumerable<MatchSymbol> All => Table.Values;

    public static MatchSymbol? Find(string name) => Table.GetValueOrDefault(name);

    /// <summary>A predicate's level is the lowest over the symbols its expansion compares (expr_get_level).</summary>
    public static SymbolLevel LevelOf(MatchSymbol symbol) =>
        symbol.IsPredicate ? PredicateLevels[symbol.Name] : symbol.DeclaredLevel;

    private static FrozenDictionary<string, SymbolLevel> ComputePredicateLevels()
    {
        var levels = new Dictionary<string, SymbolLevel>(StringComparer.Ordinal);
        foreach (var symbol in Table.Values.Where(s => s.IsPredicate))
        {
            levels[symbol.Name] = Compute(symbol);
        }

        return levels.ToFrozenDictionary(StringComparer.Ordinal);

        SymbolLevel Compute(MatchSymbol predicate)
        {
            if (levels.TryGetValue(predicate.Name, out var known))
            {
                return known;
            }

            var level = SymbolLevel.Boolean;
            foreach (var name in Leaves(predicate.Expansion!))
            {
                var symbol = Table[name];
                var leafLevel = symbol.IsPredicate ? Compute(symbol) : symbol.DeclaredLevel;
                if (leafLevel == SymbolLevel.Nominal)
                {
                    level = SymbolLevel.Nominal;
                }
            }

            levels[predicate.Name] = level;
            return level;
        }
    }

    private static IEnumerable<string> Leaves(MatchExpr expression) => expression switch
    {
        NotExpr x => Leaves(x.Operand),
        AndExpr x => x.Operands.SelectMany(Leaves),
        OrExpr x => x.Operands.SelectMany(Leaves),
        ComparisonExpr x => [x.Field.Name],
        RangeExpr x => [x.Field.Name],
        FieldTestExpr x => [x.Field.Name],
        _ => [],
    };

    private static List<MatchSymbol> Build()
    {
        const SymbolLevel N = SymbolLevel.Nominal;
        const SymbolLevel O = SymbolLevel.Ordinal;
        var s = new List<MatchSymbol>();

        void Field(string name, int width, SymbolLevel level, string? prereq = null, AddressKind kind = AddressKind.None) =>
            s.Add(new MatchSymbol(name, width, level, kind, prereq));
        void Sub(string name, string parent, int offset, int width, string? prereq = null) =>
            s.Add(new MatchSymbol(name, width, O, AddressKind.None, prereq, parent: parent, parentOffset: offset));
        void Predicate(string name, string expansion) =>
            s.Add(new MatchSymbol(name, 1, SymbolLevel.Boolean, predicate: expansion));

        Field("inport", 0, N);
        Field("outport", 0, N);

        // xxregN overlays regs 4N..4N+3, the lowest-numbered register holding the most significant bits.
        for (var i = 0; i < 4; i++)
        {
            Field($"xxreg{i}", 128, O);
        }

        for (var i = 0; i < 8; i++)
        {
            Sub($"xreg{i}", $"xxreg{i / 2}", 64 * (1 - (i % 2)), 64);
        }

        for (var i = 0; i < 16; i++)
        {
            Sub($"reg{i}", $"xxreg{i / 4}", 32 * (3 - (i % 4)), 32);
        }

        Field("flags", 32, O);
        Sub("flags.loopback", "flags", 0, 1);
        Field("pkt.mark", 32, O);

        Field("ct_mark", 32, O);
        Sub("ct_mark.blocked", "ct_mark", 0, 1);
        Sub("ct_mark.natted", "ct_mark", 1, 1);
        Field("ct_label", 128, O);
        Sub("ct_label.blocked", "ct_label", 0, 1);
        Sub("ct_label.label", "ct_label", 96, 32);
        Field("ct_state", 32, O);
        string[] ctBits = ["new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"];
        for (var bit = 0; bit < ctBits.Length; bit++)
        {
            Sub("ct." + ctBits[bit], "ct_state", bit, 1, ctBits[bit] == "trk" ? null : "ct.trk");
        }

        Field("eth.src", 48, O, kind: AddressKind.Mac);
        Field("eth.dst", 48, O, kind: AddressKind.Mac);
        Field("eth.type", 16, N);
        Predicate("eth.bcast", "eth.dst == ff:ff:ff:ff:ff:ff");
        Sub("eth.mcast", "eth.dst", 40, 1);
        Predicate("eth.mcastv6", "eth.dst[32..47] == 0x3333");

        Field("vlan.tci", 16, O);
        Predicate("vlan.present", "vlan.tci[12]");
        Sub("vlan.pcp", "vlan.tci", 13, 3, "vlan.present");
        Sub("vlan.vid", "vlan.tci", 0, 12, "vlan.present");

        Predicate("ip4", "eth.type == 0x800");
        Predicate("ip6", "eth.type == 0x86dd");
        Predicate("ip", "ip4 || ip6");
        Field("ip.proto", 8, N, "ip");
        Field("ip.dscp", 6, N, "ip");
        Field("ip.ecn", 2, N, "ip");
        Field("ip.ttl", 8, N, "ip");
        Field("ip.frag", 2, O, "ip");
        Predicate("ip.is_frag", "ip.frag[0]");
        Predicate("ip.later_frag", "ip.frag[1]");
        Predicate("ip.first_frag", "ip.is_frag && !ip.later_frag");

        Field("ip4.src", 32, O, "ip4", AddressKind.Ipv4);
        Field("ip4.dst", 32, O, "ip4", AddressKind.Ipv4);
        Predicate("ip4.src_mcast", "ip4.src[28..31] == 0xe");
        Predicate("ip4.mcast", "ip4.dst[28..31] == 0xe");

        Predicate("icmp4", "ip4 && ip.proto == 1");
        Field("icmp4.type", 8, N, "icmp4");
        Field("icmp4.code", 8, N, "icmp4");
        Predicate("igmp", "ip4.mcast && ip.proto == 2");

        Field("ip6.src", 128, O, "ip6", AddressKind.Ipv6);
        Field("ip6.dst", 128, O, "ip6", AddressKind.Ipv6);
        Field("ip6.label", 20, O, "ip6");
        Predicate("ip6.mcast_rsvd", "ip6.dst[116..127] == 0xff0 && ip6.dst[0..111] == 0x0");
        Predicate("ip6.mcast_all_nodes", "ip6.dst == ff01::1 || ip6.dst == ff02::1");
        Predicate("ip6.mcast_all_rtrs", "ip6.dst == ff01::2 || ip6.dst == ff02::2 || ip6.dst == ff05::2");
        Predicate("ip6.mcast_sol_node", "ip6.dst == ff02::1:ff00:0/104");
        Predicate("ip6.mcast_flood", "eth.mcastv6 && (ip6.mcast_rsvd || ip6.mcast_all_nodes || ip6.mcast_all_rtrs || ip6.mcast_sol_node)");
        Predicate("ip6.mcast", "eth.mcastv6 && ip6.dst[120..127] == 0xff");

        Predicate("icmp6", "ip6 && ip.proto == 58");
        Field("icmp6.type", 8, N, "icmp6");
        Field("icmp6.code", 8, N, "icmp6");
        Predicate("icmp", "icmp4 || icmp6");

        Predicate("arp", "eth.type == 0x806");
        Field("arp.op", 16, N, "arp");
        Field("arp.spa", 32, O, "arp", AddressKind.Ipv4);
        Field("arp.tpa", 32, O, "arp", AddressKind.Ipv4);
        Field("arp.sha", 48, O, "arp", AddressKind.Mac);
        Field("arp.tha", 48, O, "arp", AddressKind.Mac);
        Predicate("rarp", "eth.type == 0x8035");
        Field("rarp.op", 16, N, "rarp");
        Field("rarp.spa", 32, O, "rarp", AddressKind.Ipv4);
        Field("rarp.tpa", 32, O, "rarp", AddressKind.Ipv4);
        Field("rarp.sha", 48, O, "rarp", AddressKind.Mac);
        Field("rarp.tha", 48, O, "rarp", AddressKind.Mac);

        Predicate("nd", "icmp6.type == {135, 136} && icmp6.code == 0 && ip.ttl == 255");
        Predicate("nd_ns", "icmp6.type == 135 && icmp6.code == 0 && ip.ttl == 255");
        Predicate("nd_ns_mcast", "ip6.mcast && icmp6.type == 135 && icmp6.code == 0 && ip.ttl == 255");
        Predicate("nd_na", "icmp6.type == 136 && icmp6.code == 0 && ip.ttl == 255");
        Predicate("nd_rs", "icmp6.type == 133 && icmp6.code == 0 && ip.ttl == 255");
        Predicate("nd_ra", "icmp6.type == 134 && icmp6.code == 0 && ip.ttl == 255");
        Field("nd.target", 128, O, "nd", AddressKind.Ipv6);
        Field("nd.sll", 48, O, "nd_ns", AddressKind.Mac);
        Field("nd.tll", 48, O, "nd_na", AddressKind.Mac);

        Predicate("mldv1", "eth.mcastv6 && ip6.src == fe80::/10 && icmp6.type == {130, 131, 132}");
        Predicate("mldv2", "eth.mcastv6 && ip6.dst == ff02::16 && icmp6.type == 143");

        Predicate("tcp", "ip.proto == 6");
        Field("tcp.src", 16, O, "tcp");
        Field("tcp.dst", 16, O, "tcp");
        Field("tcp.flags", 12, O, "tcp");
        Predicate("udp", "ip.proto == 17");
        Field("udp.src", 16, O, "udp");
        Field("udp.dst", 16, O, "udp");
        Predicate("sctp", "ip.proto == 132");
        Field("sctp.src", 16, O, "sctp");
        Field("sctp.dst", 16, O, "sctp");
        return s;
    }
}
