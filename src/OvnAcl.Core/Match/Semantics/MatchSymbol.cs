namespace OvnAcl.Match;

/// <summary>OVN's level of measurement (ovn-sb(5), "Level of Measurement"); the order is the one OVN takes the minimum over.</summary>
internal enum SymbolLevel
{
    /// <summary>Only equality, and only in a positive sense counting enclosing <c>!</c>.</summary>
    Nominal,
    /// <summary>A predicate built only from ordinal fields: <c>==</c>/<c>!=</c> and <c>!</c> are fine.</summary>
    Boolean,
    /// <summary>Maskable: every relational operator and bit selection.</summary>
    Ordinal,
}

/// <summary>Which address constants a field takes besides plain integers (a MAC on an IPv4 field is a mistake).</summary>
internal enum AddressKind
{
    None,
    Mac,
    Ipv4,
    Ipv6,
}

/// <summary>
/// A symbol of OVN's logical-flow symbol table (ovn/lib/logical-fields.c): a field, a subfield of one, or a
/// predicate standing for an expression. <see cref="Width"/> 0 means a string field.
/// </summary>
internal sealed class MatchSymbol
{
    private readonly Lazy<MatchExpr?> _prerequisite;
    private readonly Lazy<MatchExpr?> _expansion;

    public MatchSymbol(
        string name,
        int width,
        SymbolLevel level,
        AddressKind kind = AddressKind.None,
        string? prerequisite = null,
        string? predicate = null,
        string? parent = null,
        int parentOffset = 0)
    {
        Name = name;
        Width = width;
        DeclaredLevel = level;
        Kind = kind;
        PrerequisiteText = prerequisite;
        PredicateText = predicate;
        Parent = parent;
        ParentOffset = parentOffset;
        _prerequisite = new Lazy<MatchExpr?>(() => prerequisite is null ? null : MatchExpression.Parse(prerequisite));
        _expansion = new Lazy<MatchExpr?>(() => predicate is null ? null : MatchExpression.Parse(predicate));
    }

    public string Name { get; }

    public int Width { get; }

    public SymbolLevel DeclaredLevel { get; }

    public AddressKind Kind { get; }

    public string? PrerequisiteText { get; }

    public string? PredicateText { get; }

    /// <summary>For a subfield, the field whose bits <see cref="ParentOffset"/>.. it names.</summary>
    public string? Parent { get; }

    public int ParentOffset { get; }

    public bool IsString => Width == 0;

    public bool IsPredicate => PredicateText is not null;

    /// <summary>What OVN implicitly ands with every comparison on this symbol, e.g. <c>tcp</c> for <c>tcp.dst</c>.</summary>
    public MatchExpr? Prerequisite => _prerequisite.Value;

    /// <summary>The expression a predicate stands for, e.g. <c>ip.proto == 6</c> for <c>tcp</c>.</summary>
    public MatchExpr? Expansion => _expansion.Value;

    public override string ToString() => Name;
}
