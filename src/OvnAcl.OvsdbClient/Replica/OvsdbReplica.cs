using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OvnAcl.Ovsdb;

/// <summary>Which notification format a monitor speaks (RFC 7047 §4.1.6 "update"; ovsdb-server(7) "update2", "update3").</summary>
internal enum UpdateFormat
{
    Update1,
    Update2,
}

/// <summary>
/// An in-memory copy of the monitored tables of one database. A reader never sees half of an update:
/// each update is decoded completely before it is applied under the write lock, and
/// <see cref="Changed"/> is raised after it is visible, in the order the server committed.
/// </summary>
public sealed class OvsdbReplica
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, TableState> _tables = new(StringComparer.Ordinal);
    private string? _lastTransactionId;
    private long _version;
    private readonly ILogger _logger;

    internal OvsdbReplica(DatabaseSchema schema, IEnumerable<OvsdbTableMonitor> monitors, ILogger? logger = null)
    {
        Schema = schema;
        _logger = logger ?? NullLogger.Instance;
        foreach (var monitor in monitors)
        {
            var table = schema.GetTable(monitor.Table);
            _tables.Add(table.Name, new TableState(new ReplicaTableLayout(table, monitor)));
        }
    }

    /// <summary>The schema the replica's rows were decoded with.</summary>
    public DatabaseSchema Schema { get; }

    /// <summary>Raised after each update is applied, on the client's receive path: keep handlers short.</summary>
    public event Action<OvsdbReplicaChanges>? Changed;

    /// <summary>The id of the last transaction the replica reflects (<c>monitor_cond_since</c>), when the server keeps history.</summary>
    public string? LastTransactionId
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _lastTransactionId;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Incremented by every applied update; a cheap way to tell that something changed.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The monitored tables, by name.</summary>
    public IReadOnlyCollection<string> Tables => _tables.Keys;

    internal IEnumerable<OvsdbTableMonitor> Monitors => _tables.Values.Select(t => t.Layout.Monitor);

    internal ReplicaTableLayout GetLayout(string table) => GetTable(table).Layout;

    /// <summary>How many rows <paramref name="table"/> holds now.</summary>
    /// <exception cref="KeyNotFoundException"><paramref name="table"/> is not monitored.</exception>
    public int Count(string table)
    {
        var state = GetTable(table);
        _lock.EnterReadLock();
        try
        {
            return state.Rows.Count;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Rows in every monitored table together, e.g. for a metric.</summary>
    public long TotalRows
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _tables.Values.Sum(t => (long)t.Rows.Count);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>A snapshot of the rows of one table.</summary>
    public IReadOnlyList<OvsdbRow> GetRows(string table)
    {
        var state = GetTable(table);
        _lock.EnterReadLock();
        try
        {
            return [.. state.Rows.Values];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>The row of <paramref name="table"/> with <paramref name="uuid"/>, if the replica has it.</summary>
    /// <exception cref="KeyNotFoundException"><paramref name="table"/> is not monitored.</exception>
    public bool TryGetRow(string table, Guid uuid, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OvsdbRow? row)
    {
        var state = GetTable(table);
        _lock.EnterReadLock();
        try
        {
            return state.Rows.TryGetValue(uuid, out row);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Rows whose indexed column (or map key) equals <paramref name="value"/>; the index must be declared in <see cref="OvsdbTableMonitor.Indexes"/>.</summary>
    public IReadOnlyList<OvsdbRow> Lookup(string table, string index, string value)
    {
        var state = GetTable(table);
        if (!state.Indexes.TryGetValue(index, out var entries))
        {
            throw new ArgumentException($"table '{table}' has no index '{index}'; declare it in OvsdbTableMonitor.Indexes");
        }

        _lock.EnterReadLock();
        try
        {
            return entries.TryGetValue(value, out var uuids) ? [.. uuids.Select(u => state.Rows[u])] : [];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Runs <paramref name="reader"/> against a consistent view of every table (no update applies meanwhile).</summary>
    public T Read<T>(Func<IReadOnlyDictionary<string, IReadOnlyDictionary<Guid, OvsdbRow>>, T> reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _lock.EnterReadLock();
        try
        {
            return reader(_tables.ToDictionary(t => t.Key, t => (IReadOnlyDictionary<Guid, OvsdbRow>)t.Value.Rows, StringComparer.Ordinal));
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private TableState GetTable(string table) =>
        _tables.TryGetValue(table, out var state)
            ? state
            : throw new ArgumentException($"table '{table}' is not replicated; add it to the client's monitored tables");

    /// <summary>Applies one incremental update (RFC 7047 §4.1.6 <c>update</c>; ovsdb-server(7) <c>update2</c>/<c>update3</c>).</summary>
    internal void ApplyUpdate(JsonElement tableUpdates, UpdateFormat format, string? transactionId)
    {
        var decoded = Decode(tableUpdates, format);
        List<OvsdbRowChange> changes;
        _lock.EnterWriteLock();
        try
        {
            // Resolve every row first, so an update inconsistent with the replica is refused whole.
            changes = new List<OvsdbRowChange>(decoded.Count);
            foreach (var row in decoded)
            {
                changes.Add(row.Resolve(this));
            }

            foreach (var change in changes)
            {
                var state = _tables[change.Table];
                state.Put(change.Old, change.New);
                OvsdbMetrics.ReplicaRows.Add(change.Kind switch
                {
                    OvsdbRowChangeKind.Insert => 1,
                    OvsdbRowChangeKind.Delete => -1,
                    _ => 0,
                });
            }

            if (transactionId is not null)
            {
                _lastTransactionId = transactionId;
            }

            Interlocked.Increment(ref _version);
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        Publish(changes, transactionId, isResync: false);
    }

    /// <summary>
    /// Replaces the whole content with a monitor's initial reply (a first sync, or a resync the server could
    /// not serve from its history). Subscribers receive the difference from the content they knew.
    /// </summary>
    internal void Replace(JsonElement tableUpdates, UpdateFormat format, string? transactionId)
    {
        var decoded = Decode(tableUpdates, format);
        var fresh = _tables.ToDictionary(t => t.Key, _ => new Dictionary<Guid, OvsdbRow>(), StringComparer.Ordinal);
        foreach (var row in decoded)
        {
            if (row.Kind != PendingKind.Delete)
            {
                if (row.Kind == PendingKind.Modify)
                {
                    throw new OvsdbProtocolException($"initial contents of table {row.Layout.Name} carry a modification of row {row.Uuid}");
                }

                fresh[row.Layout.Name][row.Uuid] = row.Build(null)!;
            }
        }

        var changes = new List<OvsdbRowChange>();
        _lock.EnterWriteLock();
        try
        {
            foreach (var (name, state) in _tables)
            {
                var next = fresh[name];
                foreach (var (uuid, old) in state.Rows)
                {
                    if (!next.TryGetValue(uuid, out var now))
                    {
                        changes.Add(new OvsdbRowChange(OvsdbRowChangeKind.Delete, name, old, null));
                    }
                    else if (!now.ContentEquals(old))
                    {
                        changes.Add(new OvsdbRowChange(OvsdbRowChangeKind.Update, name, old, now));
                    }
                }

                foreach (var (uuid, now) in next)
                {
                    if (!state.Rows.ContainsKey(uuid))
                    {
                        changes.Add(new OvsdbRowChange(OvsdbRowChangeKind.Insert, name, null, now));
                    }
                }

                OvsdbMetrics.ReplicaRows.Add(next.Count - state.Rows.Count);
                state.ReplaceAll(next);
            }

            _lastTransactionId = transactionId;
            Interlocked.Increment(ref _version);
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        Publish(changes, transactionId, isResync: true);
    }

    private void Publish(List<OvsdbRowChange> changes, string? transactionId, bool isResync)
    {
        if ((changes.Count == 0 && !isResync) || Changed is not { } handlers)
        {
            return;
        }

        // Each subscriber is called on its own: one that throws neither stops the others nor the client.
        var batch = new OvsdbReplicaChanges(changes, transactionId, isResync);
        foreach (var handler in handlers.GetInvocationList().Cast<Action<OvsdbReplicaChanges>>())
        {
            try
            {
                handler(batch);
            }
            catch (Exception ex)
            {
                Log.SubscriberFailed(_logger, nameof(Changed), ex);
            }
        }
    }

    private List<PendingRow> Decode(JsonElement tableUpdates, UpdateFormat format)
    {
        if (tableUpdates.ValueKind != JsonValueKind.Object)
        {
            throw new OvsdbProtocolException($"table updates must be a JSON object, got {tableUpdates.ValueKind}");
        }

        var rows = new List<PendingRow>();
        foreach (var table in tableUpdates.EnumerateObject())
        {
            if (!_tables.TryGetValue(table.Name, out var state))
            {
                throw new OvsdbProtocolException($"update for table '{table.Name}', which is not monitored");
            }

            foreach (var entry in table.Value.EnumerateObject())
            {
                if (!Guid.TryParse(entry.Name, out var uuid))
                {
                    throw new OvsdbProtocolException($"update for table '{table.Name}' names row '{entry.Name}', which is not a uuid");
                }

                rows.Add(format == UpdateFormat.Update2
                    ? PendingRow.FromUpdate2(state.Layout, uuid, entry.Value)
                    : PendingRow.FromUpdate1(state.Layout, uuid, entry.Value));
            }
        }

        return rows;
    }

    private sealed class TableState(ReplicaTableLayout layout)
    {
        public ReplicaTableLayout Layout { get; } = layout;
        public Dictionary<Guid, OvsdbRow> Rows { get; private set; } = [];
        public Dictionary<string, Dictionary<string, HashSet<Guid>>> Indexes { get; } =
            layout.Indexes.ToDictionary(i => i.Text, _ => new Dictionary<string, HashSet<Guid>>(StringComparer.Ordinal), StringComparer.Ordinal);

        public void Put(OvsdbRow? old, OvsdbRow? now)
        {
            foreach (var index in Layout.Indexes)
            {
                var entries = Indexes[index.Text];
                var oldKey = old is null ? null : index.KeyOf(old);
                var newKey = now is null ? null : index.KeyOf(now);
                if (oldKey == newKey && old is not null && now is not null)
                {
                    continue;
                }

                if (oldKey is not null && entries.TryGetValue(oldKey, out var set))
                {
                    set.Remove(old!.Uuid);
                    if (set.Count == 0)
                    {
                        entries.Remove(oldKey);
                    }
                }

                if (newKey is not null)
                {
                    if (!entries.TryGetValue(newKey, out var target))
                    {
                        entries[newKey] = target = [];
                    }

                    target.Add(now!.Uuid);
                }
            }

            if (now is null)
            {
                Rows.Remove(old!.Uuid);
            }
            else
            {
                Rows[now.Uuid] = now;
            }
        }

        public void ReplaceAll(Dictionary<Guid, OvsdbRow> rows)
        {
            foreach (var index in Indexes.Values)
            {
                index.Clear();
            }

            Rows = new Dictionary<Guid, OvsdbRow>(rows.Count);
            foreach (var row in rows.Values)
            {
                Put(null, row);
            }
        }
    }

    private enum PendingKind
    {
        Insert,
        Modify,
        Delete,
        Replace,
    }

    /// <summary>One row of an update, decoded but not applied: decoding never touches the replica.</summary>
    private readonly struct PendingRow
    {
        private readonly OvsdbDatum?[]? _values;

        private PendingRow(ReplicaTableLayout layout, Guid uuid, PendingKind kind, OvsdbDatum?[]? values)
        {
            Layout = layout;
            Uuid = uuid;
            Kind = kind;
            _values = values;
        }

        public ReplicaTableLayout Layout { get; }
        public Guid Uuid { get; }
        public PendingKind Kind { get; }

        // ovsdb-server(7) "update2": <row-update2> holds exactly one of initial, insert, delete, modify.
        public static PendingRow FromUpdate2(ReplicaTableLayout layout, Guid uuid, JsonElement update)
        {
            if (update.ValueKind != JsonValueKind.Object)
            {
                throw new OvsdbProtocolException($"update2 for {layout.Name} row {uuid} is not an object");
            }

            foreach (var member in update.EnumerateObject())
            {
                switch (member.Name)
                {
                    case "initial":
                    case "insert":
                        return new PendingRow(layout, uuid, PendingKind.Insert, DecodeColumns(layout, uuid, member.Value));
                    case "modify":
                        return new PendingRow(layout, uuid, PendingKind.Modify, DecodeColumns(layout, uuid, member.Value));
                    case "delete":
                        return new PendingRow(layout, uuid, PendingKind.Delete, null);
                }
            }

            throw new OvsdbProtocolException($"update2 for {layout.Name} row {uuid} has none of initial, insert, modify, delete");
        }

        // RFC 7047 §4.1.6 <row-update>: "old" and/or "new"; "new" holds every monitored column.
        public static PendingRow FromUpdate1(ReplicaTableLayout layout, Guid uuid, JsonElement update)
        {
            if (update.ValueKind != JsonValueKind.Object)
            {
                throw new OvsdbProtocolException($"update for {layout.Name} row {uuid} is not an object");
            }

            return update.TryGetProperty("new"u8, out var now) && now.ValueKind == JsonValueKind.Object
                ? new PendingRow(layout, uuid, PendingKind.Replace, DecodeColumns(layout, uuid, now))
                : new PendingRow(layout, uuid, PendingKind.Delete, null);
        }

        private static OvsdbDatum?[] DecodeColumns(ReplicaTableLayout layout, Guid uuid, JsonElement row)
        {
            if (row.ValueKind != JsonValueKind.Object)
            {
                throw new OvsdbProtocolException($"row {uuid} of {layout.Name} is not a JSON object");
            }

            var values = new OvsdbDatum?[layout.Columns.Length];
            foreach (var column in row.EnumerateObject())
            {
                if (!layout.Ordinals.TryGetValue(column.Name, out var ordinal))
                {
                    if (column.Name is "_uuid" or "_version" || layout.Monitor.Columns is not null)
                    {
                        continue;
                    }

                    throw new OvsdbProtocolException($"row {uuid} of {layout.Name} has column '{column.Name}', which the schema does not define");
                }

                try
                {
                    values[ordinal] = OvsdbJson.ReadDatum(column.Value, layout.Columns[ordinal].Type);
                }
                catch (OvsdbException ex)
                {
                    throw new OvsdbProtocolException($"row {uuid} of {layout.Name}, column {column.Name}: {ex.Message}", ex);
                }
            }

            return values;
        }

        /// <summary>The row this update leaves, given the row before it; null for a delete.</summary>
        public OvsdbRow? Build(OvsdbRow? old)
        {
            if (Kind == PendingKind.Delete)
            {
                return null;
            }

            var values = new OvsdbDatum[Layout.Columns.Length];
            for (var i = 0; i < values.Length; i++)
            {
                var given = _values![i];
                if (Kind == PendingKind.Modify)
                {
                    var current = old!.GetAt(i);
                    values[i] = given is null ? current : current.ApplyDiff(given, Layout.Columns[i].Type);
                }
                else
                {
                    values[i] = given ?? Layout.Defaults[i];
                }
            }

            return new OvsdbRow(Layout, Uuid, values);
        }

        public OvsdbRowChange Resolve(OvsdbReplica replica)
        {
            var state = replica._tables[Layout.Name];
            state.Rows.TryGetValue(Uuid, out var old);
            switch (Kind)
            {
                case PendingKind.Delete when old is null:
                    throw new OvsdbProtocolException($"server deleted row {Uuid} of {Layout.Name}, which the replica does not hold");
                case PendingKind.Delete:
                    return new OvsdbRowChange(OvsdbRowChangeKind.Delete, Layout.Name, old, null);
                case PendingKind.Modify when old is null:
                    throw new OvsdbProtocolException($"server modified row {Uuid} of {Layout.Name}, which the replica does not hold");
                default:
                    var now = Build(old)!;
                    return old is null
                        ? new OvsdbRowChange(OvsdbRowChangeKind.Insert, Layout.Name, null, now)
                        : new OvsdbRowChange(OvsdbRowChangeKind.Update, Layout.Name, old, now);
            }
        }
    }
}
