namespace OvnAcl.Match;

/// <summary>
/// Where in the text each parsed node started. Kept in the node's own <see cref="NodePosition"/> field, which takes no
/// part in the nodes' structural equality (a parsed tree equals a built one) and is empty in built trees.
/// </summary>
/// <remarks>
/// A <c>ConditionalWeakTable</c> keyed by node identity did this before: it cost about a quarter of parse time (an
/// entry, a box and a dependent handle per node), for the same answer.
/// </remarks>
internal static class SourceLocations
{
    public static T At<T>(T node, TextPosition position)
        where T : class
    {
        switch (node)
        {
            case MatchExpr expr:
                expr.Position = new NodePosition(position);
                break;
            case MatchValue value:
                value.Position = new NodePosition(position);
                break;
            case FieldRef field:
                field.Position = new NodePosition(position);
                break;
        }

        return node;
    }

    /// <summary>
    /// <c>first</c>, or <c>first &amp;&amp; …</c> / <c>first || …</c> started at <paramref name="at"/> when a chain
    /// follows it: the one way both grammars (characters and tokens) build a chained expression.
    /// </summary>
    public static MatchExpr Chained(TextPosition at, MatchExpr first, Pidgin.Maybe<(bool IsAnd, IEnumerable<MatchExpr> Operands)> chain) =>
        chain.HasValue
            ? At<MatchExpr>(chain.Value.IsAnd ? new AndExpr([first, .. chain.Value.Operands]) : new OrExpr([first, .. chain.Value.Operands]), at)
            : first;

    public static TextPosition? Of(object? node) => node switch
    {
        MatchExpr expr => expr.Position.Value,
        MatchValue value => value.Position.Value,
        FieldRef field => field.Position.Value,
        _ => null,
    };
}

/// <summary>
/// A parsed node's start in its text, or nothing for a built node. Every two are equal, so the field holding it leaves
/// the record's synthesized equality and hash as they would be without it.
/// </summary>
internal readonly struct NodePosition(TextPosition position) : IEquatable<NodePosition>
{
    private readonly bool _known = true;

    public TextPosition? Value => _known ? position : null;

    public bool Equals(NodePosition other) => true;

    public override bool Equals(object? obj) => obj is NodePosition;

    public override int GetHashCode() => 0;

    public static bool operator ==(NodePosition left, NodePosition right) => true;

    public static bool operator !=(NodePosition left, NodePosition right) => false;
}
