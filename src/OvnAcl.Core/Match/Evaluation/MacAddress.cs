using System.Globalization;

namespace OvnAcl.Match;

/// <summary>A 48-bit Ethernet address; prints as <c>0a:00:00:00:00:01</c>.</summary>
public readonly record struct MacAddress(ulong Value)
{
    /// <summary>Parses <c>aa:bb:cc:dd:ee:ff</c>.</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is not six colon-separated hex bytes.</exception>
    public static MacAddress Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 6)
        {
            throw new FormatException($"not a MAC address: {text}");
        }

        ulong value = 0;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 2 || !byte.TryParse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var octet))
            {
                throw new FormatException($"not a MAC address: {text}");
            }

            value = (value << 8) | octet;
        }

        return new MacAddress(value);
    }

    /// <summary>Lower-case, colon-separated, as OVN writes MACs.</summary>
    public override string ToString()
    {
        Span<char> text = stackalloc char[17];
        for (var i = 0; i < 6; i++)
        {
            var octet = (byte)(Value >> (8 * (5 - i)));
            octet.TryFormat(text[(3 * i)..], out _, "x2", CultureInfo.InvariantCulture);
            if (i < 5)
            {
                text[(3 * i) + 2] = ':';
            }
        }

        return new string(text);
    }
}
