using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OvnAcl.Match;

namespace OvnAcl.Core.Tests.Match;

/// <summary>
/// The token path (<see cref="MatchLexer"/> and <see cref="MatchTokenGrammar"/>) against the character grammar it
/// stands in front of: for any text, it builds the tree the character grammar builds, every node at the same position,
/// or declines text that the character grammar refuses (or that holds a tab); it never accepts what that refuses.
/// </summary>
public sealed class MatchTokenPathTests
{
    // The characters that decide how text is cut into tokens, and some that should never be accepted.
    private const string Significant = "()[]{}!=<>&|,./*\"$@:-_\\ \n\r\t0159afx.#";

    private static readonly Arbitrary<string> Mutated = Arb.From(
        from expression in MatchGen.PrintableExpression
        let printed = MatchExpression.Print(expression)
        from edits in Gen.ListOf(
            from at in Gen.Choose(0, printed.Length)
            from c in Gen.Elements(Significant.ToCharArray())
            from kind in Gen.Choose(0, 2)
            select (At: at, Char: c, Kind: kind))
        select Apply(printed, edits));

    private static readonly Arbitrary<string> Respaced = Arb.From(
        from expression in MatchGen.PrintableExpression
        let printed = MatchExpression.Print(expression)
        from spacing in Gen.Elements(" ", "", "  ", "\n", " \r\n ", " /* c */ ", " // c\n", "\u00a0", "\n\n   ")
        select printed.Replace(" ", spacing, StringComparison.Ordinal));

    public static TheoryData<string> Written()
    {
        var data = new TheoryData<string>();
        foreach (var row in (IEnumerable<object[]>)MatchParserTests.RealMatches)
        {
            data.Add((string)row[0]);
        }

        foreach (var row in (IEnumerable<object[]>)MatchDiagnosticsTests.Malformed)
        {
            data.Add((string)row[0]);
        }

        foreach (var text in new[]
                 {
                     "tcp.dst==80", "  tcp &&  tcp.dst == 80 // port\n", "tcp /* c */ && udp", "80 == tcp.dst", "80 < tcp.dst",
                     "eth.type == 0X0800", "ip6.dst == ::ffff:1.2.3.4", "tcp.dst == {443 80 80,}", "ip4.src == {$b, 10.0.0.1, $a}",
                     "true", "false || tcp", "((tcp))", "!(!ct.est)", "!(ct.est)", "reg0[3..3] == 1", "reg0 [ 3 .. 5 ] == 1",
                     "outport == \"a\\\"b\\u0001\"", "outport == \"a\nb\" &&\n  ip4", "inport == \"a\"/3", "outport == @pg-1",
                     "ip4.src == 10.0.0.0/8/* c */", "ip4.src == 10.0.0.0//c\n", "tcp.dst == 1..5", "reg0[1234567] == 1",
                     "reg0[1]x == 1", "!= tcp", "! tcp", "tcp.dst == 80 &&", "$", "@ x", "\"\\u12\"", "ip4 /* open",
                     "tcp\t&& udp", "fe80::1 == ip6.src", "ab:cd:ef:01:02:03 == eth.src", "1", "0", "2", "0x1", "tcp.dst == 1 < 2",
                 })
        {
            data.Add(text);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Written))]
    public void Agrees_with_the_character_grammar_on_written_matches(string text) => AssertAgree(text);

    [Fact]
    public void Takes_the_matches_the_compiler_writes()
    {
        foreach (var row in (IEnumerable<object[]>)MatchParserTests.RealMatches)
        {
            Assert.NotNull(MatchParser.ParseTokens((string)row[0]));
        }
    }

    [Property(MaxTest = 400)]
    public Property Agrees_on_printed_trees_however_spaced() => Prop.ForAll(Respaced, text => Agree(text).Label(text));

    [Property(MaxTest = 1000)]
    public Property Agrees_on_mutated_text() => Prop.ForAll(Mutated, text => Agree(text).Label(text));

    private static void AssertAgree(string text) => Assert.True(Agree(text), text);

    private static bool Agree(string text)
    {
        var reference = MatchParser.Parse(text);
        var fast = MatchParser.ParseTokens(text);
        if (fast is null)
        {
            // Declining is for errors, and for tabs (Pidgin's tab stops); valid text otherwise takes the fast path.
            return !reference.Success || text.Contains('\t', StringComparison.Ordinal);
        }

        return reference.Success
               && fast.Equals(reference.Value)
               && MatchExpression.Print(fast) == MatchExpression.Print(reference.Value)
               && Positions(fast).SequenceEqual(Positions(reference.Value));
    }

    private static string Apply(string text, IEnumerable<(int At, char Char, int Kind)> edits)
    {
        var builder = new System.Text.StringBuilder(text);
        foreach (var (at, c, kind) in edits)
        {
            var i = Math.Min(at, builder.Length);
            switch (kind)
            {
                case 0:
                    builder.Insert(i, c);
                    break;
                case 1 when i < builder.Length:
                    builder.Remove(i, 1);
                    break;
                case 2 when i < builder.Length:
                    builder[i] = c;
                    break;
            }
        }

        return builder.ToString();
    }

    private static IEnumerable<(string Node, TextPosition? At)> Positions(MatchExpr expression)
    {
        yield return (expression.GetType().Name, SourceLocations.Of(expression));
        var children = expression switch
        {
            NotExpr x => Positions(x.Operand),
            AndExpr x => x.Operands.SelectMany(Positions),
            OrExpr x => x.Operands.SelectMany(Positions),
            ComparisonExpr x => Positions(x.Field).Concat(Positions(x.Value)),
            RangeExpr x => Positions(x.Low).Concat(Positions(x.Field)).Concat(Positions(x.High)),
            FieldTestExpr x => Positions(x.Field),
            _ => [],
        };
        foreach (var child in children)
        {
            yield return child;
        }
    }

    private static IEnumerable<(string Node, TextPosition? At)> Positions(FieldRef field) => [("FieldRef", SourceLocations.Of(field))];

    private static IEnumerable<(string Node, TextPosition? At)> Positions(MatchValue value)
    {
        yield return (value.GetType().Name, SourceLocations.Of(value));
        var children = value switch
        {
            ValueSet x => x.Elements.SelectMany(Positions),
            MaskedConstant x => Positions(x.Value).Concat(Positions(x.Mask)),
            PrefixConstant x => Positions(x.Address),
            _ => [],
        };
        foreach (var child in children)
        {
            yield return child;
        }
    }
}
