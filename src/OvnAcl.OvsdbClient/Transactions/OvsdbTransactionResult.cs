using System.Text.Json;

namespace OvnAcl.Ovsdb;

/// <summary>How a transaction ended.</summary>
public enum OvsdbTransactionStatus
{
    /// <summary>Every operation succeeded and the server committed them.</summary>
    Committed,

    /// <summary>The server refused or rolled back the transaction; nothing of it was applied.</summary>
    Failed,

    /// <summary>The connection was lost after sending: the server may or may not have committed it.</summary>
    OutcomeUnknown,
}

/// <summary>The outcome of a <c>transact</c> request (RFC 7047 §4.1.3, §5.2).</summary>
public sealed class OvsdbTransactionResult
{
    private readonly IReadOnlyDictionary<string, Guid> _insertedUuids;

    private OvsdbTransactionResult(
        OvsdbTransactionStatus status,
        IReadOnlyList<OvsdbOperationResult> operations,
        OvsdbServerException? error,
        OvsdbException? outcomeUnknownCause,
        IReadOnlyDictionary<string, Guid> insertedUuids)
    {
        Status = status;
        Operations = operations;
        Error = error;
        OutcomeUnknownCause = outcomeUnknownCause;
        _insertedUuids = insertedUuids;
    }

    /// <summary>Committed, failed (the server refused it: <see cref="Error"/>) or outcome unknown (the connection was lost after it may have left).</summary>
    public OvsdbTransactionStatus Status { get; }

    /// <summary>True only when the server committed the transaction.</summary>
    public bool Succeeded => Status == OvsdbTransactionStatus.Committed;

    /// <summary>One result per operation, in order; empty when the server answered with no results.</summary>
    public IReadOnlyList<OvsdbOperationResult> Operations { get; }

    /// <summary>
    /// Why the transaction failed: the first failing operation's error (with its index), the commit's error
    /// (without one), or the request's JSON-RPC error. Null unless <see cref="Status"/> is Failed.
    /// </summary>
    public OvsdbServerException? Error { get; }

    /// <summary>The connection error that left the outcome unknown; null unless <see cref="Status"/> is OutcomeUnknown.</summary>
    public OvsdbException? OutcomeUnknownCause { get; }

    /// <summary>The uuid the server gave the row inserted with <paramref name="uuidName"/>.</summary>
    /// <exception cref="InvalidOperationException">The transaction did not commit.</exception>
    /// <exception cref="ArgumentException">No insert of the transaction had that uuid-name.</exception>
    public Guid GetInsertedUuid(string uuidName)
    {
        if (!Succeeded)
        {
            throw new InvalidOperationException($"The transaction did not commit ({Status}), so its inserted rows have no uuids.");
        }

        return _insertedUuids.TryGetValue(uuidName, out var uuid)
            ? uuid
            : throw new ArgumentException($"No insert of the transaction has the uuid-name \"{uuidName}\".", nameof(uuidName));
    }

    /// <summary>A transaction whose request was sent but whose reply never came.</summary>
    public static OvsdbTransactionResult OutcomeUnknown(OvsdbException cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        return new(OvsdbTransactionStatus.OutcomeUnknown, [], null, cause, new Dictionary<string, Guid>());
    }

    /// <summary>A transaction the server refused as a whole, with a JSON-RPC error (RFC 7047 §4.1.3), e.g. "unknown database".</summary>
    internal static OvsdbTransactionResult FromRpcError(OvsdbServerException error) =>
        new(OvsdbTransactionStatus.Failed, [], error, null, new Dictionary<string, Guid>());

    /// <summary>
    /// Reads the <c>result</c> of a <c>transact</c> reply (RFC 7047 §4.1.3): one element per operation, an
    /// error object where an operation failed, <c>null</c> for those not executed after it, and one extra
    /// trailing error object when every operation succeeded but the commit failed.
    /// </summary>
    /// <exception cref="OvsdbProtocolException">The result does not have that shape.</exception>
    internal static OvsdbTransactionResult Parse(OvsdbTransaction transaction, JsonElement result)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var operations = transaction.Operations;
        if (result.ValueKind != JsonValueKind.Array)
        {
            throw new OvsdbProtocolException($"A transact result must be an array, got {result.ValueKind}.");
        }

        var length = result.GetArrayLength();
        if (length > operations.Count + 1)
        {
            throw new OvsdbProtocolException($"A transact of {operations.Count} operations got {length} results.");
        }

        var results = new OvsdbOperationResult[operations.Count];
        OvsdbServerException? error = null;
        for (var i = 0; i < operations.Count; i++)
        {
            results[i] = i < length ? ParseOperation(operations[i], result[i], i) : OvsdbOperationResult.NotExecuted;
            if (results[i].Error is { } opError && error is null)
            {
                error = new OvsdbServerException("transact", opError, results[i].Details, i);
            }
        }

        if (length == operations.Count + 1)
        {
            // RFC 7047 §4.1.3: all operations succeeded but the commit failed, e.g. a referential integrity violation.
            var commit = result[operations.Count];
            if (!TryReadError(commit, out var commitError, out var commitDetails))
            {
                throw new OvsdbProtocolException($"The result after the last operation must be an error object, got {commit.GetRawText()}.");
            }

            error ??= new OvsdbServerException("transact", commitError, commitDetails);
        }

        // RFC 7047 §4.1.3: an operation that was not executed, with no error before it, means the server gave up early.
        if (error is null && Array.Exists(results, r => !r.Executed))
        {
            throw new OvsdbProtocolException("The transact result skipped operations without reporting an error.");
        }

        var inserted = new Dictionary<string, Guid>(StringComparer.Ordinal);
        if (error is null)
        {
            foreach (var (name, index) in transaction.UuidNames)
            {
                inserted[name] = results[index].Uuid
                    ?? throw new OvsdbProtocolException($"The insert at operation {index} succeeded without giving a uuid: {result.GetRawText()}");
            }
        }

        return new(error is null ? OvsdbTransactionStatus.Committed : OvsdbTransactionStatus.Failed, results, error, null, inserted);
    }

    private static OvsdbOperationResult ParseOperation(OvsdbTransaction.Operation operation, JsonElement json, int index)
    {
        // RFC 7047 §4.1.3: null for an operation not executed because an earlier one failed.
        if (json.ValueKind == JsonValueKind.Null)
        {
            return OvsdbOperationResult.NotExecuted;
        }

        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new OvsdbProtocolException($"The result of operation {index} must be an object or null, got {json.GetRawText()}.");
        }

        if (TryReadError(json, out var error, out var details))
        {
            return new OvsdbOperationResult(executed: true, error: error, details: details);
        }

        switch (operation.Kind)
        {
            // RFC 7047 §5.2.1: {"uuid": <uuid>}. A clustered server whose commit failed (e.g. it lost leadership) answers
            // {} for operations and a trailing error, so a missing uuid is checked only once the commit is known good.
            case OvsdbTransaction.OperationKind.Insert:
                Guid? uuid = json.TryGetProperty("uuid", out var uuidJson)
                    ? OvsdbJson.ReadAtom(uuidJson, BaseType.Uuid).AsUuid()
                    : null;
                return new OvsdbOperationResult(executed: true, uuid: uuid);

            // RFC 7047 §5.2.2: {"rows": [<row>*]}.
            case OvsdbTransaction.OperationKind.Select:
                if (!json.TryGetProperty("rows", out var rowsJson) || rowsJson.ValueKind != JsonValueKind.Array)
                {
                    throw new OvsdbProtocolException($"The select at operation {index} has no \"rows\" array in its result.");
                }

                var rows = new List<IReadOnlyDictionary<string, OvsdbDatum>>(rowsJson.GetArrayLength());
                foreach (var row in rowsJson.EnumerateArray())
                {
                    rows.Add(OvsdbJson.ReadRow(row, operation.Table!));
                }

                return new OvsdbOperationResult(executed: true, rows: rows);

            // RFC 7047 §5.2.3–5.2.5: {"count": <integer>}.
            case OvsdbTransaction.OperationKind.Update or OvsdbTransaction.OperationKind.Mutate or OvsdbTransaction.OperationKind.Delete:
                var count = json.TryGetProperty("count", out var countJson) && countJson.ValueKind == JsonValueKind.Number && countJson.TryGetInt64(out var n)
                    ? n
                    : throw new OvsdbProtocolException($"The {operation.Kind.ToString().ToLowerInvariant()} at operation {index} has no \"count\" in its result.");
                return new OvsdbOperationResult(executed: true, count: count);

            // RFC 7047 §5.2.6–5.2.10: an empty object.
            default:
                return new OvsdbOperationResult(executed: true);
        }
    }

    /// <summary>RFC 7047 §3.1 error object: {"error": &lt;string&gt;, "details": &lt;string&gt;, …}.</summary>
    private static bool TryReadError(JsonElement json, out string error, out string? details)
    {
        error = "";
        details = null;
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("error", out var errorJson) || errorJson.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        error = errorJson.GetString()!;
        details = json.TryGetProperty("details", out var detailsJson) && detailsJson.ValueKind == JsonValueKind.String ? detailsJson.GetString() : null;
        return true;
    }
}
