using System.Text.Json.Nodes;

namespace OvnAcl.Sandbox;

/// <summary>The OVN schemas the installed packages ship (Debian: ovn-common).</summary>
public static class OvnSchemas
{
    public const string Northbound = "/usr/share/ovn/ovn-nb.ovsschema";
    public const string Southbound = "/usr/share/ovn/ovn-sb.ovsschema";
    public const string NorthboundDatabase = "OVN_Northbound";
    public const string SouthboundDatabase = "OVN_Southbound";

    /// <summary>The version <see cref="WriteNorthboundWithAclTiers"/> gives its schema.</summary>
    public const string TieredNorthboundVersion = "7.0.4";

    /// <summary>
    /// Writes to <paramref name="path"/> the installed NB schema with what OVN 23.06 added for ACL tiers, as ovn-nb(5)
    /// documents it: the ACL column <c>tier</c> (integer, 0 to 3) and the action <c>pass</c>; version
    /// <see cref="TieredNorthboundVersion"/>. No OVN with tiers is installable here, so this stands for a 23.06+ NB
    /// server in tests of what a client sends it (ovsdb-server enforces the column and the enum); ovn-northd 23.03 cannot
    /// evaluate it. Returns <paramref name="path"/>.
    /// </summary>
    public static string WriteNorthboundWithAclTiers(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var schema = JsonNode.Parse(File.ReadAllText(Northbound))!.AsObject();
        schema["version"] = TieredNorthboundVersion;
        schema.Remove("cksum");
        var columns = schema["tables"]!["ACL"]!["columns"]!.AsObject();
        if (!columns.ContainsKey("tier"))
        {
            columns["tier"] = JsonNode.Parse("""{"type": {"key": {"type": "integer", "minInteger": 0, "maxInteger": 3}}}""");
        }

        var actions = columns["action"]!["type"]!["key"]!["enum"]![1]!.AsArray();
        if (!actions.Any(a => a!.GetValue<string>() == "pass"))
        {
            actions.Add("pass");
        }

        File.WriteAllText(path, schema.ToJsonString());
        return path;
    }
}
