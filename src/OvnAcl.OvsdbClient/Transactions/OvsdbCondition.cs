namespace OvnAcl.Ovsdb;

/// <summary>The comparison of a <see cref="OvsdbCondition"/> (RFC 7047 §5.1 <c>&lt;function&gt;</c>).</summary>
public enum OvsdbFunction
{
    /// <summary><c>&lt;</c>, for integer and real scalars only.</summary>
    LessThan,

    /// <summary><c>&lt;=</c>, for integer and real scalars only.</summary>
    LessOrEqual,

    /// <summary><c>==</c>.</summary>
    Equal,

    /// <summary><c>!=</c>.</summary>
    NotEqual,

    /// <summary><c>&gt;=</c>, for integer and real scalars only.</summary>
    GreaterOrEqual,

    /// <summary><c>&gt;</c>, for integer and real scalars only.</summary>
    GreaterThan,

    /// <summary><c>includes</c>: the column holds every element (or map pair) of the value.</summary>
    Includes,

    /// <summary><c>excludes</c>: the column holds none of the elements (or map pairs) of the value.</summary>
    Excludes,
}

/// <summary>One clause of a <c>where</c> (RFC 7047 §5.1 <c>&lt;condition&gt;</c>): <c>[column, function, value]</c>.</summary>
public readonly record struct OvsdbCondition(string Column, OvsdbFunction Function, OvsdbDatum Value)
{
    /// <summary>Selects the row whose <c>_uuid</c> is <paramref name="uuid"/>.</summary>
    public static OvsdbCondition UuidEquals(Guid uuid) => new(TableSchema.UuidColumn, OvsdbFunction.Equal, OvsdbDatum.FromUuid(uuid));

    /// <c>[column, "==", value]</c>: rows whose column equals <paramref name="value"/>.
    public static OvsdbCondition Equal(string column, OvsdbDatum value) => new(column, OvsdbFunction.Equal, value);

    /// <c>[column, "==", value]</c> for a string column, e.g. <c>Equal("name", "pg_web")</c>.
    public static OvsdbCondition Equal(string column, string value) => new(column, OvsdbFunction.Equal, OvsdbDatum.FromString(value));

    /// <c>[column, "!=", value]</c>: rows whose column differs from <paramref name="value"/>.
    public static OvsdbCondition NotEqual(string column, OvsdbDatum value) => new(column, OvsdbFunction.NotEqual, value);

    /// <c>[column, "includes", value]</c>: rows whose set or map column holds every element of <paramref name="value"/>.
    public static OvsdbCondition Includes(string column, OvsdbDatum value) => new(column, OvsdbFunction.Includes, value);

    /// <c>[column, "excludes", value]</c>: rows whose set or map column holds no element of <paramref name="value"/>.
    public static OvsdbCondition Excludes(string column, OvsdbDatum value) => new(column, OvsdbFunction.Excludes, value);

    /// <summary>The function as RFC 7047 §5.1 spells it.</summary>
    internal static string Spell(OvsdbFunction function) => function switch
    {
        OvsdbFunction.LessThan => "<",
        OvsdbFunction.LessOrEqual => "<=",
        OvsdbFunction.Equal => "==",
        OvsdbFunction.NotEqual => "!=",
        OvsdbFunction.GreaterOrEqual => ">=",
        OvsdbFunction.GreaterThan => ">",
        OvsdbFunction.Includes => "includes",
        OvsdbFunction.Excludes => "excludes",
        _ => throw new ArgumentOutOfRangeException(nameof(function), function, "Not an OVSDB function."),
    };

    /// <summary>Writes the condition as RFC 7047 §5.1 <c>&lt;condition&gt;</c>: <c>[column, function, value]</c>.</summary>
    internal void WriteTo(System.Text.Json.Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(Column);
        writer.WriteStringValue(Spell(Function));
        OvsdbJson.WriteDatum(writer, Value);
        writer.WriteEndArray();
    }

    /// <summary>The condition as RFC 7047 JSON, for logs and messages.</summary>
    public override string ToString() => $"[\"{Column}\", \"{Spell(Function)}\", {Value}]";
}
