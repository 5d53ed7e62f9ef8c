using System.Text.Json;

namespace OvnAcl.Ovsdb;

/// <summary>The monitor methods, newest first; a client falls back to older ones on servers that lack them.</summary>
public enum OvsdbMonitorMethod
{
    /// <summary>ovsdb-server(7) <c>monitor_cond_since</c>: resumes from a transaction id when the server keeps history (clustered databases).</summary>
    MonitorCondSince,
    /// <summary>ovsdb-server(7) <c>monitor_cond</c>: conditions and <c>update2</c> diffs.</summary>
    MonitorCond,
    /// <summary>RFC 7047 §4.1.5 <c>monitor</c>: whole rows in <c>update</c> notifications.</summary>
    Monitor,
}

/// <summary>How a monitor started: the method the server accepted, and whether it resumed from history.</summary>
public sealed record OvsdbMonitorStart(OvsdbMonitorMethod Method, bool ResumedFromHistory, long InitialRows);

public sealed partial class OvsdbConnection
{
    private const string ZeroTransactionId = "00000000-0000-0000-0000-000000000000";

    /// <summary>Starts replicating <paramref name="tables"/> of <paramref name="schema"/>'s database into a new replica that this connection keeps up to date.</summary>
    public async Task<OvsdbReplica> MonitorAsync(DatabaseSchema schema, IEnumerable<OvsdbTableMonitor> tables, CancellationToken cancellationToken = default)
    {
        var replica = new OvsdbReplica(schema, tables, _logger);
        await StartMonitorAsync(replica, OvsdbMonitorMethod.MonitorCondSince, cancellationToken).ConfigureAwait(false);
        return replica;
    }

    /// <summary>
    /// Subscribes <paramref name="replica"/> to this connection. With <c>monitor_cond_since</c> and a replica that knows its last
    /// transaction, the server sends only what changed since (found) or everything (not found); the replica applies either
    /// as one update. Falls back to <c>monitor_cond</c> and <c>monitor</c> when the server does not know the newer methods.
    /// </summary>
    public async Task<OvsdbMonitorStart> StartMonitorAsync(OvsdbReplica replica, OvsdbMonitorMethod preferred = OvsdbMonitorMethod.MonitorCondSince, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replica);
        var method = preferred;
        while (true)
        {
            var id = $"{replica.Schema.Name}-{Interlocked.Increment(ref _nextMonitor)}";
            var format = method == OvsdbMonitorMethod.Monitor ? UpdateFormat.Update1 : UpdateFormat.Update2;
            var since = replica.LastTransactionId;
            var resumed = false;
            long rows = 0;
            _monitors[id] = new MonitorBinding(id, replica, format);
            try
            {
                using var reply = await _rpc.InvokeAsync(
                    MethodName(method),
                    w => WriteMonitorParams(w, replica, id, method, since),
                    cancellationToken,
                    onResultInReadLoop: result =>
                    {
                        // Applied on the receive path so that no update for this monitor can overtake its initial contents.
                        if (method == OvsdbMonitorMethod.MonitorCondSince)
                        {
                            // ovsdb-server(7): result is [<found>, <last-txn-id>, <table-updates2>].
                            if (result.ValueKind != JsonValueKind.Array || result.GetArrayLength() != 3)
                            {
                                throw new OvsdbProtocolException("monitor_cond_since result must be [found, last-txn-id, updates]");
                            }

                            resumed = result[0].ValueKind == JsonValueKind.True;
                            var last = result[1].GetString();
                            rows = CountRows(result[2]);
                            if (resumed)
                            {
                                replica.ApplyUpdate(result[2], UpdateFormat.Update2, last);
                            }
                            else
                            {
                                replica.Replace(result[2], UpdateFormat.Update2, last);
                            }
                        }
                        else
                        {
                            rows = CountRows(result);
                            replica.Replace(result, format, null);
                        }
                    }).ConfigureAwait(false);
                return new OvsdbMonitorStart(method, resumed, rows);
            }
            catch (OvsdbServerException ex) when (ex.Error.Contains("unknown method", StringComparison.OrdinalIgnoreCase) && method != OvsdbMonitorMethod.Monitor)
            {
                _monitors.TryRemove(id, out _);
                method = method == OvsdbMonitorMethod.MonitorCondSince ? OvsdbMonitorMethod.MonitorCond : OvsdbMonitorMethod.Monitor;
            }
            catch
            {
                _monitors.TryRemove(id, out _);
                throw;
            }
        }
    }

    /// <summary>
    /// ovsdb-server(7) <c>monitor_cond_change</c>: replaces the conditions of some tables of a running monitor. The server
    /// then sends the rows that enter and leave the condition, which the replica applies as inserts and deletes.
    /// </summary>
    public async Task ChangeConditionsAsync(OvsdbReplica replica, IReadOnlyDictionary<string, IReadOnlyList<OvsdbCondition>?> where, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(where);
        var binding = _monitors.Values.FirstOrDefault(b => ReferenceEquals(b.Replica, replica))
            ?? throw new InvalidOperationException("the replica is not monitored on this connection");
        foreach (var table in where.Keys)
        {
            replica.GetLayout(table);
        }

        using var reply = await _rpc.InvokeAsync("monitor_cond_change", w =>
        {
            w.WriteStartArray();
            w.WriteStringValue(binding.Id);
            w.WriteStringValue(binding.Id);
            w.WriteStartObject();
            foreach (var (table, conditions) in where)
            {
                w.WritePropertyName(table);
                w.WriteStartArray();
                w.WriteStartObject();
                WriteWhere(w, conditions);
                w.WriteEndObject();
                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteEndArray();
        }, cancellationToken).ConfigureAwait(false);

        foreach (var (table, conditions) in where)
        {
            var layout = replica.GetLayout(table);
            layout.Monitor = layout.Monitor with { Where = conditions };
        }
    }

    /// <summary>RFC 7047 §4.1.7 <c>monitor_cancel</c>: stops the updates to <paramref name="replica"/>, which keeps its last contents.</summary>
    public async Task CancelMonitorAsync(OvsdbReplica replica, CancellationToken cancellationToken = default)
    {
        var binding = _monitors.Values.FirstOrDefault(b => ReferenceEquals(b.Replica, replica))
            ?? throw new InvalidOperationException("the replica is not monitored on this connection");
        using var reply = await _rpc.InvokeAsync("monitor_cancel", w =>
        {
            w.WriteStartArray();
            w.WriteStringValue(binding.Id);
            w.WriteEndArray();
        }, cancellationToken).ConfigureAwait(false);
        _monitors.TryRemove(binding.Id, out _);
    }

    private static string MethodName(OvsdbMonitorMethod method) => method switch
    {
        OvsdbMonitorMethod.MonitorCondSince => "monitor_cond_since",
        OvsdbMonitorMethod.MonitorCond => "monitor_cond",
        _ => "monitor",
    };

    private static long CountRows(JsonElement tableUpdates)
    {
        long n = 0;
        if (tableUpdates.ValueKind == JsonValueKind.Object)
        {
            foreach (var table in tableUpdates.EnumerateObject())
            {
                if (table.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var _ in table.Value.EnumerateObject())
                    {
                        n++;
                    }
                }
            }
        }

        return n;
    }

    private static void WriteMonitorParams(Utf8JsonWriter w, OvsdbReplica replica, string id, OvsdbMonitorMethod method, string? since)
    {
        // RFC 7047 §4.1.5 / ovsdb-server(7): [<db-name>, <json-value>, <monitor-requests>(, <last-txn-id>)]
        w.WriteStartArray();
        w.WriteStringValue(replica.Schema.Name);
        w.WriteStringValue(id);
        w.WriteStartObject();
        foreach (var table in replica.Tables)
        {
            var layout = replica.GetLayout(table);
            w.WritePropertyName(table);
            w.WriteStartObject();
            w.WriteStartArray("columns"u8);
            foreach (var column in layout.Columns)
            {
                w.WriteStringValue(column.Name);
            }

            w.WriteEndArray();
            if (method != OvsdbMonitorMethod.Monitor)
            {
                WriteWhere(w, layout.Monitor.Where);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        if (method == OvsdbMonitorMethod.MonitorCondSince)
        {
            w.WriteStringValue(since ?? ZeroTransactionId);
        }

        w.WriteEndArray();
    }

    private static void WriteWhere(Utf8JsonWriter w, IReadOnlyList<OvsdbCondition>? conditions)
    {
        w.WriteStartArray("where"u8);
        if (conditions is null || conditions.Count == 0)
        {
            // ovsdb-server(7): the boolean condition true selects every row.
            w.WriteBooleanValue(true);
        }
        else
        {
            foreach (var condition in conditions)
            {
                condition.WriteTo(w);
            }
        }

        w.WriteEndArray();
    }
}
