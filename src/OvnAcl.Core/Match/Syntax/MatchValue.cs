using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace OvnAcl.Match;

/// <summary>The right-hand side of a comparison: one <see cref="MatchConstant"/> or a <see cref="ValueSet"/>.</summary>
public abstract record MatchValue
{
    private protected MatchValue() { }

    /// <summary>Where the parser found this value; equality-neutral (<see cref="NodePosition"/>).</summary>
    internal NodePosition Position { get; set; }

    /// <summary>The value in OVN's match syntax.</summary>
    public sealed override string ToString() => MatchPrinter.PrintValue(this);
}

/// <summary>
/// <c>{a, b, …}</c>. A set means the same whatever its order or repetitions, so the elements are kept sorted and
/// without duplicates: two sets with the same members are equal and print the same.
/// </summary>
public sealed record ValueSet : MatchValue
{
    /// <summary><c>{a, b, ...}</c> of <paramref name="elements"/>, in the order given.</summary>
    public ValueSet(IEnumerable<MatchConstant> elements)
    {
        var sorted = SortedDistinct(elements);
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("OVN has no empty set literal: a set needs at least one element", nameof(elements));
        }

        Elements = sorted;
    }

    /// <summary>The set's elements, in source order.</summary>
    public ImmutableArray<MatchConstant> Elements { get; }

    /// <summary>Same elements in the same order.</summary>
    public bool Equals(ValueSet? other) => other is not null && Elements.AsSpan().SequenceEqual(other.Elements.AsSpan());

    /// <inheritdoc/>
    public override int GetHashCode() => SyntaxChecks.SequenceHash(Elements, 43);

    private const int SmallSet = 16;

    /// <summary>
    /// <c>Distinct().Order(ConstantOrder.Instance)</c>: the first of equal elements, stably sorted. A set written in a
    /// match has a few elements, which this orders in place without the hash set and sort buffers LINQ allocates.
    /// </summary>
    private static ImmutableArray<MatchConstant> SortedDistinct(IEnumerable<MatchConstant> elements)
    {
        var items = elements.ToArray();
        if (items.Length > SmallSet)
        {
            return items.Distinct().Order(ConstantOrder.Instance).ToImmutableArray();
        }

        var count = 0;
        foreach (var item in items)
        {
            var seen = false;
            for (var j = 0; j < count && !seen; j++)
            {
                seen = EqualityComparer<MatchConstant>.Default.Equals(items[j], item);
            }

            if (!seen)
            {
                items[count++] = item;
            }
        }

        // Insertion sort: stable, as Order is, so elements that compare equal keep their first-seen order.
        for (var i = 1; i < count; i++)
        {
            var item = items[i];
            var j = i - 1;
            for (; j >= 0 && ConstantOrder.Instance.Compare(items[j], item) > 0; j--)
            {
                items[j + 1] = items[j];
            }

            items[j + 1] = item;
        }

        return ImmutableArray.Create(items, 0, count);
    }
}

/// <summary>One constant: a number or address (optionally masked), a quoted string, or a <c>$set</c>/<c>@group</c> reference.</summary>
public abstract record MatchConstant : MatchValue
{
    private protected MatchConstant() { }
}

/// <summary>An integer written in decimal (below 2^64) or, with <see cref="Hexadecimal"/>, as <c>0x…</c> (up to 128 bits).</summary>
public sealed record IntegerConstant(UInt128 Value, bool Hexadecimal = false) : MatchConstant;

/// <summary>An IPv4 address, its 32 bits in <c>Value</c> (most significant first).</summary>
public sealed record Ipv4Constant(uint Value) : MatchConstant
{
    /// <summary>Parses a dotted IPv4 address.</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is not an IP address.</exception>
    public static Ipv4Constant Parse(string text) => FromAddress(IPAddress.Parse(text));

    /// <summary>The constant of an IPv4 <paramref name="address"/>.</summary>
    public static Ipv4Constant FromAddress(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork
            ? new(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes()))
            : throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));

    /// <summary>The address as an <see cref="IPAddress"/>.</summary>
    public IPAddress ToAddress()
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, Value);
        return new IPAddress(bytes);
    }
}

/// <summary>An IPv6 address, its 128 bits in <c>Value</c> (most significant first).</summary>
public sealed record Ipv6Constant(UInt128 Value) : MatchConstant
{
    /// <summary>Parses an IPv6 address.</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is not an IP address.</exception>
    public static Ipv6Constant Parse(string text) => FromAddress(IPAddress.Parse(text));

    /// <summary>The constant of an IPv6 <paramref name="address"/>.</summary>
    public static Ipv6Constant FromAddress(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
            ? new(System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(address.GetAddressBytes()))
            : throw new ArgumentException($"{address} is not an IPv6 address", nameof(address));

    /// <summary>The address as an <see cref="IPAddress"/>.</summary>
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
    /// <summary>Parses <c>aa:bb:cc:dd:ee:ff</c>.</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is not a MAC address.</exception>
    public static MacConstant Parse(string text) => new(MacAddress.Parse(text).Value);
}

/// <summary><c>value/mask</c> with both written in the same form, e.g. <c>0x10/0xf0</c> or a MAC with a MAC mask.</summary>
public sealed record MaskedConstant(MatchConstant Value, MatchConstant Mask) : MatchConstant;

/// <summary><c>address/length</c>: an IPv4 or IPv6 CIDR prefix such as <c>10.0.0.0/8</c> or <c>fd00::/64</c>.</summary>
public sealed record PrefixConstant(MatchConstant Address, int Length) : MatchConstant
{
    /// <summary>Parses <c>address/length</c>, IPv4 or IPv6.</summary>
    /// <exception cref="FormatException">The address or the length does not parse.</exception>
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

        var byFamily = Family(x).CompareTo(Family(y));
        if (byFamily != 0)
        {
            return byFamily;
        }

        return (x, y) switch
        {
            (StringConstant a, StringConstant b) => string.CompareOrdinal(a.Value, b.Value),
            (AddressSetRef a, AddressSetRef b) => string.CompareOrdinal(a.Name, b.Name),
            (PortGroupRef a, PortGroupRef b) => string.CompareOrdinal(a.Name, b.Name),
            _ => CompareNumbers(x, y),
        };
    }

    // Numbers of one family sort by value, whatever their form; at equal value plain before prefix before mask.
    private static int CompareNumbers(MatchConstant x, MatchConstant y)
    {
        var (xValue, xForm, xDetail, xHex) = Key(x);
        var (yValue, yForm, yDetail, yHex) = Key(y);
        return xValue != yValue ? xValue.CompareTo(yValue)
            : xForm != yForm ? xForm.CompareTo(yForm)
            : xDetail != yDetail ? xDetail.CompareTo(yDetail)
            : xHex.CompareTo(yHex);
    }

    private static (UInt128 Value, int Form, UInt128 Detail, bool Hex) Key(MatchConstant c) => c switch
    {
        IntegerConstant x => (x.Value, 0, 0, x.Hexadecimal),
        PrefixConstant x => (Key(x.Address).Value, 1, (UInt128)x.Length, false),
        MaskedConstant x => (Key(x.Value).Value, 2, Key(x.Mask).Value, Key(x.Value).Hex),
        Ipv4Constant x => (x.Value, 0, 0, false),
        Ipv6Constant x => (x.Value, 0, 0, false),
        MacConstant x => (x.Value, 0, 0, false),
        _ => (0, 0, 0, false),
    };

    private static int Family(MatchConstant c) => c switch
    {
        IntegerConstant => 0,
        Ipv4Constant => 1,
        Ipv6Constant => 2,
        MacConstant => 3,
        PrefixConstant p => Family(p.Address),
        MaskedConstant m => Family(m.Value),
        StringConstant => 4,
        AddressSetRef => 5,
        PortGroupRef => 6,
        _ => 7,
    };
}
