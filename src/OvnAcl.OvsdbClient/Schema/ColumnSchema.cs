namespace OvnAcl.Ovsdb;

/// <summary>One column of a table (RFC 7047 §3.2 <c>&lt;column-schema&gt;</c>).</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">What the column holds.</param>
/// <param name="Ephemeral">Not kept on disk: lost when the server restarts.</param>
/// <param name="Mutable">
/// Whether an update or mutate may change it after insert (an ovsdb-server extension, see ovsdb(7));
/// <c>_uuid</c> and <c>_version</c> are never mutable.
/// </param>
public sealed record ColumnSchema(string Name, ColumnType Type, bool Ephemeral = false, bool Mutable = true)
{
    /// <summary>The implicit columns every table has, which only the server writes.</summary>
    public bool IsImplicit => Name is TableSchema.UuidColumn or TableSchema.VersionColumn;
}
