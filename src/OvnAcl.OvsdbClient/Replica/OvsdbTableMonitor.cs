namespace OvnAcl.Ovsdb;

/// <summary>
/// One table the client replicates: which columns (all when null), which rows (a <c>monitor_cond</c>
/// condition, all when null), and which lookups the replica keeps indexed.
/// </summary>
public sealed record OvsdbTableMonitor(string Table)
{
    /// <summary>Columns to replicate; null replicates every column of the table.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Rows to replicate (RFC 7047 conditions, ANDed; ovsdb-server(7) <c>monitor_cond</c>); null replicates all.</summary>
    public IReadOnlyList<OvsdbCondition>? Where { get; init; }

    /// <summary>
    /// Indexed lookups: a scalar or optional string column (<c>"name"</c>), or a key of a string map column
    /// (<c>"external_ids:owner"</c>). Query them with <see cref="OvsdbReplica.Lookup"/>.
    /// </summary>
    public IReadOnlyList<string> Indexes { get; init; } = [];
}
