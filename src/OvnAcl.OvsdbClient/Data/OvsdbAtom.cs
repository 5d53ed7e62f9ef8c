using System.Buffers.Binary;

namespace OvnAcl.Ovsdb;

/// <summary>The five atomic types of RFC 7047 §3.1. The declaration order is the order atoms of different types sort in.</summary>
public enum OvsdbAtomicType
{
    /// <c>integer</c>: a 64-bit signed integer (RFC 7047 §3.1).
    Integer,
    /// <c>real</c>: an IEEE 754 double.
    Real,
    /// <c>boolean</c>.
    Boolean,
    /// <c>string</c>: UTF-8 text.
    String,
    /// <c>uuid</c>: a row's uuid, or a named-uuid standing for a row inserted in the same transaction.
    Uuid,
}

/// <summary>
/// One OVSDB atom (RFC 7047 §5.1 <c>&lt;atom&gt;</c>): an integer, real, boolean, string or uuid,
/// or a named-uuid, which only a <c>transact</c> request may carry.
/// </summary>
/// <remarks>
/// Atoms sort as OVS sorts them, so datums built from them have the server's canonical order:
/// numbers numerically, <c>false</c> before <c>true</c>, strings by the bytes of their UTF-8 form,
/// uuids by their 128-bit value (the order of their text form). Atoms of different types order by
/// <see cref="OvsdbAtomicType"/>; named-uuids sort after every real uuid, by name.
/// <c>default(OvsdbAtom)</c> is the integer 0, the atom OVS uses as the integer default.
/// The struct is 24 bytes: the payload in two 64-bit words plus one reference that is either the
/// string itself or a tag saying what the words hold.
/// </remarks>
public readonly struct OvsdbAtom : IEquatable<OvsdbAtom>, IComparable<OvsdbAtom>
{
    // null tag = integer; a string tag = string atom; NamedUuidTag = named-uuid; TypeTag = the rest.
    private readonly object? _tag;
    private readonly ulong _hi;
    private readonly ulong _lo;

    private OvsdbAtom(object? tag, ulong hi, ulong lo)
    {
        _tag = tag;
        _hi = hi;
        _lo = lo;
    }

    /// <summary>An <c>integer</c> atom.</summary>
    public static OvsdbAtom Integer(long value) => new(null, 0, unchecked((ulong)value));

    /// <summary>A real atom. JSON has no NaN or infinity, so those are refused; <c>-0.0</c> becomes <c>0.0</c>.</summary>
    public static OvsdbAtom Real(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "An OVSDB real must be finite (JSON cannot carry NaN or infinity).");
        }

        // Collapse -0.0 so equality, hashing and ordering agree.
        if (value == 0)
        {
            value = 0;
        }

        return new(TypeTag.Real, 0, unchecked((ulong)BitConverter.DoubleToInt64Bits(value)));
    }

    /// <summary>A <c>boolean</c> atom.</summary>
    public static OvsdbAtom Boolean(bool value) => new(TypeTag.Boolean, 0, value ? 1UL : 0UL);

    /// <summary>A <c>string</c> atom.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static OvsdbAtom String(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, 0, 0);
    }

    /// <summary>A <c>uuid</c> atom: <c>["uuid","..."]</c> on the wire.</summary>
    public static OvsdbAtom Uuid(Guid value)
    {
        Span<byte> bytes = stackalloc byte[16];
        value.TryWriteBytes(bytes, bigEndian: true, out _);
        return new(TypeTag.Uuid, BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    /// <summary>
    /// A named-uuid (RFC 7047 §5.1 <c>["named-uuid", id]</c>): a reference to a row inserted by the same
    /// transaction with that <c>uuid-name</c>. Only legal in requests. The name must be an RFC 7047 <c>&lt;id&gt;</c>.
    /// </summary>
    public static OvsdbAtom NamedUuid(string name)
    {
        if (!IsIdentifier(name))
        {
            throw new ArgumentException($"A uuid-name must match [_a-zA-Z][_a-zA-Z0-9]*, not \"{name}\".", nameof(name));
        }

        return new(new NamedUuidTag(name), 0, 0);
    }

    /// <summary>The atom's type; a named-uuid is of type <see cref="OvsdbAtomicType.Uuid"/>.</summary>
    public OvsdbAtomicType Type => _tag switch
    {
        null => OvsdbAtomicType.Integer,
        string => OvsdbAtomicType.String,
        TypeTag t => t.Type,
        _ => OvsdbAtomicType.Uuid,
    };

    /// <summary>True for a named-uuid (<c>["named-uuid", NAME]</c>), whose value the server assigns when the transaction commits.</summary>
    public bool IsNamedUuid => _tag is NamedUuidTag;

    /// <summary>The integer value.</summary>
    /// <exception cref="InvalidOperationException">The atom is not an integer.</exception>
    public long AsInteger() => _tag is null ? unchecked((long)_lo) : throw WrongType(OvsdbAtomicType.Integer);

    /// <summary>The real value.</summary>
    /// <exception cref="InvalidOperationException">The atom is not a real.</exception>
    public double AsReal() => ReferenceEquals(_tag, TypeTag.Real) ? BitConverter.Int64BitsToDouble(unchecked((long)_lo)) : throw WrongType(OvsdbAtomicType.Real);

    /// <summary>The boolean value.</summary>
    /// <exception cref="InvalidOperationException">The atom is not a boolean.</exception>
    public bool AsBoolean() => ReferenceEquals(_tag, TypeTag.Boolean) ? _lo != 0 : throw WrongType(OvsdbAtomicType.Boolean);

    /// <summary>The string value.</summary>
    /// <exception cref="InvalidOperationException">The atom is not a string.</exception>
    public string AsString() => _tag as string ?? throw WrongType(OvsdbAtomicType.String);

    /// <summary>The uuid; throws for a named-uuid, whose value only the server knows.</summary>
    public Guid AsUuid()
    {
        if (!ReferenceEquals(_tag, TypeTag.Uuid))
        {
            throw _tag is NamedUuidTag n
                ? new InvalidOperationException($"The atom is the named-uuid \"{n.Name}\", which has no value until the server assigns one.")
                : WrongType(OvsdbAtomicType.Uuid);
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], _lo);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The name of a named-uuid.</summary>
    /// <exception cref="InvalidOperationException">The atom is not a named-uuid.</exception>
    public string NamedUuidName => _tag is NamedUuidTag n
        ? n.Name
        : throw new InvalidOperationException($"The atom is a {Describe()}, not a named-uuid.");

    /// <summary>Same type and value; two named-uuids are equal when their names are.</summary>
    public bool Equals(OvsdbAtom other)
    {
        if (_hi != other._hi || _lo != other._lo)
        {
            return false;
        }

        return (_tag, other._tag) switch
        {
            (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
            (NamedUuidTag a, NamedUuidTag b) => string.Equals(a.Name, b.Name, StringComparison.Ordinal),
            var (a, b) => ReferenceEquals(a, b),
        };
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is OvsdbAtom other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _tag switch
    {
        string s => string.GetHashCode(s, StringComparison.Ordinal),
        NamedUuidTag n => HashCode.Combine(1, string.GetHashCode(n.Name, StringComparison.Ordinal)),
        _ => HashCode.Combine(_tag, _hi, _lo),
    };

    /// <summary>Orders by type first (integer, real, boolean, string, uuid), then by value: strings by their UTF-8 bytes (as OVS sorts them), uuids by value with named-uuids last. The order datums keep their elements in.</summary>
    public int CompareTo(OvsdbAtom other)
    {
        // As ints: Enum.CompareTo takes an object, and boxing both types here allocated 48 bytes per comparison (every
        // step of a merge, a sort or a binary search over a datum).
        var byType = ((int)Type).CompareTo((int)other.Type);
        if (byType != 0)
        {
            return byType;
        }

        switch (Type)
        {
            case OvsdbAtomicType.Integer:
                return AsInteger().CompareTo(other.AsInteger());
            case OvsdbAtomicType.Real:
                return AsReal().CompareTo(other.AsReal());
            case OvsdbAtomicType.Boolean:
                return _lo.CompareTo(other._lo);
            case OvsdbAtomicType.String:
                return CompareUtf8((string)_tag!, (string)other._tag!);
            default:
                var named = IsNamedUuid.CompareTo(other.IsNamedUuid);
                if (named != 0)
                {
                    return named;
                }

                if (IsNamedUuid)
                {
                    return string.CompareOrdinal(NamedUuidName, other.NamedUuidName);
                }

                var hi = _hi.CompareTo(other._hi);
                return hi != 0 ? hi : _lo.CompareTo(other._lo);
        }
    }

    /// <summary>Same type and value (<see cref="Equals(OvsdbAtom)"/>).</summary>
    public static bool operator ==(OvsdbAtom left, OvsdbAtom right) => left.Equals(right);
    /// <summary>Different type or value.</summary>
    public static bool operator !=(OvsdbAtom left, OvsdbAtom right) => !left.Equals(right);
    /// <summary><paramref name="left"/> sorts before <paramref name="right"/> (<see cref="CompareTo(OvsdbAtom)"/>).</summary>
    public static bool operator <(OvsdbAtom left, OvsdbAtom right) => left.CompareTo(right) < 0;
    /// <summary><paramref name="left"/> sorts before or equals <paramref name="right"/>.</summary>
    public static bool operator <=(OvsdbAtom left, OvsdbAtom right) => left.CompareTo(right) <= 0;
    /// <summary><paramref name="left"/> sorts after <paramref name="right"/>.</summary>
    public static bool operator >(OvsdbAtom left, OvsdbAtom right) => left.CompareTo(right) > 0;
    /// <summary><paramref name="left"/> sorts after or equals <paramref name="right"/>.</summary>
    public static bool operator >=(OvsdbAtom left, OvsdbAtom right) => left.CompareTo(right) >= 0;

    /// <summary>The atom in RFC 7047 §5.1 JSON, e.g. <c>42</c>, <c>"x"</c>, <c>["uuid","…"]</c>.</summary>
    public override string ToString() => OvsdbJson.ToJsonString(this);

    /// <summary>Compares as <c>strcmp</c> on the UTF-8 bytes would, i.e. by code point, without encoding.</summary>
    internal static int CompareUtf8(string a, string b)
    {
        var common = Math.Min(a.Length, b.Length);
        var i = a.AsSpan(0, common).CommonPrefixLength(b.AsSpan(0, common));
        if (i == common)
        {
            return a.Length.CompareTo(b.Length);
        }

        // UTF-16 order equals code point order except that surrogates (D800–DFFF, code points above FFFF)
        // must sort after E000–FFFF; shifting both ranges fixes that.
        return Fixup(a[i]).CompareTo(Fixup(b[i]));

        static int Fixup(char c) => c >= 0xE000 ? c - 0x800 : char.IsSurrogate(c) ? c + 0x2000 : c;
    }

    internal static bool IsIdentifier(string? name)
    {
        if (string.IsNullOrEmpty(name) || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    internal string Describe() => IsNamedUuid ? "named-uuid" : TypeName(Type);

    internal static string TypeName(OvsdbAtomicType type) => type switch
    {
        OvsdbAtomicType.Integer => "integer",
        OvsdbAtomicType.Real => "real",
        OvsdbAtomicType.Boolean => "boolean",
        OvsdbAtomicType.String => "string",
        _ => "uuid",
    };

    private InvalidOperationException WrongType(OvsdbAtomicType wanted) =>
        new($"The atom is a {Describe()}, not a {TypeName(wanted)}.");

    private sealed class TypeTag(OvsdbAtomicType type)
    {
        public static readonly TypeTag Real = new(OvsdbAtomicType.Real);
        public static readonly TypeTag Boolean = new(OvsdbAtomicType.Boolean);
        public static readonly TypeTag Uuid = new(OvsdbAtomicType.Uuid);

        public OvsdbAtomicType Type { get; } = type;
    }

    private sealed class NamedUuidTag(string name)
    {
        public string Name { get; } = name;
    }
}
