using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace OvnAcl.Match;

/// <summary>The right-hand side of a comparison: one <see cref="MatchConstant"/> or a <see cref="ValueSet"/>.</summary>
public abstract record MatchValue
{
    private protected MatchValue() { }

    public sealed override string ToString() => MatchPrinter.PrintValue(this);
}

/// <summary>
/// <c>{a, b, …}</c>. A set means the same whatever its order or repetitions, so the elements are kept sorted and
/// without duplicates: two sets with the same members are equal and print the same.
/// </summary>
public sealed record ValueSet : MatchValue
{
    public ValueSet(IEnumerable<MatchConstant> elements)
    {
        var sorted = elements.Distinct().Order(ConstantOrder.Instance).ToImmutableArray();
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("OVN has no empty set literal: a set needs at least one element", nameof(elements));
        }

        Elements = sorted;
    }

    public ImmutableArray<MatchConstant> Elements { get; }

    public bool Equals(ValueSet? other) => other is not null && Elements.AsSpan().SequenceEqual(other.Elements.AsSpan());

    public override int GetHashCode() => SyntaxChecks.SequenceHash(Elements, 43);
}

/// <summary>One constant: a number or address (optionally masked), a quoted string, or a <c>$set</c>/<c>@group</c> reference.</summary>
public abstract record MatchConstant : MatchValue
{
    private protected MatchConstant() { }
}

/// <summary>An integer written in decimal (below 2^64) or, with <see cref="Hexadecimal"/>, as <c>0x…</c> (up to 128 bits).</summary>
public sealed record IntegerConstant(UInt128 Value, bool Hexadecimal = false) : MatchConstant;

public sealed record Ipv4Constant(uint Value) : MatchConstant
{
    public static Ipv4Constant Parse(string text) => FromAddress(IPAddress.Parse(text));

    public static Ipv4Constant FromAddress(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork
            ? new(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes()))
            : throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));

    public IPAddress ToAddress()
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, Value);
        return new IPAddress(bytes);
    }
}

public sealed record Ipv6Constant(UInt128 Value) : MatchConstant
{
    public static Ipv6Constant Parse(string text) => FromAddress(IPAddress.Parse(text));

    public static Ipv6Constant FromAddress(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
            ? new(System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(address.GetAddressBytes()))
            : throw new ArgumentException($"{address} is not an IPv6 address", nameof(address));

    public IPAddress ToAddress()
    {
        var bytes = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, Value);
        return new IPAddress(bytes);
    }
}

/// <summary>An Ethernet address, 48 bits in <see cref="Value"/>.</summary>
public sealed record MacConstant(ulong Value) : MatchConstant
{
    public static MacConstant Parse(string text) => new(MacAddress.Parse(text).Value);
}

/// <summary><c>value/mask</c> with both written in the same form, e.g. <c>0x10/0xf0</c> or a MAC with a MAC mask.</summary>
public sealed record MaskedConstant(MatchConstant Value, MatchConstant Mask) : MatchConstant;

/// <summary><c>address/length</c>: an IPv4 or IPv6 CIDR prefix such as <c>10.0.0.0/8</c> or <c>fd00::/64</c>.</summary>
public sealed record PrefixConstant(MatchConstant Address, int Length) : MatchConstant
{
    public static PrefixConstant Parse(string cidr)
    {
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(cidr[..slash]);
        var length = int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return new PrefixConstant(
            address.AddressFamily == AddressFamily.InterNetwork ? Ipv4Constant.FromAddress(address) : Ipv6Constant.FromAddress(address),
            length);
    }
}

/// <summary>A quoted string (JSON syntax), the values of <c>inport</c> and <c>outport</c>.</summary>
public sealed record StringConstant(string Value) : MatchConstant;

/// <summary><c>$name</c>: the addresses of an Address_Set row (or of a port group, <c>$pg_ip4</c>/<c>$pg_ip6</c>).</summary>
public sealed record AddressSetRef(string Name) : MatchConstant;

/// <summary><c>@name</c>: the logical ports of a Port_Group row.</summary>
public sealed record PortGroupRef(string Name) : MatchConstant;

/// <summary>The order a <see cref="ValueSet"/> keeps: kind of constant, then value (numbers numerically, names ordinally).</summary>
internal sealed class ConstantOrder : IComparer<MatchConstant>
{
    public static readonly ConstantOrder Instance = new();

    public int Compare(MatchConstant? x, MatchConstant? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var byKind = Rank(x).CompareTo(Rank(y));
        if (byKind != 0)
        {
            return byKind;
        }

        return (x, y) switch
        {
            (IntegerConstant a, IntegerConstant b) => a.Value != b.Value ? a.Value.CompareTo(b.Value) : a.Hexadecimal.CompareTo(b.Hexadecimal),
            (Ipv4Constant a, Ipv4Constant b) => a.Value.CompareTo(b.Value),
            (Ipv6Constant a, Ipv6Constant b) => a.Value.CompareTo(b.Value),
            (MacConstant a, MacConstant b) => a.Value.CompareTo(b.Value),
            (MaskedConstant a, MaskedConstant b) => Compare(a.Value, b.Value) is var c and not 0 ? c : Compare(a.Mask, b.Mask),
            (PrefixConstant a, PrefixConstant b) => Compare(a.Address, b.Address) is var c and not 0 ? c : a.Length.CompareTo(b.Length),
            (StringConstant a, StringConstant b) => string.CompareOrdinal(a.Value, b.Value),
            (AddressSetRef a, AddressSetRef b) => string.CompareOrdinal(a.Name, b.Name),
            (PortGroupRef a, PortGroupRef b) => string.CompareOrdinal(a.Name, b.Name),
            _ => 0,
        };
    }

    // A prefix or masked value sorts with its own family, right after the plain addresses of that family.
    private static (int Family, int Form) Rank(MatchConstant c) => c switch
    {
        IntegerConstant => (0, 0),
        Ipv4Constant => (1, 0),
        Ipv6Constant => (2, 0),
        MacConstant => (3, 0),
        PrefixConstant p => (Rank(p.Address).Family, 1),
        MaskedConstant m => (Rank(m.Value).Family, 2),
        StringConstant => (4, 0),
        AddressSetRef => (5, 0),
        PortGroupRef => (6, 0),
        _ => (7, 0),
    };
}
