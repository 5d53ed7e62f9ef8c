namespace OvnAcl.Ovsdb;

/// <summary>What a <see cref="OvsdbMutation"/> does (RFC 7047 §5.1 <c>&lt;mutator&gt;</c>).</summary>
public enum OvsdbMutator
{
    /// <summary><c>+=</c> on an integer or real scalar, or each element of a set of them.</summary>
    Add,

    /// <summary><c>-=</c>.</summary>
    Subtract,

    /// <summary><c>*=</c>.</summary>
    Multiply,

    /// <summary><c>/=</c>.</summary>
    Divide,

    /// <summary><c>%=</c>, integers only.</summary>
    Modulo,

    /// <summary><c>insert</c>: add set elements, or map pairs whose keys are not present yet.</summary>
    Insert,

    /// <summary><c>delete</c>: remove set elements; from a map, the pairs of a map value or the keys of a set value.</summary>
    Delete,
}

/// <summary>One change of a <c>mutate</c> (RFC 7047 §5.1 <c>&lt;mutation&gt;</c>): <c>[column, mutator, value]</c>.</summary>
public readonly record struct OvsdbMutation(string Column, OvsdbMutator Mutator, OvsdbDatum Value)
{
    /// <c>[column, "insert", value]</c>: adds the elements (or pairs) of <paramref name="value"/> to a set or map column.
    public static OvsdbMutation Insert(string column, OvsdbDatum value) => new(column, OvsdbMutator.Insert, value);

    /// <c>[column, "delete", value]</c>: removes the elements of <paramref name="value"/> from a set column, or the keys (or pairs) from a map column.
    public static OvsdbMutation Delete(string column, OvsdbDatum value) => new(column, OvsdbMutator.Delete, value);

    /// <summary>The mutator as RFC 7047 §5.1 spells it.</summary>
    internal static string Spell(OvsdbMutator mutator) => mutator switch
    {
        OvsdbMutator.Add => "+=",
        OvsdbMutator.Subtract => "-=",
        OvsdbMutator.Multiply => "*=",
        OvsdbMutator.Divide => "/=",
        OvsdbMutator.Modulo => "%=",
        OvsdbMutator.Insert => "insert",
        OvsdbMutator.Delete => "delete",
        _ => throw new ArgumentOutOfRangeException(nameof(mutator), mutator, "Not an OVSDB mutator."),
    };

    /// <summary>The mutation as RFC 7047 JSON, for logs and messages.</summary>
    public override string ToString() => $"[\"{Column}\", \"{Spell(Mutator)}\", {Value}]";
}
