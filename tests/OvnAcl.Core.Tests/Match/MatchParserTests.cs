using OvnAcl.Match;

namespace OvnAcl.Core.Tests.Match;

public sealed class MatchParserTests
{
    /// <summary>Matches as ovn-kubernetes and Neutron write them: they must print back exactly as written.</summary>
    public static TheoryData<string> RealMatches => new()
    {
        "outport == @a14732335573298357347 && ip4 && ip4.src == {$a10372313938484063478, $a12836958380284545313} && tcp && 800 <= tcp.dst <= 850",
        "inport == @a1234 && ip4",
        "outport == @pg_1c3b4e7c_0f1d_4c1e_9b7f_0123456789ab && ip4 && ip4.src == $pg_8e5f3b2a_1111_2222_3333_444455556666_ip4 && tcp && tcp.dst >= 80 && tcp.dst <= 90",
        "inport == @pg_1c3b4e7c_0f1d_4c1e_9b7f_0123456789ab && ip6 && ip6.dst == fd00::/64 && udp && udp.dst == 53",
        "outport == @neutron_pg_drop && ip",
        "inport == @neutron_pg_drop && (arp || ip)",
        "ip4.mcast || (ip6.mcast && !eth.bcast)",
        "ct.est && !ct.rel && !ct.new && !ct.inv && ct.rpl && ct_mark.blocked == 0",
        "!ct.est || (ct.est && ct_mark.blocked == 1)",
        "ip4.src == 10.0.0.0/8 && ip4.dst != {10.1.0.0/16, 192.168.0.1}",
        "eth.src == 0a:58:0a:f4:00:05 && eth.type == 0x800",
        "reg0[8] == 1 && reg0[0..3] != 0x5/0xf",
        "outport == \"lsp-1\" && ip6.src == fe80::1",
        "icmp4.type == 8 && icmp4.code == 0",
        "1",
        "0",
        "!(tcp.dst == 80)",
        "65535 > tcp.src > 1024",
    };

    [Theory]
    [MemberData(nameof(RealMatches))]
    public void Real_matches_print_as_written_and_check_clean(string text)
    {
        var expression = MatchExpression.Parse(text);
        Assert.Equal(text, MatchExpression.Print(expression));
        Assert.Empty(MatchExpression.Check(expression));
        Assert.Equal(expression, MatchExpression.Parse(MatchExpression.Print(expression)));
    }

    [Theory]
    [InlineData("tcp.dst==80", "tcp.dst == 80")]
    [InlineData("  tcp &&  tcp.dst == 80 // port\n", "tcp && tcp.dst == 80")]
    [InlineData("tcp /* c */ && udp", "tcp && udp")]
    [InlineData("80 == tcp.dst", "tcp.dst == 80")]
    [InlineData("80 < tcp.dst", "tcp.dst > 80")]
    [InlineData("eth.type == 0X0800", "eth.type == 0x800")]
    [InlineData("eth.src == 0A:58:0A:F4:00:05", "eth.src == 0a:58:0a:f4:00:05")]
    [InlineData("ip6.src == FD00:0:0:0:0:0:0:1", "ip6.src == fd00::1")]
    [InlineData("ip6.dst == ::ffff:1.2.3.4", "ip6.dst == ::ffff:1.2.3.4")]
    [InlineData("tcp.dst == {443 80 80,}", "tcp.dst == {80, 443}")]
    [InlineData("ip4.src == {$b, 10.0.0.1, $a}", "ip4.src == {10.0.0.1, $a, $b}")]
    [InlineData("true", "1")]
    [InlineData("false || tcp", "0 || tcp")]
    [InlineData("((tcp))", "tcp")]
    [InlineData("(tcp && udp) && sctp", "(tcp && udp) && sctp")]
    [InlineData("tcp && (udp && sctp)", "tcp && (udp && sctp)")]
    [InlineData("!(!ct.est)", "!(!ct.est)")]
    [InlineData("!(ct.est)", "!ct.est")]
    [InlineData("reg0[3..3] == 1", "reg0[3] == 1")]
    [InlineData("outport == \"a\\\"b\\u0001\"", "outport == \"a\\\"b\\u0001\"")]
    public void Prints_canonically(string text, string canonical)
    {
        var expression = MatchExpression.Parse(text);
        Assert.Equal(canonical, MatchExpression.Print(expression));
        Assert.Equal(expression, MatchExpression.Parse(canonical));
    }

    [Fact]
    public void Builds_the_tree_ovn_means()
    {
        var parsed = MatchExpression.Parse("inport == @pg && ip4 && 800 <= tcp.dst <= 850");
        MatchExpr expected = new AndExpr(
        [
            MatchExpr.Eq("inport", new PortGroupRef("pg")),
            MatchExpr.Test("ip4"),
            new RangeExpr(new IntegerConstant(800), RelationalOperator.LessOrEqual, new FieldRef("tcp.dst"), RelationalOperator.LessOrEqual, new IntegerConstant(850)),
        ]);
        Assert.Equal(expected, parsed);
        Assert.Equal(expected.GetHashCode(), parsed.GetHashCode());
    }

    [Fact]
    public void Constants_keep_their_form()
    {
        var e = (ComparisonExpr)MatchExpression.Parse("ip4.src == 10.0.0.0/8");
        Assert.Equal(new PrefixConstant(new Ipv4Constant(0x0a000000), 8), e.Value);
        e = (ComparisonExpr)MatchExpression.Parse("reg0 == 0x10/0xf0");
        Assert.Equal(new MaskedConstant(new IntegerConstant(0x10, true), new IntegerConstant(0xf0, true)), e.Value);
        e = (ComparisonExpr)MatchExpression.Parse("eth.dst == 01:00:00:00:00:00/01:00:00:00:00:00");
        Assert.Equal(new MaskedConstant(new MacConstant(0x010000000000), new MacConstant(0x010000000000)), e.Value);
        e = (ComparisonExpr)MatchExpression.Parse("xxreg0 == 0xffffffffffffffffffffffffffffffff");
        Assert.Equal(new IntegerConstant(UInt128.MaxValue, true), e.Value);
    }

    [Fact]
    public void Sets_are_equal_whatever_their_order()
    {
        Assert.Equal(MatchExpression.Parse("tcp.dst == {1, 2, 3}"), MatchExpression.Parse("tcp.dst == {3, 2, 1, 2}"));
        Assert.NotEqual(MatchExpression.Parse("tcp.dst == {1, 2}"), MatchExpression.Parse("tcp.dst == {1, 3}"));
    }

    [Fact]
    public void Syntax_errors_carry_position_and_expectation()
    {
        var ex = Assert.Throws<MatchSyntaxException>(() => MatchExpression.Parse("(tcp && tcp.dst == 80"));
        Assert.Equal(1, ex.Position.Line);
        Assert.Equal(22, ex.Position.Column);
        Assert.Contains("')'", ex.Expected);
        Assert.StartsWith("match: 1:22: OVNM0001: expected ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("found end of input", ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<OvnAclException>(ex);
    }

    [Fact]
    public void Positions_count_lines()
    {
        var ex = Assert.Throws<MatchSyntaxException>(() => MatchExpression.Parse("tcp &&\n  udp &&\n  )"));
        Assert.Equal(3, ex.Position.Line);
        Assert.Equal(3, ex.Position.Column);
    }

    [Fact]
    public void Parentheses_nest_as_deep_as_ovn_allows_and_no_deeper()
    {
        Assert.Equal(MatchExpression.Parse("ip4"), MatchExpression.Parse(new string('(', 100) + "ip4" + new string(')', 100)));
        var error = Assert.Throws<MatchSyntaxException>(() => MatchExpression.Parse("ip4 && " + new string('(', 100_000) + "ip4"));
        Assert.Equal(new TextPosition(107, 1, 108), error.Position);
        Assert.Contains("parentheses nested too deeply", error.Message, StringComparison.Ordinal);
        Assert.False(MatchExpression.TryParse("/* ( */ \"(\" == " + new string('(', 101) + "ip4", out _, out var diagnostics));
        Assert.Equal(8 + 7 + 100, Assert.Single(diagnostics).Location.Position!.Value.Offset);
    }
}
