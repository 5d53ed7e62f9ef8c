using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OvnAcl.Match;

using OvnAcl.Collections;
using OvnAcl.Northbound;

namespace OvnAcl.Acl.Building;

/// <summary>One parsed <c>addresses</c> or <c>port_security</c> entry: a MAC and the IP addresses (with prefix lengths) after it.</summary>
internal sealed record LspAddressEntry(MacAddress Mac, EquatableArray<(IPAddress Address, int PrefixLength)> Ips);

/// <summary>
/// Reads <c>Logical_Switch_Port</c> <c>addresses</c>/<c>port_security</c> entries the way ovn-northd's
/// <c>extract_lsp_addresses</c> does: <c>MAC [IP[/PLEN]]...</c>; the keywords <c>unknown</c>, <c>router</c> and
/// <c>dynamic</c> (alone, after a MAC or before an IP) name no static address and are skipped.
/// </summary>
internal static class LspAddressParser
{
    public static bool IsDynamic(string entry)
    {
        var words = Words(entry);
        return words.Length switch
        {
            1 => words[0] == "dynamic",
            2 => words[1] == "dynamic" || words[0] == "dynamic",
            _ => false,
        };
    }

    public static bool TryParse(string entry, out LspAddressEntry? parsed)
    {
        parsed = null;
        var words = Words(entry);
        if (words.Length == 0 || words[0] is "unknown" or "router" or "dynamic")
        {
            return false;
        }

        MacAddress mac;
        try
        {
            mac = MacAddress.Parse(words[0]);
        }
        catch (FormatException)
        {
            return false;
        }

        var ips = new List<(IPAddress, int)>();
        foreach (var word in words.Skip(1))
        {
            var slash = word.IndexOf('/', StringComparison.Ordinal);
            var text = slash < 0 ? word : word[..slash];
            if (!IPAddress.TryParse(text, out var address) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            {
                return false;
            }

            var width = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            var length = width;
            if (slash >= 0 && (!int.TryParse(word[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > width))
            {
                return false;
            }

            ips.Add((address, length));
        }

        parsed = new LspAddressEntry(mac, ips.ToArray());
        return true;
    }

    private static string[] Words(string entry) => entry.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
}
