using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OvnAcl.Match;

/// <summary>
/// Reads one "integer" token of OVN's lexer (ovn/lib/lex.c): decimal, <c>0x</c> hex, MAC, IPv4 or IPv6, with an
/// optional <c>/mask</c>, into a constant. Shared by the parser and by address-set contents.
/// </summary>
internal static class NumericLiteral
{
    public static bool TryClassify(string text, out MatchConstant? constant, out string? error) =>
        TryClassify(text.AsSpan(), out constant, out error);

    /// <summary>As <see cref="TryClassify(string, out MatchConstant?, out string?)"/>, reading the token in place: the lexer allocates no string for it.</summary>
    public static bool TryClassify(ReadOnlySpan<char> text, out MatchConstant? constant, out string? error)
    {
        constant = null;
        if (text.Length == 17 && IsMac(text))
        {
            constant = new MacConstant(MacValue(text));
        }
        else if (!text.ContainsAnyExceptInRange('0', '9'))
        {
            if (text.Length > 1 && text[0] == '0')
            {
                error = $"decimal constants must not have leading zeros: {text}";
                return false;
            }

            if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                error = $"decimal constants must be less than 2**64: {text}";
                return false;
            }

            constant = new IntegerConstant(value);
        }
        else if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            var digits = text[2..].TrimStart('0');
            if (text.Length == 2 || !IsHex(text[2..]))
            {
                error = $"invalid hexadecimal constant: {text}";
                return false;
            }

            if (digits.Length > 32)
            {
                error = $"hexadecimal constant requires more than 128 bits: {text}";
                return false;
            }

            constant = new IntegerConstant(digits.Length == 0 ? UInt128.Zero : UInt128.Parse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture), Hexadecimal: true);
        }
        else if (IsIpv4(text, out var v4))
        {
            constant = new Ipv4Constant(v4);
        }
        else if (text.Contains(':')
                 && IPAddress.TryParse(text, out var address)
                 && address.AddressFamily == AddressFamily.InterNetworkV6
                 && address.ScopeId == 0)
        {
            constant = Ipv6Constant.FromAddress(address);
        }
        else
        {
            error = $"invalid numeric constant: {text}";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Combines <c>value/mask</c> the way OVN's lexer does: a decimal after an address is a prefix length.</summary>
    public static MatchConstant WithMask(MatchConstant value, MatchConstant mask) =>
        (value, mask) switch
        {
            (Ipv4Constant or Ipv6Constant, IntegerConstant { Hexadecimal: false } length) when length.Value <= int.MaxValue =>
                new PrefixConstant(value, (int)length.Value),
            _ => new MaskedConstant(value, mask),
        };

    /// <summary>An address-set entry as ovn-northd stores it (<c>10.0.0.1</c>, <c>10.0.0.0/24</c>, <c>fd00::/64</c>, a MAC).</summary>
    public static MatchConstant ParseEntry(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var head = slash < 0 ? text : text[..slash];
        if (!TryClassify(head.Trim(), out var value, out var error))
        {
            throw new FormatException(error);
        }

        if (slash < 0)
        {
            return value!;
        }

        if (!TryClassify(text[(slash + 1)..].Trim(), out var mask, out error))
        {
            throw new FormatException(error);
        }

        return WithMask(value!, mask!);
    }

    private static bool IsMac(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < 17; i++)
        {
            var ok = i % 3 == 2 ? text[i] == ':' : char.IsAsciiHexDigit(text[i]);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    // Six "xx:" groups, already checked by IsMac (MacAddress.Parse reads the same value from a string).
    private static ulong MacValue(ReadOnlySpan<char> text)
    {
        ulong value = 0;
        for (var i = 0; i < 17; i += 3)
        {
            value = (value << 8) | byte.Parse(text.Slice(i, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }

        return value;
    }

    private static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    // Exactly four dot-separated parts of one to three decimal digits, each at most 255.
    private static bool IsIpv4(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        var parts = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (++parts > 4 || part.Length is 0 or > 3 || part.ContainsAnyExceptInRange('0', '9'))
            {
                return false;
            }

            var octet = int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
            if (octet > 255)
            {
                return false;
            }

            value = (value << 8) | (uint)octet;
        }

        return parts == 4;
    }
}
