using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Pidgin;

namespace OvnAcl.Match;

/// <summary>
/// Entry points for OVN match expressions: read (<see cref="Parse"/>), check what they mean (<see cref="Check"/>),
/// both at once (<see cref="TryParse"/>, <see cref="ParseChecked"/>), and write back canonically (<see cref="Print"/>).
/// Evaluation against a packet is <see cref="MatchEvaluator"/>.
/// </summary>
public static class MatchExpression
{
    /// <summary>Reads the syntax only; names and types are not looked at (see <see cref="Check"/>).</summary>
    /// <exception cref="MatchSyntaxException">The text is not a match expression.</exception>
    public static MatchExpr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (MatchParser.TryParse(text, out var expression, out var error))
        {
            return expression;
        }

        var (diagnostic, expected) = SyntaxError(text, error);
        throw new MatchSyntaxException(diagnostic, expected);
    }

    /// <summary>
    /// Reads and checks: true when the text is a match OVN accepts. On false, <paramref name="diagnostics"/> holds
    /// the syntax error or every meaning problem found, and <paramref name="expression"/> is null.
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out MatchExpr? expression, out ImmutableArray<Diagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(text);
        expression = null;
        if (!MatchParser.TryParse(text, out var parsed, out var error))
        {
            diagnostics = [SyntaxError(text, error).Diagnostic];
            return false;
        }

        diagnostics = Check(parsed);
        if (!diagnostics.IsEmpty)
        {
            return false;
        }

        expression = parsed;
        return true;
    }

    /// <summary>Reads and checks, throwing on the first syntax error or on all meaning problems together.</summary>
    /// <exception cref="MatchSyntaxException">The text is not a match expression.</exception>
    /// <exception cref="MatchCheckException">The text parses but OVN would reject it.</exception>
    public static MatchExpr ParseChecked(string text)
    {
        var expression = Parse(text);
        var diagnostics = Check(expression);
        return diagnostics.IsEmpty ? expression : throw new MatchCheckException(diagnostics);
    }

    /// <summary>
    /// Every reason OVN would reject the expression: unknown fields, constants that do not fit, operators the field
    /// does not support, invalid names. Positions are known for trees that came from <see cref="Parse"/>.
    /// </summary>
    public static ImmutableArray<Diagnostic> Check(MatchExpr expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return MatchChecker.Check(expression);
    }

    /// <summary>The canonical text; <c>Parse(Print(e)) == e</c> for every tree.</summary>
    public static string Print(MatchExpr expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return MatchPrinter.Print(expression);
    }

    private static (Diagnostic Diagnostic, IReadOnlyList<string> Expected) SyntaxError(string text, ParseError<char> error)
    {
        var position = new TextPosition(error.ErrorOffset, error.ErrorPos.Line, error.ErrorPos.Col);
        if (FunctionAt(text, error.ErrorOffset) is { } function)
        {
            // A call stops the parser at its '(': say what it is, not which token was expected there.
            // The name may sit on an earlier line than its '(': count the line breaks between them, and then the
            // column from the start of the name's own line.
            var between = text.AsSpan(function.Offset, error.ErrorOffset - function.Offset);
            var breaks = between.Count('\n');
            var at = breaks == 0
                ? new TextPosition(function.Offset, error.ErrorPos.Line, error.ErrorPos.Col - (error.ErrorOffset - function.Offset))
                : new TextPosition(function.Offset, error.ErrorPos.Line - breaks, function.Offset - text.LastIndexOf('\n', function.Offset - 1 < 0 ? 0 : function.Offset - 1));
            var unsupported = function.Name == "is_chassis_resident"
                ? "is_chassis_resident(...) is not supported: OVN decides it on each chassis from where the port is bound, which an offline evaluation cannot know"
                : $"{function.Name}(...) is not supported: the only function in OVN's match language is is_chassis_resident, and OvnAcl does not evaluate it";
            return (Diagnostic.Error(MatchDiagnosticCodes.UnsupportedFunction, unsupported, MatchLocation(at)), []);
        }

        var expected = error.Expected.Select(Describe).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        string message;
        if (error.Message is { } custom)
        {
            message = custom;
        }
        else
        {
            var found = error.EOF ? "end of input" : error.Unexpected.HasValue ? $"'{error.Unexpected.Value}'" : null;
            message = (expected.Count > 0 ? "expected " + JoinAlternatives(expected) : "syntax error")
                      + (found is null ? "" : ", found " + found);
        }

        return (Diagnostic.Error(MatchDiagnosticCodes.Syntax, message, MatchLocation(position)), expected);
    }

    /// <summary>The identifier a <c>(</c> at <paramref name="offset"/> follows (<c>is_chassis_resident("p")</c>), if any.</summary>
    private static (string Name, int Offset)? FunctionAt(string text, int offset)
    {
        if (offset <= 0 || offset >= text.Length || text[offset] != '(')
        {
            return null;
        }

        var end = offset;
        while (end > 0 && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        var start = end;
        while (start > 0 && (char.IsAsciiLetterOrDigit(text[start - 1]) || text[start - 1] is '_' or '.'))
        {
            start--;
        }

        return start < end && (char.IsAsciiLetter(text[start]) || text[start] == '_') ? (text[start..end], start) : null;
    }

    /// <summary>Where a match problem is: the expression (printed as <c>match</c>) and, for parsed text, the position in it.</summary>
    internal static DiagnosticLocation MatchLocation(TextPosition? position) => new(s_matchSource, Position: position);

    private static readonly ObjectSource s_matchSource = new("match");

    private static string Describe(Expected<char> expected) =>
        expected.IsEof ? "end of input"
        : expected.Label is { } label ? label
        : expected.Tokens is { } tokens ? $"'{string.Concat(tokens)}'"
        : "?";

    private static string JoinAlternatives(IReadOnlyList<string> items) =>
        items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " or " + items[^1];
}
