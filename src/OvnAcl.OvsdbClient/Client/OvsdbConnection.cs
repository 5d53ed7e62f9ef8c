using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OvnAcl.Ovsdb.Protocol;

namespace OvnAcl.Ovsdb;

/// <summary>
/// One JSON-RPC connection to one OVSDB server, with the RFC 7047 methods typed. It does not reconnect:
/// <see cref="OvsdbClient"/> does that, and is what most callers want.
/// </summary>
public sealed partial class OvsdbConnection : IAsyncDisposable
{
    private readonly JsonRpcConnection _rpc;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, MonitorBinding> _monitors = new(StringComparer.Ordinal);
    private int _nextMonitor;

    private OvsdbConnection(OvsdbRemote remote, Stream stream, OvsdbConnectionOptions options)
    {
        Remote = remote;
        _logger = options.LoggerFactory.CreateLogger<OvsdbConnection>();
        _rpc = new JsonRpcConnection(
            stream,
            remote.Text,
            new JsonRpcOptions { MaxMessageSize = options.MaxMessageSize, ProbeInterval = options.ProbeInterval },
            OnInboundAsync,
            _logger);
    }

    /// <summary>The remote this connection was opened to.</summary>
    public OvsdbRemote Remote { get; }

    /// <summary>Completes when the connection has ended; <see cref="CloseReason"/> says why.</summary>
    public Task Completion => _rpc.Completion;

    /// <summary>Why the connection ended (the server closed it, a protocol error, a disposal); null while it is open or when it was closed by <c>DisposeAsync</c> without error.</summary>
    public Exception? CloseReason => _rpc.CloseReason;

    /// <summary>False once the connection has ended for any reason; requests sent then fail with <see cref="OvsdbConnectionException"/>.</summary>
    public bool IsOpen => _rpc.IsOpen;

    /// <summary>Raised when the server grants a lock we waited for (RFC 7047 §4.1.9 <c>locked</c>).</summary>
    public event Action<string>? LockGranted;

    /// <summary>Raised when another client stole a lock we held (RFC 7047 §4.1.10 <c>stolen</c>).</summary>
    public event Action<string>? LockStolen;

    /// <summary>Raised when the server cancels a monitor, e.g. after a schema conversion (ovsdb-server(7) <c>monitor_canceled</c>).</summary>
    public event Action<OvsdbReplica>? MonitorCanceled;

    /// <summary>Opens a connection to <paramref name="remote"/> (TCP, unix socket or TLS with <see cref="OvsdbConnectionOptions.Tls"/>) and starts reading; no request is sent yet.</summary>
    /// <exception cref="OvsdbConnectionException">The remote refused or did not answer within the connect timeout, or the TLS handshake failed.</exception>
    public static async Task<OvsdbConnection> ConnectAsync(OvsdbRemote remote, OvsdbConnectionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        options ??= OvsdbConnectionOptions.Default;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        Stream stream;
        try
        {
            stream = await OvsdbTransportConnector.ConnectAsync(remote, options.Tls, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OvsdbConnectionException(remote.Text, $"no connection within {options.ConnectTimeout.TotalSeconds:0.#} s");
        }

        var connection = new OvsdbConnection(remote, stream, options);
        connection._rpc.Start();
        return connection;
    }

    /// <summary>Closes the connection; requests still waiting fail with <see cref="OvsdbConnectionException"/>.</summary>
    public ValueTask DisposeAsync() => _rpc.DisposeAsync();

    /// <summary>Cuts the connection for a reason of the caller's (e.g. the server is not the cluster leader).</summary>
    public void Close(Exception? reason) => _rpc.Close(reason);

    internal int PendingRequests => _rpc.PendingCount;

    /// <summary>RFC 7047 §4.1.1 <c>list_dbs</c>.</summary>
    public async Task<IReadOnlyList<string>> ListDatabasesAsync(CancellationToken cancellationToken = default)
    {
        using var reply = await _rpc.InvokeAsync("list_dbs", static w =>
        {
            w.WriteStartArray();
            w.WriteEndArray();
        }, cancellationToken).ConfigureAwait(false);
        if (reply.Result.ValueKind != JsonValueKind.Array)
        {
            throw new OvsdbProtocolException("list_dbs result is not an array");
        }

        return [.. reply.Result.EnumerateArray().Select(e => e.GetString() ?? throw new OvsdbProtocolException("list_dbs result holds a non-string"))];
    }

    /// <summary>RFC 7047 §4.1.2 <c>get_schema</c>.</summary>
    public async Task<DatabaseSchema> GetSchemaAsync(string database, CancellationToken cancellationToken = default)
    {
        using var reply = await _rpc.InvokeAsync("get_schema", w => WriteStringArray(w, database), cancellationToken).ConfigureAwait(false);
        try
        {
            return DatabaseSchema.Parse(reply.Result);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            throw new OvsdbProtocolException($"schema of {database} from {Remote} cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// RFC 7047 §4.1.3 <c>transact</c>. Operation and commit errors come back in the result, not as exceptions.
    /// A lost connection throws <see cref="OvsdbConnectionException"/>: unless its <c>RequestNotSent</c> is set,
    /// the transaction may or may not have committed. Cancelling asks the server to cancel (§4.1.4), which only
    /// helps a transaction still waiting; the outcome is then unknown too.
    /// </summary>
    public async Task<OvsdbTransactionResult> TransactAsync(OvsdbTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        JsonRpcReply reply;
        try
        {
            reply = await _rpc.InvokeAsync("transact", transaction.WriteParams, cancellationToken, cancelOnServer: true).ConfigureAwait(false);
        }
        catch (OvsdbServerException ex)
        {
            // A JSON-RPC level error (e.g. "unknown database"): nothing was executed.
            return OvsdbTransactionResult.FromRpcError(ex);
        }

        using (reply)
        {
            return OvsdbTransactionResult.Parse(transaction, reply.Result);
        }
    }

    /// <summary>RFC 7047 §4.1.11 <c>echo</c>: a round trip that proves the server alive.</summary>
    public async Task EchoAsync(CancellationToken cancellationToken = default)
    {
        using var reply = await _rpc.InvokeAsync("echo", static w =>
        {
            w.WriteStartArray();
            w.WriteStringValue("ovnacl");
            w.WriteEndArray();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>ovsdb-server(7) <c>set_db_change_aware</c>: be told of schema changes by <c>monitor_canceled</c> instead of being disconnected.</summary>
    public async Task SetDbChangeAwareAsync(bool aware = true, CancellationToken cancellationToken = default)
    {
        using var reply = await _rpc.InvokeAsync("set_db_change_aware", w =>
        {
            w.WriteStartArray();
            w.WriteBooleanValue(aware);
            w.WriteEndArray();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>RFC 7047 §4.1.8 <c>lock</c>. Returns true when granted at once; otherwise <see cref="LockGranted"/> tells when.</summary>
    public Task<bool> LockAsync(string lockName, CancellationToken cancellationToken = default) => LockCallAsync("lock", lockName, cancellationToken);

    /// <summary>RFC 7047 §4.1.8 <c>steal</c>: take the lock from its owner, who is told <c>stolen</c>.</summary>
    public Task<bool> StealAsync(string lockName, CancellationToken cancellationToken = default) => LockCallAsync("steal", lockName, cancellationToken);

    /// <summary>RFC 7047 §4.1.8 <c>unlock</c>.</summary>
    public async Task UnlockAsync(string lockName, CancellationToken cancellationToken = default)
    {
        using var reply = await _rpc.InvokeAsync("unlock", w => WriteStringArray(w, lockName), cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> LockCallAsync(string method, string lockName, CancellationToken cancellationToken)
    {
        // RFC 7047 §4.1.8: a lock name is an <id>, [_a-zA-Z][_a-zA-Z0-9]*.
        if (!IsId(lockName))
        {
            throw new ArgumentException($"a lock name must match [_a-zA-Z][_a-zA-Z0-9]*, not \"{lockName}\"", nameof(lockName));
        }

        using var reply = await _rpc.InvokeAsync(method, w => WriteStringArray(w, lockName), cancellationToken).ConfigureAwait(false);
        return reply.Result.ValueKind == JsonValueKind.Object
            && reply.Result.TryGetProperty("locked"u8, out var locked)
            && locked.ValueKind == JsonValueKind.True;
    }

    private static bool IsId(string text) =>
        text.Length > 0 && (char.IsAsciiLetter(text[0]) || text[0] == '_') && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static void WriteStringArray(Utf8JsonWriter writer, string value)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(value);
        writer.WriteEndArray();
    }

    private ValueTask OnInboundAsync(JsonRpcInbound message)
    {
        var p = message.Params;
        switch (message.Method)
        {
            case "update":
                // RFC 7047 §4.1.6: [<json-value>, <table-updates>]
                ApplyNotification(message.Method, p, 2, UpdateFormat.Update1, hasTxnId: false);
                break;
            case "update2":
                // ovsdb-server(7) update2: [<json-value>, <table-updates2>]
                ApplyNotification(message.Method, p, 2, UpdateFormat.Update2, hasTxnId: false);
                break;
            case "update3":
                // ovsdb-server(7) update3: [<json-value>, <last-txn-id>, <table-updates2>]
                ApplyNotification(message.Method, p, 3, UpdateFormat.Update2, hasTxnId: true);
                break;
            case "locked":
                // RFC 7047 §4.1.9
                if (FirstString(p) is { } granted)
                {
                    LockGranted?.Invoke(granted);
                }

                break;
            case "stolen":
                // RFC 7047 §4.1.10
                if (FirstString(p) is { } stolen)
                {
                    LockStolen?.Invoke(stolen);
                }

                break;
            case "monitor_canceled":
                // ovsdb-server(7): [<json-value>] the monitor is gone, e.g. after a schema conversion.
                if (p.ValueKind == JsonValueKind.Array && p.GetArrayLength() == 1 && _monitors.TryRemove(MonitorKey(p[0]), out var canceled))
                {
                    MonitorCanceled?.Invoke(canceled.Replica);
                }
                else
                {
                    Log.UnknownMonitor(_logger, Remote.Text, message.Method, p.ValueKind == JsonValueKind.Array && p.GetArrayLength() > 0 ? p[0].GetRawText() : p.GetRawText());
                }

                break;
            default:
                Log.UnknownServerRequest(_logger, Remote.Text, message.Method);
                break;
        }

        return ValueTask.CompletedTask;
    }

    private void ApplyNotification(string method, JsonElement p, int arity, UpdateFormat format, bool hasTxnId)
    {
        if (p.ValueKind != JsonValueKind.Array || p.GetArrayLength() != arity)
        {
            throw new OvsdbProtocolException($"'{method}' notification must have {arity} parameters");
        }

        if (!_monitors.TryGetValue(MonitorKey(p[0]), out var binding))
        {
            // Not ours (or already canceled): nothing to apply, and nothing of ours is inconsistent.
            Log.UnknownMonitor(_logger, Remote.Text, method, p[0].GetRawText());
            OvsdbMetrics.UnexpectedReplies.Add(1);
            return;
        }

        // A non-string <last-txn-id> made GetString throw InvalidOperationException, which the read loop reported as a
        // read failure rather than as the server's protocol error.
        var txnId = !hasTxnId ? null
            : p[1].ValueKind == JsonValueKind.String ? p[1].GetString()
            : throw new OvsdbProtocolException($"'{method}' notification has a last-txn-id that is not a string: {p[1].GetRawText()}");
        binding.Replica.ApplyUpdate(p[arity - 1], format, txnId);
    }

    private static string MonitorKey(JsonElement id) => id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText();

    private static string? FirstString(JsonElement p) =>
        p.ValueKind == JsonValueKind.Array && p.GetArrayLength() > 0 && p[0].ValueKind == JsonValueKind.String ? p[0].GetString() : null;

    private sealed record MonitorBinding(string Id, OvsdbReplica Replica, UpdateFormat Format);
}
