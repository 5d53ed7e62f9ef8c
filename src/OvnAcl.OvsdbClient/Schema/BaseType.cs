using System.Globalization;
using System.Text;

namespace OvnAcl.Ovsdb;

/// <summary>How a uuid column refers to its <see cref="BaseType.RefTable"/> (RFC 7047 §3.2 <c>refType</c>).</summary>
public enum OvsdbRefType
{
    /// <summary>The referenced row may not be deleted while referenced.</summary>
    Strong,

    /// <summary>The reference disappears when the referenced row is deleted.</summary>
    Weak,
}

/// <summary>The type of a column's keys or values: an atomic type and its constraints (RFC 7047 §3.2 <c>&lt;base-type&gt;</c>).</summary>
public sealed record BaseType
{
    /// <summary>A base type of <paramref name="type"/> with no constraints.</summary>
    public BaseType(OvsdbAtomicType type)
    {
        Type = type;
    }

    /// <summary>The atomic type of the values.</summary>
    public OvsdbAtomicType Type { get; init; }

    /// <summary>The only values allowed, as a set, or null when any value of the type is.</summary>
    public OvsdbDatum? Enum { get; init; }

    /// <summary>Smallest integer allowed (<c>minInteger</c>), or null for no bound.</summary>
    public long? MinInteger { get; init; }
    /// <summary>Largest integer allowed (<c>maxInteger</c>), or null for no bound.</summary>
    public long? MaxInteger { get; init; }
    /// <summary>Smallest real allowed (<c>minReal</c>), or null for no bound.</summary>
    public double? MinReal { get; init; }
    /// <summary>Largest real allowed (<c>maxReal</c>), or null for no bound.</summary>
    public double? MaxReal { get; init; }

    /// <summary>Minimum string length in Unicode characters, as OVS counts it.</summary>
    public long? MinLength { get; init; }

    /// <summary>Maximum string length in Unicode characters, as OVS counts it.</summary>
    public long? MaxLength { get; init; }

    /// <summary>For a uuid, the table whose rows it references, or null for a plain uuid.</summary>
    public string? RefTable { get; init; }

    /// <summary>For a reference (<see cref="RefTable"/> set): strong keeps the referenced row alive, weak drops the reference when the row is deleted.</summary>
    public OvsdbRefType RefType { get; init; } = OvsdbRefType.Strong;

    /// <summary>Any integer.</summary>
    public static BaseType Integer { get; } = new(OvsdbAtomicType.Integer);
    /// <summary>Any real.</summary>
    public static BaseType Real { get; } = new(OvsdbAtomicType.Real);
    /// <summary>Any boolean.</summary>
    public static BaseType Boolean { get; } = new(OvsdbAtomicType.Boolean);
    /// <summary>Any string.</summary>
    public static BaseType String { get; } = new(OvsdbAtomicType.String);
    /// <summary>Any uuid, referencing no table.</summary>
    public static BaseType Uuid { get; } = new(OvsdbAtomicType.Uuid);

    /// <summary>The unconstrained base type of <paramref name="type"/>, shared (no allocation).</summary>
    public static BaseType Of(OvsdbAtomicType type) => type switch
    {
        OvsdbAtomicType.Integer => Integer,
        OvsdbAtomicType.Real => Real,
        OvsdbAtomicType.Boolean => Boolean,
        OvsdbAtomicType.String => String,
        _ => Uuid,
    };

    /// <summary>This type without its enum, range and length constraints.</summary>
    internal BaseType Unconstrained => Of(Type);

    /// <summary>Why <paramref name="atom"/> is not a value of this type, or null when it is.</summary>
    internal string? Check(OvsdbAtom atom)
    {
        // A named-uuid stands for a uuid the server will assign (RFC 7047 §5.1).
        if (atom.Type != Type)
        {
            return $"{atom} is a {atom.Describe()} but the column holds {OvsdbAtom.TypeName(Type)}s";
        }

        if (Enum is { } allowed && !allowed.Contains(atom))
        {
            return $"{atom} is not one of the allowed values {allowed}";
        }

        switch (Type)
        {
            case OvsdbAtomicType.Integer:
                var integer = atom.AsInteger();
                if (integer < (MinInteger ?? long.MinValue) || integer > (MaxInteger ?? long.MaxValue))
                {
                    return $"{integer} is outside the range {Range(MinInteger, MaxInteger)}";
                }

                break;
            case OvsdbAtomicType.Real:
                var real = atom.AsReal();
                if (real < (MinReal ?? double.MinValue) || real > (MaxReal ?? double.MaxValue))
                {
                    return $"{atom} is outside the range {Range(MinReal, MaxReal)}";
                }

                break;
            case OvsdbAtomicType.String:
                var length = CountCharacters(atom.AsString());
                if (length < (MinLength ?? 0) || length > (MaxLength ?? long.MaxValue))
                {
                    return $"{atom} has {length} characters but the length must be {Range(MinLength, MaxLength)}";
                }

                break;
        }

        return null;
    }

    /// <summary>The type with its constraints, as the schema writes them, for messages.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(OvsdbAtom.TypeName(Type));
        if (Enum is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" in {Enum}");
        }

        if (MinInteger is not null || MaxInteger is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" {Range(MinInteger, MaxInteger)}");
        }

        if (MinReal is not null || MaxReal is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" {Range(MinReal, MaxReal)}");
        }

        if (MinLength is not null || MaxLength is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" of length {Range(MinLength, MaxLength)}");
        }

        if (RefTable is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" ({RefType.ToString().ToLowerInvariant()} reference to {RefTable})");
        }

        return text.ToString();
    }

    /// <summary>Characters as OVS counts string lengths: Unicode scalar values, i.e. UTF-8 sequences.</summary>
    private static long CountCharacters(string value)
    {
        var count = 0L;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static string Range<T>(T? min, T? max) where T : struct, IFormattable =>
        (min, max) switch
        {
            (null, null) => "unconstrained",
            ({ } lo, null) => $"at least {lo.ToString(null, CultureInfo.InvariantCulture)}",
            (null, { } hi) => $"at most {hi.ToString(null, CultureInfo.InvariantCulture)}",
            ({ } lo, { } hi) => $"{lo.ToString(null, CultureInfo.InvariantCulture)} to {hi.ToString(null, CultureInfo.InvariantCulture)}",
        };
}
