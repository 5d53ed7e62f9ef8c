using Pidgin;
using static Pidgin.Parser;
using static Pidgin.Parser<OvnAcl.Match.MatchToken>;
using Primary = OvnAcl.Match.MatchParser.Primary;

namespace OvnAcl.Match;

/// <summary>
/// The grammar of <see cref="MatchParser"/> again, in Pidgin over <see cref="MatchLexer"/>'s tokens instead of over
/// characters: the same rules in the same order, building the same nodes (through <see cref="MatchParser"/>'s own
/// helpers) at the same positions (a node's first token). Each alternative starts with a token of its own kind, so
/// no rule backtracks.
/// </summary>
/// <remarks>
/// It only accepts: when it fails, <see cref="MatchParser.TryParse"/> parses the text again with the character
/// grammar, whose errors carry the messages, expectations and positions users see. Valid text, the common case,
/// never reaches the character grammar.
/// </remarks>
internal static class MatchTokenGrammar
{
    private static Parser<MatchToken, MatchToken> Kind(MatchTokenKind kind) => Token(t => t.Kind == kind);

    private static readonly Parser<MatchToken, TextPosition> Here = Lookahead(Any).Select(t => t.At);

    private static readonly Parser<MatchToken, RelationalOperator> Relop = Kind(MatchTokenKind.Relational).Select(t => t.Operator);

    private static readonly Parser<MatchToken, MatchConstant> Constant = Kind(MatchTokenKind.Constant).Select(t => t.Constant!);

    private static readonly Parser<MatchToken, MatchValue> Set = Map(
            (open, elements) => SourceLocations.At<MatchValue>(new ValueSet(elements), open.At),
            Kind(MatchTokenKind.LeftBrace),
            Constant.Before(Kind(MatchTokenKind.Comma).Optional()).AtLeastOnce())
        .Before(Kind(MatchTokenKind.RightBrace));

    private static readonly Parser<MatchToken, MatchValue> Value = OneOf(Constant.Select(c => (MatchValue)c), Set);

    private static readonly Parser<MatchToken, BitRange> Bits =
        Kind(MatchTokenKind.LeftBracket)
            .Then(Map(
                (low, high) => new BitRange(low.Number, high.HasValue ? high.Value.Number : low.Number),
                Kind(MatchTokenKind.BitIndex),
                Kind(MatchTokenKind.DotDot).Then(Kind(MatchTokenKind.BitIndex)).Optional()))
            .Before(Kind(MatchTokenKind.RightBracket));

    private static readonly Parser<MatchToken, FieldRef> Field = Map(
        (name, bits) => SourceLocations.At(new FieldRef(name.Text!, bits.HasValue ? bits.Value : null), name.At),
        Kind(MatchTokenKind.Identifier),
        Bits.Optional());

    private static readonly Parser<MatchToken, MatchExpr> ExprRef = Rec(() => Expr!);

    private static readonly Parser<MatchToken, Primary> Parenthesized =
        Kind(MatchTokenKind.LeftParenthesis).Then(ExprRef).Before(Kind(MatchTokenKind.RightParenthesis)).Select(e => new Primary(e, Atomic: true));

    // The node starts where its field does (the grammar's Here before the field).
    private static readonly Parser<MatchToken, Primary> FieldFirst = Map(
        (field, rest) => FieldFirstNode(field.Position.Value!.Value, field, rest),
        Field,
        Map((op, value) => (Op: op, Value: value), Relop, Value).Optional());

    private static Primary FieldFirstNode(TextPosition at, FieldRef field, Maybe<(RelationalOperator Op, MatchValue Value)> rest) =>
        rest.HasValue
            ? new Primary(SourceLocations.At<MatchExpr>(new ComparisonExpr(field, rest.Value.Op, rest.Value.Value), at), Atomic: false)
            : field is { Name: "true" or "false", Bits: null }
                ? new Primary(SourceLocations.At<MatchExpr>(new BoolExpr(field.Name == "true"), at), Atomic: true)
                : new Primary(SourceLocations.At<MatchExpr>(new FieldTestExpr(field), at), Atomic: true);

    // The node starts where its value does (a set's '{', a constant's first character).
    private static readonly Parser<MatchToken, Primary> ConstantFirst = Map(
            (value, rest) => MatchParser.MakeConstantFirst(value.Position.Value!.Value, value, rest),
            Value,
            Map(
                    (op, field, tail) => (Op: op, Field: field, Tail: tail),
                    Relop,
                    Field,
                    Map((op, value) => (Op: op, Value: value), Relop, Value).Optional())
                .Optional())
        .Assert(r => r.Error is null)
        .Select(r => r.Primary);

    // Each alternative starts with its own kind of token, so their order changes nothing but speed: the common first.
    private static readonly Parser<MatchToken, Primary> PrimaryExpr = OneOf(FieldFirst, ConstantFirst, Parenthesized);

    private static readonly Parser<MatchToken, MatchExpr> NotExpr = OneOf(
        PrimaryExpr.Select(p => p.Expr),
        Map((bang, operand) => (At: bang.At, Operand: operand), Kind(MatchTokenKind.Not), PrimaryExpr)
            .Assert(t => t.Operand.Atomic)
            .Select(t => SourceLocations.At<MatchExpr>(new NotExpr(t.Operand.Expr), t.At)));

    private static readonly Parser<MatchToken, (bool IsAnd, IEnumerable<MatchExpr> Operands)> Chain = OneOf(
        Kind(MatchTokenKind.And).Then(NotExpr).AtLeastOnce().Select(rest => (true, rest)),
        Kind(MatchTokenKind.Or).Then(NotExpr).AtLeastOnce().Select(rest => (false, rest)));

    private static readonly Parser<MatchToken, Unit> NoMixedChain = Not(OneOf(Kind(MatchTokenKind.And), Kind(MatchTokenKind.Or)));

    private static readonly Parser<MatchToken, MatchExpr> Expr = Map(
            SourceLocations.Chained,
            Here,
            NotExpr,
            Chain.Optional())
        .Before(NoMixedChain);

    private static readonly Parser<MatchToken, MatchExpr> Whole = Expr.Before(End);

    /// <summary>The tree of <paramref name="tokens"/>, or null where the character grammar must decide.</summary>
    public static MatchExpr? TryParse(ReadOnlySpan<MatchToken> tokens)
    {
        var result = Whole.Parse(tokens);
        return result.Success ? result.Value : null;
    }
}
