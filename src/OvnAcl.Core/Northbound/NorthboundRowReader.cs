using OvnAcl.Collections;
using OvnAcl.Ovsdb;

namespace OvnAcl.Northbound;

/// <summary>
/// Decodes NB rows of a replica into the row model: the one reading of the <c>ACL</c> table (ovn-nb(5)) that the
/// reconciler, the policy view behind <c>explain</c> and <c>ovnacl show</c> share.
/// </summary>
public static class NorthboundRowReader
{
    /// <summary>An <c>ACL</c> row with its uuid; <c>tier</c> is 0 on a database without the column (before OVN 23.06).</summary>
    public static AclRow ReadAcl(OvsdbRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new()
        {
            Uuid = row.Uuid,
            Name = row.GetString("name"),
            Direction = row.GetString("direction") ?? "",
            Priority = (int)row["priority"].Keys[0].AsInteger(),
            Match = row.GetString("match") ?? "",
            Action = row.GetString("action") ?? "",
            Tier = row.TryGet("tier", out var tier) && tier.Count > 0 ? (int)tier.Keys[0].AsInteger() : 0,
            Log = row["log"].Count > 0 && row["log"].Keys[0].AsBoolean(),
            Severity = row.GetString("severity"),
            Meter = row.GetString("meter"),
            ExternalIds = ReadMap(row["external_ids"]),
            Options = ReadMap(row["options"]),
        };
    }

    /// <summary>A string-to-string map column (<c>external_ids</c>, <c>options</c>).</summary>
    public static EquatableMap ReadMap(OvsdbDatum datum)
    {
        var entries = new List<KeyValuePair<string, string>>(datum.Count);
        for (var i = 0; i < datum.Count; i++)
        {
            entries.Add(new(datum.Keys[i].AsString(), datum.Values[i].AsString()));
        }

        return new EquatableMap(entries);
    }
}
