using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OvnAcl.Addressing;

/// <summary>
/// Neutron's dialect: an IP network as Neutron's netaddr reads and writes it: <c>str(IPNetwork(x))</c> is <see cref="ToNetaddrString"/> (host
/// bits kept, <c>/32</c> or <c>/128</c> added), <c>str(IPNetwork(x).cidr)</c> is <see cref="Network"/>'s. IPv6 text is
/// glibc's <c>inet_ntop</c>, which netaddr calls: lower case, the longest run of two or more zero groups shortened
/// (the first on a tie), and an embedded IPv4 address for <c>::ffff:a.b.c.d</c> and <c>::a.b.c.d</c>.
/// </summary>
internal readonly partial record struct IpPrefix
{
    public int Version => IsIPv6 ? 6 : 4;

    public bool HasHostBits => Network() != this;

    /// <summary>
    /// Reads <c>address</c> or <c>address/length</c>, the address in dotted decimal (leading zeros read as decimal, as
    /// netaddr does) or IPv6 text, the length as a number or, for IPv4, a contiguous netmask. False for anything else,
    /// including forms netaddr also accepts but a Neutron API never returns (<c>10.1/8</c>).
    /// </summary>
    public static bool TryParseNetaddr(string text, out IpPrefix prefix)
    {
        prefix = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        var lengthText = slash < 0 ? null : text[(slash + 1)..];
        UInt128 address;
        bool isIPv6;
        if (addressText.Contains(':', StringComparison.Ordinal))
        {
            if (addressText.Contains('%', StringComparison.Ordinal) || addressText.Contains('[', StringComparison.Ordinal)
                || !IPAddress.TryParse(addressText, out var ip) || ip.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = ReadBigEndian(ip.GetAddressBytes());
            isIPv6 = true;
        }
        else if (TryParseIPv4(addressText, out var v4))
        {
            address = v4;
            isIPv6 = false;
        }
        else
        {
            return false;
        }

        var max = isIPv6 ? 128 : 32;
        int length;
        if (lengthText is null)
        {
            length = max;
        }
        else if (lengthText.Length is > 0 and <= 3 && lengthText.All(char.IsAsciiDigit))
        {
            length = int.Parse(lengthText, CultureInfo.InvariantCulture);
            if (length > max)
            {
                return false;
            }
        }
        else if (!isIPv6 && TryParseIPv4(lengthText, out var mask) && TryMaskLength((uint)mask, out length))
        {
        }
        else
        {
            return false;
        }

        prefix = new IpPrefix(isIPv6, address, length);
        return true;
    }

    /// <summary>The network: host bits cleared (netaddr's <c>.cidr</c>, Neutron's <c>normalized_cidr</c>).</summary>
    /// <remarks>Kubernetes prefixes never have host bits (<see cref="TryParseCidr"/> clears them).</remarks>
    public IpPrefix Network()
    {
        // A shift by 128 is a shift by 0 in .NET, so /0 is spelled out.
        var hostBits = Width - Length;
        var mask = Length == 0 ? UInt128.Zero : hostBits == 0 ? UInt128.MaxValue : ~((UInt128.One << hostBits) - 1);
        if (!IsIPv6)
        {
            mask &= uint.MaxValue;
        }

        return this with { Address = Address & mask };
    }

    /// <summary><c>str(IPNetwork(x))</c>: <c>address/length</c>, a host prefix included, the address as netaddr writes it.</summary>
    public string ToNetaddrString() => $"{NetaddrAddressText()}/{Length.ToString(CultureInfo.InvariantCulture)}";

    public string NetaddrAddressText() => IsIPv6 ? FormatIPv6(Address) : FormatIPv4((uint)Address);

    private static bool TryParseIPv4(string text, out UInt128 address)
    {
        address = 0;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        uint value = 0;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit))
            {
                return false;
            }

            var octet = uint.Parse(part, CultureInfo.InvariantCulture);
            if (octet > 255)
            {
                return false;
            }

            value = (value << 8) | octet;
        }

        address = value;
        return true;
    }

    private static bool TryMaskLength(uint mask, out int length)
    {
        length = System.Numerics.BitOperations.PopCount(mask);
        var expected = length == 0 ? 0u : uint.MaxValue << (32 - length);
        return mask == expected;
    }

    private static UInt128 ReadBigEndian(byte[] bytes)
    {
        UInt128 value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private static string FormatIPv4(uint value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value >> 24}.{(value >> 16) & 0xff}.{(value >> 8) & 0xff}.{value & 0xff}");

    private static string FormatIPv6(UInt128 value)
    {
        Span<int> words = stackalloc int[8];
        for (var i = 0; i < 8; i++)
        {
            words[i] = (int)(ushort)(value >> (16 * (7 - i)));
        }

        // The first longest run of zero groups, if at least two long (glibc inet_ntop6).
        int bestBase = -1, bestLength = 0, currentBase = -1, currentLength = 0;
        for (var i = 0; i < 8; i++)
        {
            if (words[i] == 0)
            {
                if (currentBase < 0)
                {
                    currentBase = i;
                    currentLength = 0;
                }

                currentLength++;
                if (currentLength > bestLength)
                {
                    bestBase = currentBase;
                    bestLength = currentLength;
                }
            }
            else
            {
                currentBase = -1;
            }
        }

        if (bestLength < 2)
        {
            bestBase = -1;
        }

        var text = new StringBuilder(40);
        for (var i = 0; i < 8; i++)
        {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLength)
            {
                if (i == bestBase)
                {
                    text.Append(':');
                }

                continue;
            }

            if (i != 0)
            {
                text.Append(':');
            }

            if (i == 6 && bestBase == 0 && (bestLength == 6 || (bestLength == 5 && words[5] == 0xffff)))
            {
                text.Append(FormatIPv4((uint)(value & uint.MaxValue)));
                return text.ToString();
            }

            text.Append(words[i].ToString("x", CultureInfo.InvariantCulture));
        }

        if (bestBase >= 0 && bestBase + bestLength == 8)
        {
            text.Append(':');
        }

        return text.ToString();
    }
}
