using OvnAcl.Match;

namespace OvnAcl.Core.Tests.Match;

/// <summary>Malformed matches: each must be refused with the right code at the right place.</summary>
public sealed class MatchDiagnosticsTests
{
    public static TheoryData<string, string, int, string> Malformed => new()
    {
        // input, code, column, a piece of the message
        { "(tcp && udp", MatchDiagnosticCodes.Syntax, 12, "expected" },
        { "tcp && udp)", MatchDiagnosticCodes.Syntax, 11, "end of input" },
        // A function call is named as what it is, at its name, not as a misplaced '('.
        { "outport == \"lsp\" && is_chassis_resident(\"cr-lrp\")", MatchDiagnosticCodes.UnsupportedFunction, 21, "is_chassis_resident(...) is not supported" },
        { "ip4 && frobnicate (1)", MatchDiagnosticCodes.UnsupportedFunction, 8, "frobnicate(...) is not supported" },
        { "tcp &&", MatchDiagnosticCodes.Syntax, 7, "expected" },
        { "tcp.dst ==", MatchDiagnosticCodes.Syntax, 11, "constant" },
        { "tcp.dst == {}", MatchDiagnosticCodes.Syntax, 13, "constant" },
        { "tcp && udp || sctp", MatchDiagnosticCodes.Syntax, 12, "must be parenthesized" },
        { "!tcp.dst == 80", MatchDiagnosticCodes.Syntax, 15, "operand of '!'" },
        { "1 == tcp.dst == 2", MatchDiagnosticCodes.Syntax, 18, "range expressions" },
        { "tcp.dst == 080", MatchDiagnosticCodes.Syntax, 15, "leading zeros" },
        { "ip4.src == 1.2.3", MatchDiagnosticCodes.Syntax, 17, "invalid numeric constant" },
        { "outport == \"abc", MatchDiagnosticCodes.Syntax, 16, "closing" },
        { "tcp.dstt == 80", MatchDiagnosticCodes.UnknownField, 1, "unknown field 'tcp.dstt'" },
        { "ip4 && ip4.src == $bad-name", MatchDiagnosticCodes.InvalidName, 19, "'bad-name'" },
        { "outport == @9pg", MatchDiagnosticCodes.InvalidName, 12, "'9pg'" },
        { "ip4.src == 10.0.0.0/33", MatchDiagnosticCodes.PrefixTooLong, 12, "prefix length 33" },
        { "ip6.src == fd00::/129", MatchDiagnosticCodes.PrefixTooLong, 12, "prefix length 129" },
        { "inport == \"a\"/3", MatchDiagnosticCodes.MaskOnString, 11, "cannot be masked" },
        { "tcp.dst == 70000", MatchDiagnosticCodes.ConstantTooWide, 12, "17-bit constant 70000" },
        { "tcp.dst == {80, 70000}", MatchDiagnosticCodes.ConstantTooWide, 17, "16-bit field tcp.dst" },
        { "inport == 5", MatchDiagnosticCodes.TypeMismatch, 11, "string field inport" },
        { "tcp.dst == \"80\"", MatchDiagnosticCodes.TypeMismatch, 12, "integer field tcp.dst" },
        { "ip4.src == $pg_ip4 && ip4.dst == @pg", MatchDiagnosticCodes.TypeMismatch, 34, "port group @pg" },
        { "ip4.src == 0a:00:00:00:00:01", MatchDiagnosticCodes.AddressKindMismatch, 12, "MAC constant" },
        { "eth.src == 10.0.0.1", MatchDiagnosticCodes.AddressKindMismatch, 12, "IPv4 constant" },
        { "ip.proto < 6", MatchDiagnosticCodes.OrderingOnNominal, 1, "nominal field ip.proto" },
        { "inport > \"a\"", MatchDiagnosticCodes.OrderingOnNominal, 1, "string field inport" },
        { "tcp.dst < {80, 90}", MatchDiagnosticCodes.OrderingOnSetOrMask, 11, "value sets" },
        { "ip4.src > 10.0.0.0/8", MatchDiagnosticCodes.OrderingOnSetOrMask, 11, "masked" },
        { "inport != \"a\"", MatchDiagnosticCodes.NominalInequality, 1, "nominal field inport" },
        { "!(ip.proto == 6)", MatchDiagnosticCodes.NominalInequality, 3, "taking enclosing '!'" },
        { "!tcp", MatchDiagnosticCodes.NominalPredicateNegated, 2, "nominal predicate tcp" },
        { "ip4 == 0", MatchDiagnosticCodes.NominalPredicateNegated, 1, "nominal predicate ip4" },
        { "tcp.dst", MatchDiagnosticCodes.BareMultibitField, 1, "explicit '!= 0'" },
        { "reg0[30..40] == 1", MatchDiagnosticCodes.InvalidSubfield, 1, "cannot select bits 30 to 40" },
        { "ip.proto[0] == 1", MatchDiagnosticCodes.InvalidSubfield, 1, "nominal field ip.proto" },
        { "inport[0] == 1", MatchDiagnosticCodes.InvalidSubfield, 1, "string field inport" },
        { "ip4.src == 10.0.0.1/8", MatchDiagnosticCodes.UnmaskedBits, 12, "outside its /8 prefix" },
        { "reg0 == 0x11/0x10", MatchDiagnosticCodes.UnmaskedBits, 9, "outside its mask" },
        { "eth.src == 0a:00:00:00:00:00/8", MatchDiagnosticCodes.IncompatibleMask, 12, "incompatible formats" },
        { "inport", MatchDiagnosticCodes.BareStringField, 1, "must be compared" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Refuses_with_code_and_position(string text, string code, int column, string message)
    {
        Assert.False(MatchExpression.TryParse(text, out var expression, out var diagnostics));
        Assert.Null(expression);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(code, diagnostic.Code);
        Assert.Equal(column, diagnostic.Location.Position?.Column);
        Assert.Equal(1, diagnostic.Location.Position?.Line);
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
    }

    /// <summary>The fuzz test found a call whose name is on the line before its '(' reported at column -13.</summary>
    [Theory]
    [InlineData("ip4 &&\r\n   frob\r\n(1)", 2, 4)]
    [InlineData("frob\n\n  (1)", 1, 1)]
    [InlineData("ip4 && frob\n(1)", 1, 8)]
    public void A_call_split_over_lines_is_placed_at_its_name(string text, int line, int column)
    {
        Assert.False(MatchExpression.TryParse(text, out _, out var diagnostics));
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(MatchDiagnosticCodes.UnsupportedFunction, diagnostic.Code);
        Assert.Equal((line, column), (diagnostic.Location.Position?.Line, diagnostic.Location.Position?.Column));
    }

    [Fact]
    public void Reports_every_problem_not_just_the_first()
    {
        var ex = Assert.Throws<MatchCheckException>(() => MatchExpression.ParseChecked("tcp.dstt == 1 && udp.dst == 70000 && outport == $x-y"));
        Assert.Equal(
            [MatchDiagnosticCodes.UnknownField, MatchDiagnosticCodes.ConstantTooWide, MatchDiagnosticCodes.TypeMismatch],
            ex.Diagnostics.Select(d => d.Code));
    }

    [Theory]
    [InlineData("!(inport != \"a\")")]
    [InlineData("!(ip.proto != 6)")]
    [InlineData("!reg0")]
    [InlineData("!ip.proto")]
    [InlineData("!eth.bcast")]
    [InlineData("!vlan.present && !ip4.mcast")]
    [InlineData("ip4.dst == 0/0")]
    [InlineData("reg0 == 0/0x10")]
    [InlineData("eth.dst[32..47] == 0x3333")]
    [InlineData("reg0 == 10.0.0.1")]
    [InlineData("ct_label.label == 0x1234 && ct_mark.natted")]
    public void Accepts_what_ovn_accepts(string text)
    {
        Assert.True(MatchExpression.TryParse(text, out _, out var diagnostics), string.Join("; ", diagnostics));
    }

    [Fact]
    public void Built_trees_are_checked_without_positions()
    {
        var diagnostic = Assert.Single(MatchExpression.Check(MatchExpr.Eq("tcp.dst", new IntegerConstant(1 << 20))));
        Assert.Equal(MatchDiagnosticCodes.ConstantTooWide, diagnostic.Code);
        Assert.Null(diagnostic.Location.Position);
    }
}
