using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using Pidgin;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;

namespace OvnAcl.Match;

/// <summary>
/// The context-free grammar of OVN matches (ovn-sb(5); lexer and parser of ovn/lib/lex.c and expr.c). It accepts
/// any field name and any <c>$</c>/<c>@</c> name: what they mean is <see cref="MatchChecker"/>'s business.
/// </summary>
/// <remarks>
/// This grammar over characters is the reference: <see cref="TryParse"/> first tries the faster token path
/// (<see cref="MatchLexer"/>, <see cref="MatchTokenGrammar"/>), which builds the same trees, and comes here for
/// whatever it declines, so every syntax error is this grammar's.
/// </remarks>
/// <remarks>
/// Labels sit only on parsers that fail without consuming input: Pidgin's <c>Labelled</c> replaces whatever a
/// deeper parser expected, which would turn "expected ')'" into a vague "expected expression".
/// </remarks>
/// <remarks>
/// <c>&amp;&amp;</c> and <c>||</c> are written as explicit chains rather than with <c>ExpressionParser.Build</c>:
/// OVN gives them no relative precedence (mixing them unparenthesized is an error) and allows <c>!</c> only before
/// an atomic operand, neither of which an operator table expresses.
/// </remarks>
internal static class MatchParser
{
    private static readonly Parser<char, Unit> LineComment =
        Try(String("//")).Then(Token(c => c != '\n').SkipMany());

    private static readonly Parser<char, Unit> BlockComment =
        Try(String("/*")).Then(Any.SkipUntil(Try(String("*/"))));

    private static readonly Parser<char, Unit> Trivia =
        OneOf(Whitespace.IgnoreResult(), LineComment, BlockComment).SkipMany();

    private static readonly Parser<char, TextPosition> Here =
        Map((offset, pos) => new TextPosition(offset, pos.Line, pos.Col), CurrentOffset, CurrentPos);

    private static readonly Parser<char, RelationalOperator> Relop = Tok(OneOf(
            Try(String("==")).ThenReturn(RelationalOperator.Equal),
            Try(String("!=")).ThenReturn(RelationalOperator.NotEqual),
            Try(String("<=")).ThenReturn(RelationalOperator.LessOrEqual),
            Char('<').ThenReturn(RelationalOperator.Less),
            Try(String(">=")).ThenReturn(RelationalOperator.GreaterOrEqual),
            Char('>').ThenReturn(RelationalOperator.Greater)))
        .Labelled("relational operator");

    private static readonly Parser<char, Unit> AndOp = Sym("&&");
    private static readonly Parser<char, Unit> OrOp = Sym("||");
    private static readonly Parser<char, Unit> NotOp = Tok(Try(Char('!').Before(Not(Char('='))))).IgnoreResult().Labelled("'!'");

    private static readonly Parser<char, string> Identifier =
        Tok(Map((first, rest) => first + rest, Token(IsId1), Token(IsIdn).ManyString())).Labelled("field name");

    // One "integer" token as OVN's lexer delimits it: letters, digits and colons, and dots that do not start "..".
    private static readonly Parser<char, string> NumberRun =
        Token(c => char.IsAsciiLetterOrDigit(c) || c == ':').Or(Try(Char('.').Before(Not(Char('.'))))).AtLeastOnceString();

    // A number starts with a digit or "::", or with hex digits and a colon (fe80::1, aa:bb:…), which no identifier has.
    private static readonly Parser<char, Unit> NumberStart = Lookahead(OneOf(
        Digit.IgnoreResult(),
        Try(String("::")).IgnoreResult(),
        Try(Token(char.IsAsciiHexDigit).SkipAtLeastOnce().Then(Char(':'))).IgnoreResult()));

    // "/mask" directly after the constant, as OVN's lexer reads it; "//" and "/*" start comments instead.
    private static readonly Parser<char, string> MaskRun =
        Try(Char('/').Before(Not(OneOf(Char('/'), Char('*'))))).Then(NumberRun.Labelled("mask"));

    private static readonly Parser<char, MatchConstant> Number =
        NumberStart.Labelled("constant").Then(Map(Classify, NumberRun, MaskRun.Optional()))
            .Assert(r => r.Error is null, r => r.Error!)
            .Select(r => r.Constant!);

    private static readonly Parser<char, char> Escape = Char('\\').Then(OneOf(
        Char('u').Then(Token(char.IsAsciiHexDigit).Repeat(4))
            .Select(h => (char)int.Parse(string.Concat(h), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)),
        Any.Select(SimpleEscape)
            .Assert(c => c != NotAnEscape, "invalid escape sequence in string (JSON escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")));

    // A mask after a string is no OVN syntax, but reading it lets the checker say "mask on a string" instead of a bare syntax error.
    private static readonly Parser<char, MatchConstant> QuotedString =
        Map(
                (text, mask) => mask.HasValue ? Classify(new StringConstant(text), mask.Value.AsSpan()) : new Lexed(new StringConstant(text), null),
                Char('"').Labelled("constant").Then(OneOf(Escape, Token(c => c != '"' && c != '\\')).ManyString()).Before(Char('"').Optional().Assert(q => q.HasValue, "string ends without its closing '\"'")),
                MaskRun.Optional())
            .Assert(r => r.Error is null, r => r.Error!)
            .Select(r => r.Constant!);

    // Names are read generously (digits first, '-') so that the checker can name the mistake (OVNM0108).
    private static readonly Parser<char, string> ReferenceName = Token(c => IsIdn(c) || c == '-').ManyString();

    private static readonly Parser<char, MatchConstant> Constant = Tok(Located(OneOf(
            Number,
            QuotedString,
            Char('$').Labelled("constant").Then(ReferenceName).Select(n => (MatchConstant)new AddressSetRef(n)),
            Char('@').Labelled("constant").Then(ReferenceName).Select(n => (MatchConstant)new PortGroupRef(n)))));

    private static readonly Parser<char, MatchValue> Set =
        Located(Sym("{").Then(Constant.Before(Sym(",").Optional()).AtLeastOnce()).Before(Sym("}"))
            .Select(elements => (MatchValue)new ValueSet(elements)));

    private static readonly Parser<char, MatchValue> Value = OneOf(Set, Constant.Select(c => (MatchValue)c));

    private static readonly Parser<char, int> BitIndex =
        Tok(Digit.AtLeastOnceString()).Assert(s => s.Length <= 6, "bit index out of range").Select(s => int.Parse(s, CultureInfo.InvariantCulture))
            .Labelled("bit index");

    private static readonly Parser<char, BitRange> Bits =
        Sym("[").Then(Map((low, high) => new BitRange(low, high.HasValue ? high.Value : low), BitIndex, Sym("..").Then(BitIndex).Optional()))
            .Before(Sym("]"));

    private static readonly Parser<char, FieldRef> Field =
        Located(Map((name, bits) => new FieldRef(name, bits.HasValue ? bits.Value : null), Identifier, Bits.Optional()));

    private static readonly Parser<char, MatchExpr> ExprRef = Rec(() => Expr!);

    private static readonly Parser<char, Primary> Parenthesized =
        Sym("(").Then(ExprRef).Before(Sym(")")).Select(e => new Primary(e, Atomic: true));

    private static readonly Parser<char, Primary> FieldFirst = Map(
        (at, field, rest) => rest.HasValue
            ? new Primary(SourceLocations.At<MatchExpr>(new ComparisonExpr(field, rest.Value.Op, rest.Value.Value), at), Atomic: false)
            : field is { Name: "true" or "false", Bits: null }
                ? new Primary(SourceLocations.At<MatchExpr>(new BoolExpr(field.Name == "true"), at), Atomic: true)
                : new Primary(SourceLocations.At<MatchExpr>(new FieldTestExpr(field), at), Atomic: true),
        Here,
        Field,
        Map((op, value) => (Op: op, Value: value), Relop, Value).Optional());

    private static readonly Parser<char, Primary> ConstantFirst = Map(
            (at, value, rest) => MakeConstantFirst(at, value, rest),
            Here,
            Value,
            Map(
                    (op, field, tail) => (Op: op, Field: field, Tail: tail),
                    Relop,
                    Field,
                    Map((op, value) => (Op: op, Value: value), Relop, Value).Optional())
                .Optional())
        .Assert(r => r.Error is null, r => r.Error!)
        .Select(r => r.Primary);

    private static readonly Parser<char, Primary> PrimaryExpr =
        OneOf(Parenthesized, ConstantFirst, FieldFirst);

    private static readonly Parser<char, MatchExpr> NotExpr = OneOf(
        Map((at, operand) => (At: at, Operand: operand), Here.Before(NotOp), PrimaryExpr)
            .Assert(t => t.Operand.Atomic, "the operand of '!' must be parenthesized when it is a comparison, e.g. !(tcp.dst == 80)")
            .Select(t => SourceLocations.At<MatchExpr>(new NotExpr(t.Operand.Expr), t.At)),
        PrimaryExpr.Select(p => p.Expr));

    private static readonly Parser<char, (bool IsAnd, IEnumerable<MatchExpr> Operands)> Chain = OneOf(
        AndOp.Then(NotExpr).AtLeastOnce().Select(rest => (true, rest)),
        OrOp.Then(NotExpr).AtLeastOnce().Select(rest => (false, rest)));

    private static readonly Parser<char, Unit> NoMixedChain =
        Lookahead(OneOf(AndOp, OrOp)).Optional()
            .Assert(next => !next.HasValue, "&& and || must be parenthesized when used together")
            .IgnoreResult();

    private static readonly Parser<char, MatchExpr> Expr = Map(
            SourceLocations.Chained,
            Here,
            NotExpr,
            Chain.Optional())
        .Before(NoMixedChain);

    private static readonly Parser<char, MatchExpr> Whole = Trivia.Then(Expr).Before(End.Labelled("end of input"));

    /// <summary>
    /// OVN refuses parentheses nested deeper than this ("Parentheses nested too deeply.", MAX_PAREN_DEPTH in
    /// ovn/lib/expr.c). The limit also bounds this recursive-descent parser's stack: 100,000 '(' overflowed it and
    /// killed the process.
    /// </summary>
    public const int MaxParenthesisDepth = 100;

    private const string TooDeepMessage = "parentheses nested too deeply (OVN allows 100 levels)";

    [ThreadStatic]
    private static List<MatchToken>? t_tokens;

    /// <summary>
    /// The tree of <paramref name="text"/>, or the character grammar's <paramref name="error"/>. Valid text goes
    /// through <see cref="MatchLexer"/> and <see cref="MatchTokenGrammar"/>; anything they decline is parsed again by
    /// the character grammar (<see cref="Parse"/>), which accepts or refuses it as it always has.
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out MatchExpr? expression, [NotNullWhen(false)] out ParseError<char>? error)
    {
        if (ParseTokens(text) is { } fast)
        {
            expression = fast;
            error = null;
            return true;
        }

        var result = Parse(text);
        expression = result.Success ? result.Value : null;
        error = result.Success ? null : result.Error;
        return result.Success;
    }

    /// <summary>The token path alone: the tree, or null where the character grammar must decide.</summary>
    internal static MatchExpr? ParseTokens(string text)
    {
        if (FirstTooDeep(text) is not null)
        {
            return null;
        }

        var tokens = t_tokens ??= [];
        try
        {
            return MatchLexer.TryTokenize(text, tokens) ? MatchTokenGrammar.TryParse(CollectionsMarshal.AsSpan(tokens)) : null;
        }
        finally
        {
            tokens.Clear();
            if (tokens.Capacity > 4096)
            {
                t_tokens = null; // one huge match should not stay pinned to the thread
            }
        }
    }

    /// <summary>The character grammar alone: the reference for what parses and for every syntax error's message and position.</summary>
    public static Result<char, MatchExpr> Parse(string text) =>
        FirstTooDeep(text) is { } offset
            // Consuming up to the offending '(' makes Pidgin report its offset, line and column like any other error.
            ? Any.Repeat(offset).Then(Fail<MatchExpr>(TooDeepMessage)).Parse(text)
            : Whole.Parse(text);

    /// <summary>The offset of the first '(' nested deeper than <see cref="MaxParenthesisDepth"/>, skipping strings and comments as the lexer does.</summary>
    internal static int? FirstTooDeep(string text)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '"':
                    for (i++; i < text.Length && text[i] != '"'; i++)
                    {
                        if (text[i] == '\\')
                        {
                            i++;
                        }
                    }

                    break;
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    while (i < text.Length && text[i] != '\n')
                    {
                        i++;
                    }

                    break;
                case '/' when i + 1 < text.Length && text[i + 1] == '*':
                    var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    i = end < 0 ? text.Length : end + 1;
                    break;
                case '(' when ++depth > MaxParenthesisDepth:
                    return i;
                case ')':
                    depth = Math.Max(0, depth - 1); // an unmatched ')' stops the parser: never count below zero
                    break;
            }
        }

        return null;
    }

    private static Parser<char, T> Tok<T>(Parser<char, T> token) => token.Before(Trivia);

    private static Parser<char, Unit> Sym(string text) =>
        Tok(text.Length == 1 ? Char(text[0]).IgnoreResult() : Try(String(text)).IgnoreResult()).Labelled($"'{text}'");

    private static Parser<char, T> Located<T>(Parser<char, T> parser)
        where T : class =>
        Map((at, node) => SourceLocations.At(node, at), Here, parser);

    internal const char NotAnEscape = '\uffff';

    internal static char SimpleEscape(char c) => c switch
    {
        '"' or '\\' or '/' => c,
        'b' => '\b',
        'f' => '\f',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        _ => NotAnEscape,
    };

    internal static bool IsId1(char c) => char.IsAsciiLetter(c) || c == '_' || c == '.';

    internal static bool IsIdn(char c) => IsId1(c) || char.IsAsciiDigit(c);

    internal static Lexed Classify(string run, Maybe<string> mask) =>
        mask.HasValue ? Classify(run, mask.Value, masked: true) : Classify(run, default, masked: false);

    /// <summary>A number token and its mask, if <paramref name="masked"/>, read in place.</summary>
    internal static Lexed Classify(ReadOnlySpan<char> run, ReadOnlySpan<char> mask, bool masked)
    {
        if (!NumericLiteral.TryClassify(run, out var value, out var error))
        {
            return new Lexed(null, error);
        }

        return masked ? Classify(value!, mask) : new Lexed(value, null);
    }

    internal static Lexed Classify(MatchConstant value, ReadOnlySpan<char> mask) =>
        NumericLiteral.TryClassify(mask, out var maskValue, out var error)
            ? new Lexed(NumericLiteral.WithMask(value, maskValue!), null)
            : new Lexed(null, error);

    internal static (Primary Primary, string? Error) MakeConstantFirst(
        TextPosition at,
        MatchValue value,
        Maybe<(RelationalOperator Op, FieldRef Field, Maybe<(RelationalOperator Op, MatchValue Value)> Tail)> rest)
    {
        if (!rest.HasValue)
        {
            // OVN reads a lone decimal 0 or 1 as the Boolean constant; anything else must be compared.
            return value is IntegerConstant { Hexadecimal: false } c && c.Value <= 1
                ? (new Primary(SourceLocations.At<MatchExpr>(new BoolExpr(c.Value == 1), at), Atomic: true), null)
                : (default, "expected relational operator after a constant");
        }

        var (op, field, tail) = rest.Value;
        if (!tail.HasValue)
        {
            return (new Primary(SourceLocations.At<MatchExpr>(new ComparisonExpr(field, op.Turn(), value), at), Atomic: false), null);
        }

        var (op2, high) = tail.Value;
        if (!IsRangeShape(op, op2))
        {
            return (default, "range expressions must have the form 'x < field < y' or 'x > field > y' (each '<' may be '<=', each '>' may be '>=')");
        }

        return (new Primary(SourceLocations.At<MatchExpr>(new RangeExpr(value, op, field, op2, high), at), Atomic: false), null);
    }

    internal static bool IsRangeShape(RelationalOperator low, RelationalOperator high) =>
        (low.IsUpward() && high.IsUpward()) || (low.IsDownward() && high.IsDownward());

    internal readonly record struct Lexed(MatchConstant? Constant, string? Error);

    internal readonly record struct Primary(MatchExpr Expr, bool Atomic);
}
