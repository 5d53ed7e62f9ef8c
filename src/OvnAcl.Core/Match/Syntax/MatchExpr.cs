using System.Collections.Immutable;

namespace OvnAcl.Match;

/// <summary>
/// A node of an OVN match expression (ovn-sb(5), Logical_Flow <c>match</c>). Immutable, with structural equality;
/// <see cref="ToString"/> is the canonical text (<see cref="MatchExpression.Print"/>).
/// </summary>
public abstract record MatchExpr
{
    private protected MatchExpr() { }

    /// <summary>Where the parser found this node; equality-neutral (<see cref="NodePosition"/>).</summary>
    internal NodePosition Position { get; set; }

    /// <summary>The expression in OVN's match syntax, parenthesized where precedence needs it.</summary>
    public sealed override string ToString() => MatchPrinter.Print(this);

    /// <summary>The conjunction of <paramref name="operands"/>: the constant <c>1</c> for none, the operand itself for one.</summary>
    public static MatchExpr And(params IEnumerable<MatchExpr> operands) => Combine(operands, isAnd: true);

    /// <summary>The disjunction of <paramref name="operands"/>: the constant <c>0</c> for none, the operand itself for one.</summary>
    public static MatchExpr Or(params IEnumerable<MatchExpr> operands) => Combine(operands, isAnd: false);

    /// <summary><c>!operand</c>.</summary>
    public static MatchExpr Not(MatchExpr operand) => new NotExpr(operand);

    /// <summary><c>field op value</c>, e.g. <c>Compare("tcp.dst", RelationalOperator.GreaterOrEqual, ...)</c>.</summary>
    public static ComparisonExpr Compare(string field, RelationalOperator op, MatchValue value) => new(new FieldRef(field), op, value);

    /// <summary><c>field == value</c>; with a set value, true when the field equals any element.</summary>
    public static ComparisonExpr Eq(string field, MatchValue value) => Compare(field, RelationalOperator.Equal, value);

    /// <summary><paramref name="field"/> named alone: <c>field != 0</c>, or a predicate's expansion.</summary>
    public static FieldTestExpr Test(string field) => new(new FieldRef(field));

    /// <summary>One operand stays itself, none is the neutral constant (<c>1</c> for and, <c>0</c> for or).</summary>
    private static MatchExpr Combine(IEnumerable<MatchExpr> operands, bool isAnd)
    {
        var list = operands.ToImmutableArray();
        return list.Length switch
        {
            0 => new BoolExpr(isAnd),
            1 => list[0],
            _ => isAnd ? new AndExpr(list) : new OrExpr(list),
        };
    }
}

/// <summary>The constants <c>1</c> (match everything) and <c>0</c> (match nothing).</summary>
public sealed record BoolExpr(bool Value) : MatchExpr;

/// <summary><c>!operand</c>. OVN pushes the negation down to the comparisons, whose prerequisites stay positive.</summary>
public sealed record NotExpr(MatchExpr Operand) : MatchExpr;

/// <summary><c>a &amp;&amp; b &amp;&amp; …</c>, two or more operands in written order.</summary>
public sealed record AndExpr : MatchExpr
{
    /// <summary><c>a &amp;&amp; b &amp;&amp; ...</c> of <paramref name="operands"/> as given (<see cref="MatchExpr.And"/> also takes zero or one).</summary>
    public AndExpr(ImmutableArray<MatchExpr> operands)
    {
        Operands = SyntaxChecks.AtLeastTwo(operands, nameof(operands));
    }

    /// <summary>The conjuncts, in source order.</summary>
    public ImmutableArray<MatchExpr> Operands { get; }

    /// <summary>Same operands in the same order.</summary>
    public bool Equals(AndExpr? other) => other is not null && Operands.AsSpan().SequenceEqual(other.Operands.AsSpan());

    /// <inheritdoc/>
    public override int GetHashCode() => SyntaxChecks.SequenceHash(Operands, 17);
}

/// <summary><c>a || b || …</c>, two or more operands in written order.</summary>
public sealed record OrExpr : MatchExpr
{
    /// <summary><c>a || b || ...</c> of <paramref name="operands"/> as given (<see cref="MatchExpr.Or"/> also takes zero or one).</summary>
    public OrExpr(ImmutableArray<MatchExpr> operands)
    {
        Operands = SyntaxChecks.AtLeastTwo(operands, nameof(operands));
    }

    /// <summary>The disjuncts, in source order.</summary>
    public ImmutableArray<MatchExpr> Operands { get; }

    /// <summary>Same operands in the same order.</summary>
    public bool Equals(OrExpr? other) => other is not null && Operands.AsSpan().SequenceEqual(other.Operands.AsSpan());

    /// <inheritdoc/>
    public override int GetHashCode() => SyntaxChecks.SequenceHash(Operands, 31);
}

/// <summary>
/// <c>field OP value</c>; text written constant-first (<c>80 == tcp.dst</c>) parses to the same node with the
/// operator turned around.
/// </summary>
public sealed record ComparisonExpr(FieldRef Field, RelationalOperator Operator, MatchValue Value) : MatchExpr;

/// <summary>
/// <c>low LowOperator field HighOperator high</c>, e.g. <c>800 &lt;= tcp.dst &lt;= 850</c>: both operators point
/// the same way (both <c>&lt;</c>/<c>&lt;=</c> or both <c>&gt;</c>/<c>&gt;=</c>).
/// </summary>
public sealed record RangeExpr(MatchValue Low, RelationalOperator LowOperator, FieldRef Field, RelationalOperator HighOperator, MatchValue High)
    : MatchExpr;

/// <summary>
/// A field or predicate named alone: <c>ct.new</c>, <c>tcp</c>, <c>!ct.est</c>. Means <c>field != 0</c>
/// (for a predicate: its expansion).
/// </summary>
public sealed record FieldTestExpr(FieldRef Field) : MatchExpr;

/// <summary>A field, predicate or subfield name, optionally with a bit selection <c>reg0[3]</c> or <c>reg0[0..3]</c>.</summary>
public sealed record FieldRef(string Name, BitRange? Bits = null)
{
    /// <summary>Where the parser found this name; equality-neutral (<see cref="NodePosition"/>).</summary>
    internal NodePosition Position { get; set; }

    /// <summary>The name with its bit selection, e.g. <c>reg0[0..3]</c>.</summary>
    public override string ToString() => MatchPrinter.PrintField(this);
}

/// <summary>Bits <see cref="Low"/> through <see cref="High"/> inclusive, counted from the least significant.</summary>
public readonly record struct BitRange(int Low, int High)
{
    /// <summary>How many bits the range selects.</summary>
    public int Width => High - Low + 1;
}

/// <summary>A comparison operator of the match language.</summary>
public enum RelationalOperator
{
    /// <summary><c>==</c>.</summary>
    Equal,
    /// <summary><c>!=</c>; against a set, true when the field equals none of its elements.</summary>
    NotEqual,
    /// <summary><c>&lt;</c>.</summary>
    Less,
    /// <summary><c>&lt;=</c>.</summary>
    LessOrEqual,
    /// <summary><c>&gt;</c>.</summary>
    Greater,
    /// <summary><c>&gt;=</c>.</summary>
    GreaterOrEqual,
}

internal static class SyntaxChecks
{
    public static ImmutableArray<T> AtLeastTwo<T>(ImmutableArray<T> items, string name) =>
        !items.IsDefault && items.Length >= 2
            ? items
            : throw new ArgumentException("an && or || needs at least two operands; use the operand itself, or 1/0, otherwise", name);

    public static int SequenceHash<T>(ImmutableArray<T> items, int seed)
    {
        var hash = new HashCode();
        hash.Add(seed);
        foreach (var item in items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }
}

internal static class RelationalOperators
{
    public static string Text(this RelationalOperator op) => op switch
    {
        RelationalOperator.Equal => "==",
        RelationalOperator.NotEqual => "!=",
        RelationalOperator.Less => "<",
        RelationalOperator.LessOrEqual => "<=",
        RelationalOperator.Greater => ">",
        RelationalOperator.GreaterOrEqual => ">=",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    /// <summary>The operator seen from the other side: <c>a &lt; b</c> is <c>b &gt; a</c>.</summary>
    public static RelationalOperator Turn(this RelationalOperator op) => op switch
    {
        RelationalOperator.Less => RelationalOperator.Greater,
        RelationalOperator.LessOrEqual => RelationalOperator.GreaterOrEqual,
        RelationalOperator.Greater => RelationalOperator.Less,
        RelationalOperator.GreaterOrEqual => RelationalOperator.LessOrEqual,
        _ => op,
    };

    /// <summary>The complement, as OVN's <c>expr_not</c> applies it to a comparison.</summary>
    public static RelationalOperator Invert(this RelationalOperator op) => op switch
    {
        RelationalOperator.Equal => RelationalOperator.NotEqual,
        RelationalOperator.NotEqual => RelationalOperator.Equal,
        RelationalOperator.Less => RelationalOperator.GreaterOrEqual,
        RelationalOperator.LessOrEqual => RelationalOperator.Greater,
        RelationalOperator.Greater => RelationalOperator.LessOrEqual,
        RelationalOperator.GreaterOrEqual => RelationalOperator.Less,
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    public static bool IsOrdering(this RelationalOperator op) => op is not (RelationalOperator.Equal or RelationalOperator.NotEqual);

    public static bool IsUpward(this RelationalOperator op) => op is RelationalOperator.Less or RelationalOperator.LessOrEqual;

    public static bool IsDownward(this RelationalOperator op) => op is RelationalOperator.Greater or RelationalOperator.GreaterOrEqual;
}
