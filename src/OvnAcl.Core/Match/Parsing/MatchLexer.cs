namespace OvnAcl.Match;

/// <summary>The kinds of token <see cref="MatchLexer"/> cuts a match into, as OVN's lexer does (ovn/lib/lex.c).</summary>
internal enum MatchTokenKind : byte
{
    /// <summary>A field or predicate name (<see cref="MatchToken.Text"/>).</summary>
    Identifier,
    /// <summary>A number, address, string or <c>$</c>/<c>@</c> name, with its mask, already read (<see cref="MatchToken.Constant"/>).</summary>
    Constant,
    /// <summary>Decimal digits between <c>[</c> and <c>]</c> (<see cref="MatchToken.Number"/>).</summary>
    BitIndex,
    /// <summary><c>..</c> between <c>[</c> and <c>]</c>.</summary>
    DotDot,
    LeftParenthesis,
    RightParenthesis,
    LeftBrace,
    RightBrace,
    Comma,
    LeftBracket,
    RightBracket,
    /// <summary><c>==</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> (<see cref="MatchToken.Operator"/>).</summary>
    Relational,
    And,
    Or,
    Not,
}

/// <summary>One token and where it starts; a parsed node's position is its first token's.</summary>
internal readonly record struct MatchToken(
    MatchTokenKind Kind,
    TextPosition At,
    string? Text = null,
    MatchConstant? Constant = null,
    RelationalOperator Operator = default,
    int Number = 0);

/// <summary>
/// Cuts a match into tokens in one pass over the characters, the way the character grammar of
/// <see cref="MatchParser"/> reads them (the same trivia, the same constant runs and masks, the same string escapes),
/// so that <see cref="MatchTokenGrammar"/> needs no backtracking over characters.
/// </summary>
/// <remarks>
/// It declines (returns false) rather than reports: on anything that is not a well-formed token, and on a tab (Pidgin
/// counts a tab to the next tab stop). The caller then parses with the character grammar, which gives the diagnostic
/// with its exact message and position, so errors read as they always have.
/// </remarks>
internal static class MatchLexer
{
    public static bool TryTokenize(string text, List<MatchToken> tokens)
    {
        if (text.Contains('\t', StringComparison.Ordinal))
        {
            return false;
        }

        var lines = new LineCounter(text);
        var inBits = false;
        var i = 0;
        while (true)
        {
            if (!SkipTrivia(text, ref i))
            {
                return false;
            }

            if (i >= text.Length)
            {
                return true;
            }

            var at = lines.At(i);
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (inBits)
            {
                // Only digits, ".." and "]" may follow "[": the grammar's bit index (at most six digits).
                if (char.IsAsciiDigit(c))
                {
                    var start = i;
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        i++;
                    }

                    if (i - start > 6 || (i < text.Length && char.IsDigit(text[i])))
                    {
                        return false;
                    }

                    tokens.Add(new MatchToken(MatchTokenKind.BitIndex, at, Number: int.Parse(text.AsSpan(start, i - start), provider: System.Globalization.CultureInfo.InvariantCulture)));
                }
                else if (c == '.' && next == '.')
                {
                    tokens.Add(new MatchToken(MatchTokenKind.DotDot, at));
                    i += 2;
                }
                else if (c == ']')
                {
                    tokens.Add(new MatchToken(MatchTokenKind.RightBracket, at));
                    i++;
                    inBits = false;
                }
                else
                {
                    return false;
                }

                continue;
            }

            switch (c)
            {
                case '(':
                    tokens.Add(new MatchToken(MatchTokenKind.LeftParenthesis, at));
                    i++;
                    break;
                case ')':
                    tokens.Add(new MatchToken(MatchTokenKind.RightParenthesis, at));
                    i++;
                    break;
                case '{':
                    tokens.Add(new MatchToken(MatchTokenKind.LeftBrace, at));
                    i++;
                    break;
                case '}':
                    tokens.Add(new MatchToken(MatchTokenKind.RightBrace, at));
                    i++;
                    break;
                case ',':
                    tokens.Add(new MatchToken(MatchTokenKind.Comma, at));
                    i++;
                    break;
                case '[':
                    tokens.Add(new MatchToken(MatchTokenKind.LeftBracket, at));
                    i++;
                    inBits = true;
                    break;
                case '=' when next == '=':
                    tokens.Add(Relational(at, RelationalOperator.Equal));
                    i += 2;
                    break;
                case '!' when next == '=':
                    tokens.Add(Relational(at, RelationalOperator.NotEqual));
                    i += 2;
                    break;
                case '!':
                    tokens.Add(new MatchToken(MatchTokenKind.Not, at));
                    i++;
                    break;
                case '<' when next == '=':
                    tokens.Add(Relational(at, RelationalOperator.LessOrEqual));
                    i += 2;
                    break;
                case '<':
                    tokens.Add(Relational(at, RelationalOperator.Less));
                    i++;
                    break;
                case '>' when next == '=':
                    tokens.Add(Relational(at, RelationalOperator.GreaterOrEqual));
                    i += 2;
                    break;
                case '>':
                    tokens.Add(Relational(at, RelationalOperator.Greater));
                    i++;
                    break;
                case '&' when next == '&':
                    tokens.Add(new MatchToken(MatchTokenKind.And, at));
                    i += 2;
                    break;
                case '|' when next == '|':
                    tokens.Add(new MatchToken(MatchTokenKind.Or, at));
                    i += 2;
                    break;
                case '$' or '@':
                {
                    var start = ++i;
                    while (i < text.Length && (MatchParser.IsIdn(text[i]) || text[i] == '-'))
                    {
                        i++;
                    }

                    var name = text.Substring(start, i - start);
                    tokens.Add(Constant(at, c == '$' ? new AddressSetRef(name) : new PortGroupRef(name)));
                    break;
                }

                case '"':
                {
                    if (!TryReadString(text, ref i, out var value) || !TryReadMask(text, ref i, out var stringMask, out var stringMasked))
                    {
                        return false;
                    }

                    var quoted = stringMasked
                        ? MatchParser.Classify(new StringConstant(value), text.AsSpan(stringMask))
                        : new MatchParser.Lexed(new StringConstant(value), null);
                    if (quoted.Error is not null)
                    {
                        return false;
                    }

                    tokens.Add(Constant(at, quoted.Constant!));
                    break;
                }

                default:
                    if (StartsNumber(text, i))
                    {
                        var run = ReadNumberRun(text, ref i);
                        if (!TryReadMask(text, ref i, out var mask, out var masked))
                        {
                            return false;
                        }

                        var number = MatchParser.Classify(text.AsSpan(run), text.AsSpan(mask), masked);
                        if (number.Error is not null)
                        {
                            return false;
                        }

                        tokens.Add(Constant(at, number.Constant!));
                    }
                    else if (MatchParser.IsId1(c))
                    {
                        var start = i++;
                        while (i < text.Length && MatchParser.IsIdn(text[i]))
                        {
                            i++;
                        }

                        tokens.Add(new MatchToken(MatchTokenKind.Identifier, at, Text: Names.Get(text.AsSpan(start, i - start))));
                    }
                    else
                    {
                        return false;
                    }

                    break;
            }
        }
    }

    private static MatchToken Relational(TextPosition at, RelationalOperator op) => new(MatchTokenKind.Relational, at, Operator: op);

    private static MatchToken Constant(TextPosition at, MatchConstant constant) =>
        new(MatchTokenKind.Constant, at, Constant: SourceLocations.At(constant, at));

    /// <summary>Whitespace, <c>// …</c> to the end of the line and <c>/* … */</c>; false for a comment left open.</summary>
    private static bool SkipTrivia(string text, ref int i)
    {
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                var end = text.IndexOf('\n', i + 2);
                i = end < 0 ? text.Length : end;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    return false;
                }

                i = end + 2;
            }
            else
            {
                return true;
            }
        }

        return true;
    }

    // As the grammar's NumberStart: a digit, "::", or hex digits followed by ':' (fe80::1, aa:bb:…).
    private static bool StartsNumber(string text, int i)
    {
        if (char.IsAsciiDigit(text[i]))
        {
            return true;
        }

        if (text[i] == ':' && i + 1 < text.Length && text[i + 1] == ':')
        {
            return true;
        }

        var j = i;
        while (j < text.Length && char.IsAsciiHexDigit(text[j]))
        {
            j++;
        }

        return j > i && j < text.Length && text[j] == ':';
    }

    // As the grammar's NumberRun: letters, digits and colons, and dots that do not start "..".
    private static Range ReadNumberRun(string text, ref int i)
    {
        var start = i;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsAsciiLetterOrDigit(c) || c == ':' || (c == '.' && (i + 1 >= text.Length || text[i + 1] != '.')))
            {
                i++;
            }
            else
            {
                break;
            }
        }

        return start..i;
    }

    // As the grammar's MaskRun: '/' directly after the constant, not starting a comment, then a number run.
    private static bool TryReadMask(string text, ref int i, out Range mask, out bool masked)
    {
        mask = default;
        masked = false;
        if (i >= text.Length || text[i] != '/' || (i + 1 < text.Length && text[i + 1] is '/' or '*'))
        {
            return true;
        }

        i++;
        mask = ReadNumberRun(text, ref i);
        masked = true;
        return mask.End.Value > mask.Start.Value;
    }

    // As the grammar's QuotedString: JSON escapes, any other character as itself, the closing quote required.
    private static bool TryReadString(string text, ref int i, out string value)
    {
        value = "";
        var start = ++i;
        while (i < text.Length && text[i] != '"' && text[i] != '\\')
        {
            i++;
        }

        if (i < text.Length && text[i] == '"')
        {
            value = text.Substring(start, i - start);
            i++;
            return true;
        }

        var builder = new System.Text.StringBuilder().Append(text, start, i - start);
        while (i < text.Length && text[i] != '"')
        {
            if (text[i] != '\\')
            {
                builder.Append(text[i++]);
                continue;
            }

            if (i + 1 >= text.Length)
            {
                return false;
            }

            var escape = text[i + 1];
            if (escape == 'u')
            {
                if (i + 6 > text.Length || !ushort.TryParse(text.AsSpan(i + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var code))
                {
                    return false;
                }

                builder.Append((char)code);
                i += 6;
                continue;
            }

            var simple = MatchParser.SimpleEscape(escape);
            if (simple == MatchParser.NotAnEscape)
            {
                return false;
            }

            builder.Append(simple);
            i += 2;
        }

        if (i >= text.Length)
        {
            return false;
        }

        value = builder.ToString();
        i++;
        return true;
    }

    /// <summary>Line and column of an offset, counted forward once per text as Pidgin counts them (a new line after each '\n').</summary>
    private struct LineCounter(string text)
    {
        private int _scanned;
        private int _line = 1;
        private int _lineStart;

        public TextPosition At(int offset)
        {
            for (; _scanned < offset; _scanned++)
            {
                if (text[_scanned] == '\n')
                {
                    _line++;
                    _lineStart = _scanned + 1;
                }
            }

            return new TextPosition(offset, _line, offset - _lineStart + 1);
        }
    }
}
