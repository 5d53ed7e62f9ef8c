using System.Text.Json;

namespace OvnAcl.Ovsdb;

/// <summary>A database's schema (RFC 7047 §3.2 <c>&lt;database-schema&gt;</c>), as <c>get_schema</c> returns it.</summary>
public sealed class DatabaseSchema
{
    internal DatabaseSchema(string name, string version, string? checksum, IReadOnlyDictionary<string, TableSchema> tables)
    {
        Name = name;
        Version = version;
        Checksum = checksum;
        Tables = tables;
    }

    /// <summary>The database's name, e.g. <c>OVN_Northbound</c>.</summary>
    public string Name { get; }

    /// <summary>The schema's <c>x.y.z</c> version.</summary>
    public string Version { get; }

    /// <summary>The <c>cksum</c> member, when the schema has one.</summary>
    public string? Checksum { get; }

    /// <summary>Every table of the schema, by name.</summary>
    public IReadOnlyDictionary<string, TableSchema> Tables { get; }

    /// <exception cref="OvsdbProtocolException">The JSON is not a valid schema.</exception>
    public static DatabaseSchema Parse(JsonElement json) => SchemaParser.ParseDatabase(json);

    /// <inheritdoc cref="Parse(JsonElement)"/>
    public static DatabaseSchema Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            return Parse(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or ArgumentException) // ArgumentException: an unpaired surrogate in the text
        {
            throw new OvsdbProtocolException($"The schema is not valid JSON: {e.Message}", e);
        }
    }

    /// <exception cref="ArgumentException">The database has no such table.</exception>
    public TableSchema GetTable(string name) =>
        Tables.TryGetValue(name, out var table)
            ? table
            : throw new ArgumentException($"Database {Name} has no table \"{name}\".", nameof(name));

    /// <summary>Name and version, e.g. <c>OVN_Northbound 7.3.0</c>.</summary>
    public override string ToString() => $"{Name} {Version}";
}
