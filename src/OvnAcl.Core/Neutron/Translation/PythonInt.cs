using System.Globalization;

namespace OvnAcl.Neutron;

/// <summary>
/// Python's <c>int(str)</c> in base 10, which Neutron applies to protocols and ports: surrounding whitespace, a
/// sign, leading zeros and single underscores between digits are all accepted (<c>" +0_6 "</c> is 6).
/// </summary>
internal static class PythonInt
{
    /// <summary>True when Python would read an integer; <paramref name="overflow"/> when it does not fit a long (still an integer to Python).</summary>
    public static bool TryParse(string text, out long value, out bool overflow)
    {
        value = 0;
        overflow = false;
        var s = text.AsSpan().Trim();
        if (s.IsEmpty)
        {
            return false;
        }

        var negative = false;
        if (s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.IsEmpty || s[0] == '_' || s[^1] == '_')
        {
            return false;
        }

        var previousUnderscore = false;
        foreach (var c in s)
        {
            if (c == '_')
            {
                if (previousUnderscore)
                {
                    return false;
                }

                previousUnderscore = true;
                continue;
            }

            previousUnderscore = false;
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.DecimalDigitNumber)
            {
                return false;
            }

            var digit = (long)CharUnicodeInfo.GetDecimalDigitValue(c);
            if (!overflow)
            {
                if (value > (long.MaxValue - digit) / 10)
                {
                    overflow = true;
                }
                else
                {
                    value = (value * 10) + digit;
                }
            }
        }

        if (negative)
        {
            value = -value;
        }

        return true;
    }
}
