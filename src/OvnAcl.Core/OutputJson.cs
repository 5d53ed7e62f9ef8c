using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using OvnAcl.Northbound.Formatting;
using OvnAcl.Reconciliation;

namespace OvnAcl;

/// <summary>
/// The one JSON form of every machine-readable output (<c>--json</c>): snake_case names, as OVSDB's own columns are
/// (<c>external_ids</c>, <c>port_group</c>), indented, non-ASCII and match syntax (<c>&amp;&amp;</c>, <c>&lt;</c>) unescaped.
/// </summary>
internal static class OutputJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NewLine = "\n",
    };

    public static OutputJsonContext Context { get; } = new(new JsonSerializerOptions(Options));

    /// <summary>Names of hand-built <see cref="System.Text.Json.Nodes.JsonNode"/> objects, spelled by the same policy.</summary>
    public static string Name(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}

[JsonSerializable(typeof(RowsJson))]
[JsonSerializable(typeof(ReconcilePlanJson))]
[JsonSerializable(typeof(OwnedRowsJson))]
internal sealed partial class OutputJsonContext : JsonSerializerContext;
