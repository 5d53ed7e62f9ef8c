using System.Globalization;
using System.Text.Json;
using OvnAcl.Northbound;
using OvnAcl.Reconciliation;
using OvnAcl.Testing;

namespace OvnAcl.Core.Tests.Reconciliation;

/// <summary>
/// The rows a controller owns, as sorted text lines, read either from a server's dump or from a desired state: equal
/// text means the database holds exactly the desired rows, members and ACLs (none missing, none extra, none twice).
/// </summary>
internal static class NbContents
{
    public static async Task<string> ReadAsync(string remote, string controller)
    {
        var dump = await OvsdbTool.DumpJsonAsync(remote, "OVN_Northbound");
        return FromDump(dump, controller);
    }

    public static string FromDump(OvsdbDump dump, string controller)
    {
        var ports = dump["Logical_Switch_Port"].ToDictionary(r => Uuid(r["_uuid"]), r => r["name"].GetString()!);
        var acls = dump["ACL"].ToDictionary(r => Uuid(r["_uuid"]));
        var lines = new List<string>();
        foreach (var pg in dump["Port_Group"].Where(r => Map(r["external_ids"]).GetValueOrDefault(DesiredState.OwnerControllerKey) == controller))
        {
            var name = pg["name"].GetString()!;
            lines.Add($"pg {name} {Text(Map(pg["external_ids"]))}");
            lines.AddRange(Atoms(pg["ports"]).Select(p => $"pg {name} port {ports.GetValueOrDefault(Uuid(p), "?" + Uuid(p))}"));
            lines.AddRange(Atoms(pg["acls"]).Select(a => $"pg {name} acl {Acl(acls[Uuid(a)])}"));
        }

        foreach (var set in dump["Address_Set"].Where(r => Map(r["external_ids"]).GetValueOrDefault(DesiredState.OwnerControllerKey) == controller))
        {
            var name = set["name"].GetString()!;
            lines.Add($"as {name} {Text(Map(set["external_ids"]))}");
            lines.AddRange(Atoms(set["addresses"]).Select(a => $"as {name} address {a.GetString()}"));
        }

        return Join(lines);
    }

    /// <summary>The desired rows; ports listed only when <paramref name="existingPorts"/> (null: all) has them, as the database can only hold those.</summary>
    public static string FromDesired(DesiredState state, ISet<string>? existingPorts = null)
    {
        var rows = state.Snapshot();
        var lines = new List<string>();
        foreach (var pg in rows.PortGroups)
        {
            lines.Add($"pg {pg.Name} {Text(pg.ExternalIds)}");
            lines.AddRange(pg.Ports.Where(p => existingPorts is null || existingPorts.Contains(p)).Select(p => $"pg {pg.Name} port {p}"));
            lines.AddRange(pg.Acls.Select(a => $"pg {pg.Name} acl {Acl(a)}"));
        }

        foreach (var set in rows.AddressSets)
        {
            lines.Add($"as {set.Name} {Text(set.ExternalIds)}");
            lines.AddRange(set.Addresses.Select(a => $"as {set.Name} address {a}"));
        }

        return Join(lines);
    }

    /// <summary>Polls the server until it holds exactly the desired rows, or fails with the last difference.</summary>
    public static async Task EventuallyEqualAsync(string remote, DesiredState state, TimeSpan timeout, ISet<string>? existingPorts = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var actual = await ReadAsync(remote, state.ControllerName);
            var expected = FromDesired(state, existingPorts);
            if (actual == expected)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Equal(expected, actual);
            }

            await Task.Delay(50);
        }
    }

    private static string Acl(IReadOnlyDictionary<string, JsonElement> row)
    {
        var name = Atoms(row["name"]).Select(a => a.GetString()).FirstOrDefault();
        var severity = Atoms(row["severity"]).Select(a => a.GetString()).FirstOrDefault();
        var meter = Atoms(row["meter"]).Select(a => a.GetString()).FirstOrDefault();
        return string.Join(" | ", row["direction"].GetString(), row["priority"].GetInt64().ToString(CultureInfo.InvariantCulture), row["match"].GetString(),
            row["action"].GetString(), name ?? "-", row["log"].GetBoolean() ? "log" : "nolog", severity ?? "-", meter ?? "-",
            Text(Map(row["options"])), Text(Map(row["external_ids"])));
    }

    private static string Acl(AclRow acl) =>
        string.Join(" | ", acl.Direction, acl.Priority.ToString(CultureInfo.InvariantCulture), acl.Match, acl.Action, acl.Name ?? "-",
            acl.Log ? "log" : "nolog", acl.Severity ?? "-", acl.Meter ?? "-", Text(acl.Options), Text(acl.ExternalIds));

    private static string Text(IEnumerable<KeyValuePair<string, string>> map) =>
        "{" + string.Join(",", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")) + "}";

    private static string Join(List<string> lines) => string.Join("\n", lines.Order(StringComparer.Ordinal));

    private static string Uuid(JsonElement value) => value[1].GetString()!;

    /// <summary>RFC 7047 §5.1: a set is <c>["set", [...]]</c> or one bare atom.</summary>
    private static IEnumerable<JsonElement> Atoms(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array && value[0].GetString() == "set" ? value[1].EnumerateArray() : [value];

    private static Dictionary<string, string> Map(JsonElement value) =>
        value[1].EnumerateArray().ToDictionary(p => p[0].GetString()!, p => p[1].GetString()!, StringComparer.Ordinal);
}
