using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OvnAcl.Collections;

namespace OvnAcl.Northbound.Formatting;

/// <summary>
/// <c>{"port_groups":[{"name","ports","external_ids","acls":[{"direction","priority","match","action","name","log",
/// "severity","meter","options","external_ids"}]}],"address_sets":[{"name","addresses","external_ids"}]}</c>;
/// <c>tier</c> appears on an ACL only when it is not 0. Absent optional columns are <c>null</c>. Written as every
/// <c>--json</c> output is (<see cref="OutputJson"/>).
/// </summary>
internal static class JsonRowsWriter
{
    public static void Write(NorthboundRows rows, TextWriter writer)
    {
        var json = new RowsJson(
            [.. rows.PortGroups.Select(g => new PortGroupJson(g.Name, [.. g.Ports], Map(g.ExternalIds),
                [.. g.Acls.Select(a => new AclJson(a.Direction, a.Priority, a.Match, a.Action, a.Name, a.Log, a.Severity, a.Meter, a.Tier, Map(a.Options), Map(a.ExternalIds)))]))],
            [.. rows.AddressSets.Select(s => new AddressSetJson(s.Name, [.. s.Addresses], Map(s.ExternalIds)))]);
        if (writer is StreamWriter { Encoding: UTF8Encoding } stream)
        {
            // Straight into the stream, through the serializer's small buffer, rather than one string of it all.
            stream.Flush();
            JsonSerializer.Serialize(stream.BaseStream, json, OutputJson.Context.RowsJson);
        }
        else
        {
            writer.Write(JsonSerializer.Serialize(json, OutputJson.Context.RowsJson));
        }

        writer.Write('\n');
    }

    /// <summary>A map column in its order (a dictionary only ever added to enumerates in insertion order).</summary>
    private static Dictionary<string, string> Map(EquatableMap map)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            result[key] = value;
        }

        return result;
    }
}

internal sealed record RowsJson(IReadOnlyList<PortGroupJson> PortGroups, IReadOnlyList<AddressSetJson> AddressSets);

internal sealed record PortGroupJson(string Name, IReadOnlyList<string> Ports, IReadOnlyDictionary<string, string> ExternalIds, IReadOnlyList<AclJson> Acls);

internal sealed record AclJson(string Direction, int Priority, string Match, string Action, string? Name, bool Log, string? Severity, string? Meter,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Tier,
    IReadOnlyDictionary<string, string> Options, IReadOnlyDictionary<string, string> ExternalIds);

internal sealed record AddressSetJson(string Name, IReadOnlyList<string> Addresses, IReadOnlyDictionary<string, string> ExternalIds);
