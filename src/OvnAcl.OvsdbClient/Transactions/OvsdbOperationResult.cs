namespace OvnAcl.Ovsdb;

/// <summary>The server's answer to one operation of a transaction (RFC 7047 §5.2).</summary>
public sealed class OvsdbOperationResult
{
    private static readonly IReadOnlyList<IReadOnlyDictionary<string, OvsdbDatum>> NoRows = [];

    internal OvsdbOperationResult(
        bool executed,
        Guid? uuid = null,
        long? count = null,
        IReadOnlyList<IReadOnlyDictionary<string, OvsdbDatum>>? rows = null,
        string? error = null,
        string? details = null)
    {
        Executed = executed;
        Uuid = uuid;
        Count = count;
        Rows = rows ?? NoRows;
        Error = error;
        Details = details;
    }

    /// <summary>The <c>null</c> result of an operation not executed because an earlier one failed.</summary>
    internal static OvsdbOperationResult NotExecuted { get; } = new(executed: false);

    /// <summary>False when the server skipped the operation because an earlier one failed.</summary>
    public bool Executed { get; }

    /// <summary>True when the server executed the operation without error.</summary>
    public bool Succeeded => Executed && Error is null;

    /// <summary>For an insert, the new row's uuid.</summary>
    public Guid? Uuid { get; }

    /// <summary>For an update, mutate or delete, how many rows it matched.</summary>
    public long? Count { get; }

    /// <summary>For a select, the rows, decoded with the schema; empty otherwise.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, OvsdbDatum>> Rows { get; }

    /// <summary>The server's error string when the operation failed, e.g. <c>constraint violation</c>.</summary>
    public string? Error { get; }

    /// <summary>The server's <c>details</c> for a failed operation, e.g. which constraint a row broke; null otherwise.</summary>
    public string? Details { get; }

    /// <summary>The outcome in a line, for logs: uuid or count, or the error and details.</summary>
    public override string ToString() =>
        !Executed ? "not executed"
        : Error is not null ? $"error: {Error}{(Details is null ? "" : $": {Details}")}"
        : Uuid is { } uuid ? $"uuid {uuid}"
        : Count is { } count ? $"count {count}"
        : Rows.Count > 0 ? $"{Rows.Count} rows"
        : "ok";
}
