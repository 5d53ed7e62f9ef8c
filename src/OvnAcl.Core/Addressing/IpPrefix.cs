using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OvnAcl.Addressing;

/// <summary>
/// An IPv4 or IPv6 prefix; IPv4 addresses live in the low 32 bits. Two dialects read and write it: Kubernetes'
/// strict one (<see cref="TryParseCidr"/>, host bits cleared; <see cref="ToString"/> is the OVN address-set form), used
/// for <c>ipBlock</c> arithmetic (<see cref="Subtract"/>) and pod-IP membership; and Neutron's netaddr-like one
/// (<see cref="TryParseNetaddr"/>, host bits kept; <see cref="ToNetaddrString"/>), in IpPrefix.Netaddr.cs.
/// </summary>
internal readonly partial record struct IpPrefix(bool IsIPv6, UInt128 Address, int Length) : IComparable<IpPrefix>
{
    public int Width => IsIPv6 ? 128 : 32;

    public bool IsHost => Length == Width;

    public static IpPrefix Host(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
            ? new(true, ToUInt128(address), 128)
            : new(false, ToUInt128(address), 32);

    /// <summary>
    /// Kubernetes' dialect: reads <c>a.b.c.d/n</c> or <c>x::y/n</c> strictly (four dotted decimals, no zone, 0 ≤ n ≤ width).
    /// <paramref name="hostBits"/> tells whether bits after the prefix were set; they are cleared, as Kubernetes does.
    /// </summary>
    public static bool TryParseCidr(string? text, out IpPrefix prefix, out bool hostBits)
    {
        prefix = default;
        hostBits = false;
        if (text is null)
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !TryParseAddress(text[..slash], out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            || text.Length - slash - 1 > 3)
        {
            return false;
        }

        var isV6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        if (length > (isV6 ? 128 : 32))
        {
            return false;
        }

        var value = ToUInt128(address);
        var masked = value & Mask(isV6 ? 128 : 32, length);
        hostBits = masked != value;
        prefix = new(isV6, masked, length);
        return true;
    }

    /// <summary>A plain address, strictly: dotted-quad IPv4 (no <c>10</c> or <c>10.1</c> shorthands) or IPv6 without a zone.</summary>
    public static bool TryParseAddress(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text) || text.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        // Parts as spans: a pod event parses its address here, and the address is all it should allocate.
        Span<byte> bytes = stackalloc byte[4];
        var count = 0;
        foreach (var range in text.AsSpan().Split('.'))
        {
            var part = text.AsSpan(range);
            if (count == 4 || part.Length is 0 or > 3 || !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[count]))
            {
                return false;
            }

            count++;
        }

        if (count != 4)
        {
            return false;
        }

        address = new IPAddress(bytes);
        return true;
    }

    public bool Contains(IpPrefix other) =>
        other.IsIPv6 == IsIPv6 && other.Length >= Length && (other.Address & Mask(Width, Length)) == Address;

    public bool Contains(IPAddress address) => Contains(Host(address));

    public bool Overlaps(IpPrefix other) => Contains(other) || other.Contains(this);

    /// <summary>
    /// This prefix minus <paramref name="excluded"/> as the fewest disjoint prefixes: a prefix untouched by every
    /// exclusion is kept whole, one inside an exclusion is dropped, any other is split in halves and each half
    /// examined again. Exact, and at most (length difference) prefixes per exclusion.
    /// </summary>
    public IReadOnlyList<IpPrefix> Subtract(IEnumerable<IpPrefix> excluded)
    {
        var family = IsIPv6;
        var exclusions = excluded.Where(e => e.IsIPv6 == family).Distinct().ToList();
        var result = new List<IpPrefix>();
        SubtractInto(this, exclusions, result);
        return result;
    }

    private static void SubtractInto(IpPrefix prefix, List<IpPrefix> exclusions, List<IpPrefix> result)
    {
        var overlapping = exclusions.Where(prefix.Overlaps).ToList();
        if (overlapping.Count == 0)
        {
            result.Add(prefix);
            return;
        }

        if (overlapping.Any(e => e.Contains(prefix)))
        {
            return;
        }

        // Every remaining exclusion is strictly inside: the prefix is not a host one, so it has two halves.
        var length = prefix.Length + 1;
        var upperBit = UInt128.One << (prefix.Width - length);
        SubtractInto(prefix with { Length = length }, overlapping, result);
        SubtractInto(new(prefix.IsIPv6, prefix.Address | upperBit, length), overlapping, result);
    }

    public static UInt128 Mask(int width, int length)
    {
        if (length == 0)
        {
            return UInt128.Zero;
        }

        var all = UInt128.MaxValue >> (128 - width);
        // A shift by 128 is a shift by 0 in C#: a full-length mask is spelled out.
        return length >= width ? all : all & ~(all >> length);
    }

    private static UInt128 ToUInt128(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        UInt128 value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    public IPAddress ToAddress()
    {
        var bytes = new byte[Width / 8];
        var value = Address;
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xff);
            value >>= 8;
        }

        return new IPAddress(bytes);
    }

    /// <summary>As OVN address sets hold it: a host prefix as its plain address, others as <c>address/length</c> (RFC 5952 for IPv6).</summary>
    public override string ToString() =>
        IsHost ? ToAddress().ToString() : ToAddress() + "/" + Length.ToString(CultureInfo.InvariantCulture);

    public int CompareTo(IpPrefix other) =>
        IsIPv6 != other.IsIPv6 ? IsIPv6.CompareTo(other.IsIPv6)
        : Address != other.Address ? Address.CompareTo(other.Address)
        : Length.CompareTo(other.Length);
}
