using OvnAcl.Ovsdb;

namespace OvnAcl.Reconciliation;

/// <summary>
/// What a Northbound database's schema (as the server reports it: <see cref="OvsdbClient.Schema"/>) lets the compilers
/// write, so that a controller compiles for the server it talks to rather than for a version it was told.
/// </summary>
public static class NorthboundFeatures
{
    /// <summary>
    /// True when the <c>ACL</c> table has the <c>tier</c> column and its <c>action</c> accepts <c>pass</c> (OVN 23.06 and
    /// later, NB schema 7.0.3 on): compile Kubernetes cluster policies with
    /// <see cref="Kubernetes.KubernetesCompileOptions.AclTiers"/> for it. Read from the columns, not the version number,
    /// so a backport or a fork with the columns counts.
    /// </summary>
    public static bool HasAclTiers(DatabaseSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (!schema.Tables.TryGetValue("ACL", out var acl) || !acl.Columns.ContainsKey("tier") || !acl.Columns.TryGetValue("action", out var action))
        {
            return false;
        }

        try
        {
            action.Type.Validate(OvsdbDatum.FromString("pass"), acl.Name, "action");
            return true;
        }
        catch (OvsdbValueException)
        {
            return false;
        }
    }
}
