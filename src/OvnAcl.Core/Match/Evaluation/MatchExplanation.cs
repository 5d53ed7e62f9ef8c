using System.Collections.Immutable;

namespace OvnAcl.Match;

/// <summary>
/// Why an expression came out <see cref="Result"/> for a packet. <see cref="Path"/> runs from the whole expression
/// down through the operand that decided at each level (for a false <c>&amp;&amp;</c> its first false conjunct, for a
/// true <c>||</c> its first true disjunct) to the innermost single subexpression that did; each element, negated
/// where a <c>!</c> applies, itself evaluates to <see cref="Result"/>. For a true <c>&amp;&amp;</c> or false <c>||</c> no single operand
/// decides and the path ends there.
/// </summary>
public sealed class MatchExplanation
{
    internal MatchExplanation(bool result, ImmutableArray<MatchExpr> path, string reason)
    {
        Result = result;
        Path = path;
        Reason = reason;
    }

    /// <summary>What the whole expression evaluated to.</summary>
    public bool Result { get; }

    /// <summary>The subexpressions from the root down to the one that decided the result.</summary>
    public ImmutableArray<MatchExpr> Path { get; }

    /// <summary>The innermost deciding subexpression (last of <see cref="Path"/>).</summary>
    public MatchExpr Decisive => Path[^1];

    /// <summary>The deciding subexpression in canonical text.</summary>
    public string DecisiveText => MatchPrinter.Print(Decisive);

    /// <summary>What the packet had there, e.g. <c>tcp.dst is 53</c> or <c>prerequisite tcp of tcp.dst does not hold</c>.</summary>
    public string Reason { get; }

    /// <summary>The result, the deciding subexpression and why it decided.</summary>
    public override string ToString() => $"{(Result ? "true" : "false")}: {DecisiveText} ({Reason})";
}
