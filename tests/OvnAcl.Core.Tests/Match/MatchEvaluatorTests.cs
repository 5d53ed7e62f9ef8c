using OvnAcl.Match;

namespace OvnAcl.Core.Tests.Match;

public sealed class MatchEvaluatorTests
{
    private static readonly MatchContext Context = MatchContext.Empty
        .WithAddressSet("as_web", "10.0.0.0/24", "192.168.1.7")
        .WithAddressSet("pg_web_ip4", "10.0.0.5")
        .WithAddressSet("pg_web_ip6", "fd00::5")
        .WithAddressSet("as_macs", "0a:00:00:00:00:01")
        .WithAddressSet("empty")
        .WithPortGroup("pg_web", "web-1", "web-2")
        .WithPortGroup("pg_none");

    private static readonly MatchEvaluator Evaluator = new(Context);

    private static readonly Packet Http = Packet.Tcp4("10.0.0.5", "10.0.1.9", 40000, 80) with
    {
        Inport = "web-1",
        Outport = "db-1",
        EthSrc = MacAddress.Parse("0a:00:00:00:00:01"),
        CtState = CtState.Tracked | CtState.Established,
    };

    private static readonly Packet Dns = Packet.Udp4("10.0.0.5", "10.0.1.9", 40000, 53) with { Inport = "web-1" };
    private static readonly Packet Arp = Packet.Arp(1, "10.0.0.5", "10.0.0.1");
    private static readonly Packet Http6 = Packet.Tcp6("fd00::5", "fd00::1:9", 40000, 443) with { Outport = "web-2" };

    public static TheoryData<string, string, bool> Cases => new()
    {
        // prerequisites: a field is only looked at where its prerequisites hold, and they are never negated
        { "tcp.dst == 80", nameof(Http), true },
        { "tcp.dst == 80", nameof(Dns), false },
        { "tcp.dst != 80", nameof(Dns), false },
        { "!(tcp.dst == 80)", nameof(Dns), false },
        { "!(tcp.dst == 80)", nameof(Http6), true },
        { "tcp.dst != 80", nameof(Arp), false },
        { "udp.dst == 53", nameof(Dns), true },
        { "ip4.src == 10.0.0.5", nameof(Arp), false },
        { "arp && arp.spa == 10.0.0.5 && arp.op == 1", nameof(Arp), true },
        { "!(ip4.src == 10.0.0.5)", nameof(Arp), false },
        // a negated Boolean predicate is a plain complement (OVN negates its annotated expansion)
        { "!ip4.mcast", nameof(Arp), true },
        { "ip", nameof(Arp), false },
        { "ip && tcp", nameof(Http6), true },
        { "icmp", nameof(Http), false },
        // sets: == any, != none
        { "tcp.dst == {22, 80}", nameof(Http), true },
        { "tcp.dst != {22, 80}", nameof(Http), false },
        { "tcp.dst != {22, 443}", nameof(Http), true },
        { "!(tcp.dst == {22, 443})", nameof(Http), true },
        { "!(tcp.dst != {22, 80})", nameof(Http), true },
        // masks and prefixes
        { "ip4.dst == 10.0.0.0/16", nameof(Http), true },
        { "ip4.dst == 10.0.0.0/24", nameof(Http), false },
        { "ip4.dst == 0.0.0.0/0", nameof(Http), true },
        { "ip4.dst != 0.0.0.0/0", nameof(Http), false },
        { "tcp.dst == 0x50/0xf0", nameof(Http), true },
        { "tcp.dst == 0x40/0xf0", nameof(Http), false },
        { "eth.src == 0a:00:00:00:00:00/ff:ff:ff:00:00:00", nameof(Http), true },
        { "tcp.dst[4..7] == 5", nameof(Http), true },
        { "tcp.dst[0..3] == 0", nameof(Http), true },
        // IPv6
        { "ip6 && ip6.src == fd00::/64 && tcp.dst == 443", nameof(Http6), true },
        { "ip6.dst == fd00::1:9", nameof(Http6), true },
        { "ip6.dst == fd00::/112", nameof(Http6), false },
        { "ip6.src == fd00::5", nameof(Http), false },
        // ranges
        { "1 <= tcp.dst <= 80", nameof(Http), true },
        { "1 <= tcp.dst < 80", nameof(Http), false },
        { "1024 < tcp.dst", nameof(Http), false },
        { "100 > tcp.dst > 79", nameof(Http), true },
        { "!(100 > tcp.dst > 80)", nameof(Http), true },
        { "!(1 <= tcp.dst <= 100)", nameof(Dns), false },
        { "tcp.src >= 32768 && tcp.dst < 1024", nameof(Http), true },
        // connection tracking
        { "ct.est && !ct.new", nameof(Http), true },
        { "ct.new", nameof(Http), false },
        { "!ct.new", nameof(Dns), false },
        { "ct.trk", nameof(Dns), false },
        { "!ct.trk", nameof(Dns), true },
        { "ct_mark.blocked == 0 && ct.est", nameof(Http), true },
        // port groups and address sets
        { "inport == @pg_web", nameof(Http), true },
        { "outport == @pg_web", nameof(Http), false },
        { "outport == @pg_web", nameof(Http6), true },
        { "inport == {@pg_web, \"x\"}", nameof(Dns), true },
        { "outport == @pg_none", nameof(Http), false },
        { "ip4.dst == $as_web", nameof(Http), false },
        { "ip4.src == $as_web", nameof(Http), true },
        { "ip4.src == $pg_web_ip4 && ip4.dst != $as_web", nameof(Http), true },
        { "ip6.src == $pg_web_ip6", nameof(Http6), true },
        { "eth.src == $as_macs", nameof(Http), true },
        // an empty set becomes a constant without prerequisites, as in OVN
        { "ip4.src == $empty", nameof(Http), false },
        { "ip4.src != $empty", nameof(Arp), true },
        // combinations and constants
        { "inport == @pg_web && ip4 && ip4.src == {$pg_web_ip4, $as_web} && tcp && 800 <= tcp.dst <= 850", nameof(Http), false },
        { "inport == @pg_web && ip4 && ip4.src == {$pg_web_ip4, $as_web} && tcp && 1 <= tcp.dst <= 850", nameof(Http), true },
        { "1", nameof(Arp), true },
        { "0 || !(1)", nameof(Arp), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluates_as_ovn(string match, string packet, bool expected)
    {
        var expression = MatchExpression.ParseChecked(match);
        Assert.Equal(expected, Evaluator.Evaluate(expression, PacketNamed(packet)));
        Assert.Equal(expected, Evaluator.Explain(expression, PacketNamed(packet)).Result);
    }

    [Fact]
    public void Registers_and_subregisters_overlay()
    {
        var packet = new Packet().WithRegister(0, 0xdeadbeef).WithRegister(3, 7);
        Assert.True(Evaluator.Evaluate(MatchExpression.ParseChecked("reg0 == 0xdeadbeef && reg3 == 7"), packet));
        Assert.True(Evaluator.Evaluate(MatchExpression.ParseChecked("xreg0 == 0xdeadbeef00000000 && xreg1 == 7"), packet));
        Assert.True(Evaluator.Evaluate(MatchExpression.ParseChecked("xxreg0 == 0xdeadbeef000000000000000000000007"), packet));
        Assert.True(Evaluator.Evaluate(MatchExpression.ParseChecked("reg0[0] == 1 && reg0[4] == 0 && !reg1"), packet));
    }

    [Fact]
    public void Explains_a_false_conjunction_by_its_first_false_conjunct()
    {
        var explanation = Evaluator.Explain(MatchExpression.ParseChecked("inport == @pg_web && ip4 && tcp && tcp.dst == 443"), Http);
        Assert.False(explanation.Result);
        Assert.Equal("tcp.dst == 443", explanation.DecisiveText);
        Assert.Equal("tcp.dst is 80", explanation.Reason);
    }

    [Fact]
    public void Explains_a_missing_prerequisite()
    {
        var explanation = Evaluator.Explain(MatchExpression.ParseChecked("ip4 && udp.dst == 53"), Http);
        Assert.Equal("udp.dst == 53", explanation.DecisiveText);
        Assert.Equal("prerequisite udp of udp.dst does not hold", explanation.Reason);
    }

    [Fact]
    public void Explains_a_true_disjunction_through_negation()
    {
        var explanation = Evaluator.Explain(MatchExpression.ParseChecked("!(ct.new && ct.est) || outport == @pg_web"), Http);
        Assert.True(explanation.Result);
        Assert.Equal(["!(ct.new && ct.est) || outport == @pg_web", "!(ct.new && ct.est)", "!ct.new"], explanation.Path.Select(MatchExpression.Print));
        Assert.Equal("ct.new is 0", explanation.Reason);
    }

    [Fact]
    public void Explains_a_true_conjunction_as_a_whole()
    {
        var explanation = Evaluator.Explain(MatchExpression.ParseChecked("ip4 && tcp"), Http);
        Assert.True(explanation.Result);
        Assert.Equal("ip4 && tcp", explanation.DecisiveText);
    }

    [Fact]
    public void Unknown_references_are_clear_errors()
    {
        var missingSet = Assert.Throws<MatchEvaluationException>(() => Evaluator.Evaluate(MatchExpression.Parse("ip4.src == $nope"), Http));
        Assert.Contains("$nope", missingSet.Message, StringComparison.Ordinal);
        var missingGroup = Assert.Throws<MatchEvaluationException>(() => Evaluator.Evaluate(MatchExpression.Parse("outport == @nope"), Http));
        Assert.Contains("@nope", missingGroup.Message, StringComparison.Ordinal);
        Assert.Throws<MatchEvaluationException>(() => Evaluator.Evaluate(MatchExpression.Parse("tcp.dstt == 1"), Http));
        Assert.Throws<MatchEvaluationException>(() => Evaluator.Evaluate(MatchExpression.Parse("ip4.src == $pg_web_ip6"), Http));
    }

    [Fact]
    public void Context_refuses_entries_ovn_would_not_read()
    {
        Assert.Throws<FormatException>(() => MatchContext.Empty.WithAddressSet("x", "10.0.0.300"));
    }

    [Fact]
    public void A_decimal_too_wide_for_ovn_is_refused_in_built_trees()
    {
        // Found by the round-trip property: such a tree printed text OVN (and Parse) cannot read back.
        var tree = MatchExpr.Compare("ct_label", RelationalOperator.Less, new IntegerConstant(UInt128.MaxValue));
        Assert.Equal(MatchDiagnosticCodes.DecimalTooLarge, Assert.Single(MatchExpression.Check(tree)).Code);
    }

    private static Packet PacketNamed(string name) => name switch
    {
        nameof(Http) => Http,
        nameof(Dns) => Dns,
        nameof(Arp) => Arp,
        nameof(Http6) => Http6,
        _ => throw new ArgumentException(name),
    };
}
