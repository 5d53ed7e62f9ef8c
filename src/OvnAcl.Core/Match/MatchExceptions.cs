using System.Collections.Immutable;

namespace OvnAcl.Match;

/// <summary>Base of the errors about OVN match expressions.</summary>
public class MatchException : OvnAclException
{
    public MatchException(string message) : base(message) { }
    public MatchException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>The text is not a match expression at all: the message reads <c>match: LINE:COL: expected …</c>.</summary>
public sealed class MatchSyntaxException : MatchException
{
    public MatchSyntaxException(Diagnostic diagnostic, IReadOnlyList<string> expected)
        : base(diagnostic.ToString())
    {
        Diagnostic = diagnostic;
        Position = diagnostic.Location.Position ?? new TextPosition(0, 1, 1);
        Expected = expected;
    }

    public Diagnostic Diagnostic { get; }

    public TextPosition Position { get; }

    /// <summary>What the parser would have accepted at <see cref="Position"/> (e.g. <c>')'</c>, <c>relational operator</c>); empty when the error is a custom one.</summary>
    public IReadOnlyList<string> Expected { get; }
}

/// <summary>The text parses but does not mean anything OVN accepts; every problem found is in <see cref="Diagnostics"/>.</summary>
public sealed class MatchCheckException : MatchException
{
    public MatchCheckException(ImmutableArray<Diagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString())))
    {
        Diagnostics = diagnostics;
    }

    public ImmutableArray<Diagnostic> Diagnostics { get; }
}

/// <summary>
/// An expression could not be evaluated against a packet: an unknown field, a <c>$set</c> or <c>@group</c> the
/// context does not know, or an address-set entry that does not fit the field it is compared with.
/// </summary>
public sealed class MatchEvaluationException : MatchException
{
    public MatchEvaluationException(string message) : base(message) { }
}
