using System.Globalization;

namespace OvnAcl.Ovsdb;

/// <summary>
/// A column's type (RFC 7047 §3.2 <c>&lt;type&gt;</c>): a set of <see cref="Min"/> to <see cref="Max"/>
/// atoms of type <see cref="Key"/>, or, when <see cref="Value"/> is given, a map from keys to values.
/// </summary>
public sealed record ColumnType
{
    /// <summary>The value of <see cref="Max"/> for <c>"max": "unlimited"</c>.</summary>
    public const long Unlimited = long.MaxValue;

    /// <summary>A column of <paramref name="min"/> to <paramref name="max"/> elements of <paramref name="key"/>, or of key/value pairs when <paramref name="value"/> is set (RFC 7047 §3.2 <c>&lt;type&gt;</c>).</summary>
    public ColumnType(BaseType key, BaseType? value = null, int min = 1, long max = 1)
    {
        ArgumentNullException.ThrowIfNull(key);

        // RFC 7047 §3.2: min is 0 or 1, max at least 1 and at least min.
        if (min is < 0 or > 1 || max < 1 || max < min)
        {
            throw new ArgumentOutOfRangeException(nameof(max), $"A column type needs 0 <= min <= 1 <= max, not min {min} and max {max}.");
        }

        Key = key;
        Value = value;
        Min = min;
        Max = max;
    }

    /// <summary>The type of a set's elements, of a scalar, or of a map's keys.</summary>
    public BaseType Key { get; }

    /// <summary>The type of a map's values; null for a set or scalar.</summary>
    public BaseType? Value { get; }

    /// <summary>The fewest elements allowed: 0 makes the column optional, 1 required.</summary>
    public int Min { get; }

    /// <summary>The most elements allowed; <see cref="Unlimited"/> for <c>"unlimited"</c>.</summary>
    public long Max { get; }

    /// <summary>True when the column holds key/value pairs (<see cref="Value"/> is set).</summary>
    public bool IsMap => Value is not null;

    /// <summary>Exactly one atom, not a map.</summary>
    public bool IsScalar => Min == 1 && Max == 1 && Value is null;

    /// <summary>Not a map and not a scalar; this includes optional (0 or 1 element) columns.</summary>
    public bool IsSet => Value is null && !IsScalar;

    /// <summary>Zero or one element.</summary>
    public bool IsOptional => Min == 0 && Max == 1;

    /// <summary>More than one element allowed: ovsdb-server then sends update2 diffs as toggles, not new values.</summary>
    public bool IsComposite => Max > 1;

    /// <summary>Checks <paramref name="value"/> against this type and all its constraints.</summary>
    /// <exception cref="OvsdbValueException">The value does not fit, with the reason why.</exception>
    public void Validate(OvsdbDatum value, string table, string column)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Check(value, checkCount: true) is { } reason)
        {
            throw new OvsdbValueException(table, column, value.ToString(), reason);
        }
    }

    /// <summary>Why <paramref name="value"/> does not fit, or null when it does.</summary>
    internal string? Check(OvsdbDatum value, bool checkCount)
    {
        if (value.Count > 0 && value.IsMap != IsMap)
        {
            return IsMap ? $"expected a map of {Key} to {Value}, got a set" : $"expected a set of {Key}, got a map";
        }

        if (checkCount && (value.Count < Min || value.Count > Max))
        {
            return $"{value.Count} element{(value.Count == 1 ? "" : "s")} given but the column holds {Describe(Min, Max)}";
        }

        var keys = value.Keys;
        for (var i = 0; i < keys.Length; i++)
        {
            if (Key.Check(keys[i]) is { } keyReason)
            {
                return IsMap ? $"key {keyReason}" : keyReason;
            }

            if (IsMap && Value!.Check(value.Values[i]) is { } valueReason)
            {
                return $"value of key {keys[i]}: {valueReason}";
            }
        }

        return null;
    }

    internal ColumnType WithCount(int min, long max) => new(Key, Value, min, max);

    internal ColumnType WithoutValue() => new(Key, null, Min, Max);

    /// <summary>The type as the schema writes it, for messages.</summary>
    public override string ToString() =>
        IsScalar ? Key.ToString()
        : IsMap ? $"map of {Describe(Min, Max)} {Key} to {Value}"
        : $"set of {Describe(Min, Max)} {Key}";

    private static string Describe(int min, long max) =>
        (min, max) switch
        {
            (_, Unlimited) => $"{min.ToString(CultureInfo.InvariantCulture)} or more",
            (1, 1) => "exactly 1",
            _ when min == max => $"exactly {min.ToString(CultureInfo.InvariantCulture)}",
            _ => $"{min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}",
        };
}
