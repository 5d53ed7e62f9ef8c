using OvnAcl.Collections;
using OvnAcl.Northbound;
using OvnAcl.Ovsdb;

namespace OvnAcl.Reconciliation;

/// <summary>
/// An <see cref="AclRow"/> as the columns of the NB <c>ACL</c> table (ovn-nb(5)) and back. Only the columns the
/// reconciler manages are written or compared; <c>label</c> and any newer column keep what the database holds.
/// </summary>
internal static class AclColumns
{
    private const string Tier = "tier";

    /// <summary>The columns of <paramref name="acl"/>, checked against the schema.</summary>
    /// <exception cref="UnsupportedRowException">The ACL needs a column or value this database's schema lacks.</exception>
    public static Dictionary<string, OvsdbDatum> ToColumns(AclRow acl, TableSchema table)
    {
        var columns = new Dictionary<string, OvsdbDatum>(StringComparer.Ordinal)
        {
            ["direction"] = OvsdbDatum.FromString(acl.Direction),
            ["priority"] = OvsdbDatum.FromInteger(acl.Priority),
            ["match"] = OvsdbDatum.FromString(acl.Match),
            ["action"] = OvsdbDatum.FromString(acl.Action),
            ["name"] = Optional(acl.Name),
            ["log"] = OvsdbDatum.FromBoolean(acl.Log),
            ["severity"] = Optional(acl.Severity),
            ["meter"] = Optional(acl.Meter),
            ["options"] = OvsdbDatum.StringMap(acl.Options),
            ["external_ids"] = OvsdbDatum.StringMap(acl.ExternalIds),
        };
        if (table.Columns.ContainsKey(Tier))
        {
            columns[Tier] = OvsdbDatum.FromInteger(acl.Tier);
        }
        else if (acl.Tier != 0)
        {
            throw new UnsupportedRowException($"ACL '{acl.Match}' has tier {acl.Tier}, but this database's ACL table has no column '{Tier}' (OVN 23.06 and later)");
        }

        foreach (var (name, value) in columns)
        {
            if (!table.Columns.TryGetValue(name, out var column))
            {
                throw new UnsupportedRowException($"this database's ACL table has no column '{name}'");
            }

            try
            {
                column.Type.Validate(value, table.Name, name);
            }
            catch (OvsdbValueException ex)
            {
                throw new UnsupportedRowException($"ACL '{acl.Match}': {ex.Message}");
            }
        }

        return columns;
    }

    /// <summary>The managed content of an ACL row of the replica (uuid left empty, so it compares with a desired row).</summary>
    public static AclRow FromRow(OvsdbRow row) => NorthboundRowReader.ReadAcl(row) with { Uuid = default };

    public static EquatableMap ToMap(OvsdbDatum datum) => NorthboundRowReader.ReadMap(datum);

    private static OvsdbDatum Optional(string? value) => value is null ? OvsdbDatum.Empty : OvsdbDatum.FromString(value);
}

/// <summary>A desired row this database cannot hold (reported as a conflict, never sent).</summary>
internal sealed class UnsupportedRowException(string message) : OvnAclException(message);
