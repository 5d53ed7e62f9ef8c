using System.Collections.Immutable;

namespace OvnAcl.Match;

/// <summary>Base of the errors about OVN match expressions.</summary>
public class MatchException : OvnAclException
{
    /// <summary>A match-language failure as <paramref name="message"/> says.</summary>
    public MatchException(string message) : base(message) { }
    /// <summary>A match-language failure as <paramref name="message"/> says, caused by <paramref name="innerException"/>.</summary>
    public MatchException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>The text is not a match expression at all: the message reads <c>match: LINE:COL: expected …</c>.</summary>
public sealed class MatchSyntaxException : MatchException
{
    /// <summary>The expression does not parse: <paramref name="diagnostic"/> says where, <paramref name="expected"/> lists what the parser expected there.</summary>
    public MatchSyntaxException(Diagnostic diagnostic, IReadOnlyList<string> expected)
        : base(diagnostic.ToString())
    {
        Diagnostic = diagnostic;
        Position = diagnostic.Location.Position ?? new TextPosition(0, 1, 1);
        Expected = expected;
    }

    /// <summary>The parse error, with its code, message and position.</summary>
    public Diagnostic Diagnostic { get; }

    /// <summary>Where in the expression the parser stopped.</summary>
    public TextPosition Position { get; }

    /// <summary>What the parser would have accepted at <see cref="Position"/> (e.g. <c>')'</c>, <c>relational operator</c>); empty when the error is a custom one.</summary>
    public IReadOnlyList<string> Expected { get; }
}

/// <summary>The text parses but does not mean anything OVN accepts; every problem found is in <see cref="Diagnostics"/>.</summary>
public sealed class MatchCheckException : MatchException
{
    /// <summary>The expression parses but means nothing valid (unknown field, wrong type, bad prerequisite): <paramref name="diagnostics"/> lists every problem.</summary>
    public MatchCheckException(ImmutableArray<Diagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString())))
    {
        Diagnostics = diagnostics;
    }

    /// <summary>Every problem found by the check, in the order of the expression.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }
}

/// <summary>
/// An expression could not be evaluated against a packet: an unknown field, a <c>$set</c> or <c>@group</c> the
/// context does not know, or an address-set entry that does not fit the field it is compared with.
/// </summary>
public sealed class MatchEvaluationException : MatchException
{
    /// <summary>The expression cannot be evaluated against the packet as <paramref name="message"/> says (a name the context lacks, say).</summary>
    public MatchEvaluationException(string message) : base(message) { }
}
