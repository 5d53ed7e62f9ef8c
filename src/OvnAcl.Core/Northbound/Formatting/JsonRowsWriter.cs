using System.Text.Encodings.Web;
using System.Text.Json;
using OvnAcl.Collections;

namespace OvnAcl.Northbound.Formatting;

/// <summary>
/// <c>{"port_groups":[{"name","ports","external_ids","acls":[{"direction","priority","match","action","name","log",
/// "severity","meter","options","external_ids"}]}],"address_sets":[{"name","addresses","external_ids"}]}</c>;
/// <c>tier</c> appears on an ACL only when it is not 0. Absent optional columns are <c>null</c>.
/// </summary>
internal static class JsonRowsWriter
{
    public static void Write(NorthboundRows rows, TextWriter writer)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteStartArray("port_groups");
            foreach (var group in rows.PortGroups)
            {
                json.WriteStartObject();
                json.WriteString("name", group.Name);
                WriteStrings(json, "ports", group.Ports);
                WriteMap(json, "external_ids", group.ExternalIds);
                json.WriteStartArray("acls");
                foreach (var acl in group.Acls)
                {
                    json.WriteStartObject();
                    json.WriteString("direction", acl.Direction);
                    json.WriteNumber("priority", acl.Priority);
                    json.WriteString("match", acl.Match);
                    json.WriteString("action", acl.Action);
                    json.WriteString("name", acl.Name);
                    json.WriteBoolean("log", acl.Log);
                    json.WriteString("severity", acl.Severity);
                    json.WriteString("meter", acl.Meter);
                    if (acl.Tier != 0)
                    {
                        json.WriteNumber("tier", acl.Tier);
                    }

                    WriteMap(json, "options", acl.Options);
                    WriteMap(json, "external_ids", acl.ExternalIds);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("address_sets");
            foreach (var set in rows.AddressSets)
            {
                json.WriteStartObject();
                json.WriteString("name", set.Name);
                WriteStrings(json, "addresses", set.Addresses);
                WriteMap(json, "external_ids", set.ExternalIds);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        writer.Write(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        writer.Write('\n');
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, EquatableArray<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteMap(Utf8JsonWriter json, string name, EquatableMap map)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }
}
