using System.Text.Json;

namespace OvnAcl.Sandbox;

/// <summary>
/// A database's contents as <c>ovsdb-client -f json dump</c> printed them: table name → rows, each row
/// column name → the column's value in RFC 7047 JSON (including <c>_uuid</c>).
/// </summary>
public sealed class OvsdbDump
{
    private OvsdbDump(IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>> tables) => Tables = tables;

    public IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>> Tables { get; }

    /// <summary>The rows of <paramref name="table"/>; throws when the dump has no such table (a typo, not an empty table).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> this[string table] =>
        Tables.TryGetValue(table, out var rows)
            ? rows
            : throw new KeyNotFoundException($"the dump has no table '{table}'; tables: {string.Join(", ", Tables.Keys)}");

    /// <summary>Parses the one-object-per-table output: <c>{"caption":"ACL table","data":[[…]],"headings":[…]}</c>.</summary>
    public static OvsdbDump Parse(string output)
    {
        var tables = new SortedDictionary<string, IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>>(StringComparer.Ordinal);
        var bytes = System.Text.Encoding.UTF8.GetBytes(output);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var caption = root.GetProperty("caption").GetString() ?? "";
            var name = caption.EndsWith(" table", StringComparison.Ordinal) ? caption[..^" table".Length] : caption;
            var headings = root.GetProperty("headings").EnumerateArray().Select(h => h.GetString() ?? "").ToArray();
            var rows = new List<IReadOnlyDictionary<string, JsonElement>>();
            foreach (var data in root.GetProperty("data").EnumerateArray())
            {
                var row = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                var i = 0;
                foreach (var value in data.EnumerateArray())
                {
                    row[headings[i++]] = value.Clone();
                }

                rows.Add(row);
            }

            tables[name] = rows;
        }

        return new OvsdbDump(tables);
    }
}
