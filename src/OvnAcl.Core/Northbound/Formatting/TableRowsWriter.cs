using System.Globalization;
using OvnAcl.Collections;

namespace OvnAcl.Northbound.Formatting;

/// <summary>
/// One block per port group (external ids, members, then its ACLs as aligned columns) and per address set; a
/// column appears only when some row has a value in it.
/// </summary>
internal static class TableRowsWriter
{
    public static void Write(NorthboundRows rows, TextWriter writer)
    {
        var first = true;
        foreach (var group in rows.PortGroups)
        {
            if (!first)
            {
                writer.Write('\n');
            }

            first = false;
            writer.Write($"Port group {group.Name}{Ids(group.ExternalIds)}\n");
            writer.Write($"  ports: {(group.Ports.Count == 0 ? "(none)" : string.Join(", ", group.Ports))}\n");
            if (group.Acls.Count == 0)
            {
                continue;
            }

            var header = new[] { "DIRECTION", "PRIORITY", "ACTION", "NAME", "LOG", "OPTIONS", "MATCH" };
            var cells = group.Acls.Select(a => new[]
            {
                a.Direction + (a.Tier != 0 ? " tier " + a.Tier.ToString(CultureInfo.InvariantCulture) : ""),
                a.Priority.ToString(CultureInfo.InvariantCulture),
                a.Action,
                a.Name ?? "",
                a.Log ? (a.Severity ?? "log") + (a.Meter is { } m ? " meter=" + m : "") : "",
                string.Join(",", a.Options.Select(p => p.Key + "=" + p.Value)),
                a.Match,
            }).ToList();
            var shown = Enumerable.Range(0, header.Length).Where(c => c is 0 or 1 or 2 or 6 || cells.Any(r => r[c].Length > 0)).ToList();
            var widths = shown.ToDictionary(c => c, c => Math.Max(header[c].Length, cells.Max(r => r[c].Length)));
            foreach (var row in cells.Prepend(header))
            {
                var line = string.Join("  ", shown.Select(c => c == shown[^1] ? row[c] : row[c].PadRight(widths[c])));
                writer.Write("  " + line.TrimEnd() + "\n");
            }
        }

        foreach (var set in rows.AddressSets)
        {
            if (!first)
            {
                writer.Write('\n');
            }

            first = false;
            writer.Write($"Address set {set.Name}{Ids(set.ExternalIds)}\n");
            writer.Write($"  addresses: {(set.Addresses.Count == 0 ? "(none)" : string.Join(", ", set.Addresses))}\n");
        }
    }

    private static string Ids(EquatableMap ids) =>
        ids.Count == 0 ? "" : "  (" + string.Join(" ", ids.Select(p => p.Key + "=" + p.Value)) + ")";
}
