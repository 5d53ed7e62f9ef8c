using System.Globalization;
using System.Text.Json;

namespace OvnAcl.Ovsdb;

/// <summary>What <c>wait</c> waits for (RFC 7047 §5.2.6 <c>until</c>).</summary>
public enum OvsdbWaitUntil
{
    /// <summary><c>==</c>: until the selected rows equal the given rows.</summary>
    Equal,

    /// <summary><c>!=</c>: until they differ.</summary>
    NotEqual,
}

/// <summary>
/// Builds the operations of one <c>transact</c> request (RFC 7047 §4.1.3, §5.2), checking every table,
/// column and value against the schema as it is added.
/// </summary>
/// <remarks>Not thread-safe: build a transaction on one thread, then hand it to the connection.</remarks>
public sealed class OvsdbTransaction
{
    private readonly List<Operation> _operations = [];
    private readonly Dictionary<string, int> _uuidNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _referencedNames = new(StringComparer.Ordinal);

    /// <summary>An empty transaction whose values are checked against <paramref name="schema"/> as operations are added; the schema names the database it is sent to.</summary>
    public OvsdbTransaction(DatabaseSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
    }

    /// <summary>The schema values are checked against.</summary>
    public DatabaseSchema Schema { get; }

    /// <summary>Operations added so far; a transaction with none is not sent.</summary>
    public int Count => _operations.Count;

    /// <summary>
    /// Adds an insert (RFC 7047 §5.2.1) and returns the uuid-name that refers to the new row within this
    /// transaction, through <see cref="OvsdbAtom.NamedUuid"/>, and afterwards through
    /// <see cref="OvsdbTransactionResult.GetInsertedUuid"/>.
    /// </summary>
    /// <param name="table">The table.</param>
    /// <param name="row">Column values; omitted columns take their defaults.</param>
    /// <param name="uuidName">The uuid-name to use; one is generated when null.</param>
    /// <param name="uuid">The uuid the row must get (an ovsdb-server extension since OVS 2.13, see ovsdb-server(7)).</param>
    public string Insert(string table, IReadOnlyDictionary<string, OvsdbDatum> row, string? uuidName = null, Guid? uuid = null)
    {
        var schema = Schema.GetTable(table);
        OperationChecks.CheckRow(schema, row, isUpdate: false);
        var name = uuidName ?? GenerateUuidName();
        if (!OvsdbAtom.IsIdentifier(name))
        {
            throw new ArgumentException($"A uuid-name must match [_a-zA-Z][_a-zA-Z0-9]*, not \"{name}\".", nameof(uuidName));
        }

        if (_uuidNames.ContainsKey(name))
        {
            throw new ArgumentException($"The uuid-name \"{name}\" is already used in this transaction.", nameof(uuidName));
        }

        var snapshot = Snapshot(row);
        _uuidNames.Add(name, _operations.Count);
        Add(new Operation(OperationKind.Insert, schema, writer =>
        {
            WriteRowMember(writer, "row", snapshot);
            writer.WriteString("uuid-name", name);
            if (uuid is { } explicitUuid)
            {
                // ovsdb-server(7) §5.2.1 extension: "uuid" is a bare uuid string.
                writer.WriteString("uuid", explicitUuid);
            }
        }), snapshot.Select(c => c.Value));
        return name;
    }

    /// <summary>Adds an update (RFC 7047 §5.2.3) of <paramref name="row"/>'s columns in every row matching <paramref name="where"/>.</summary>
    public void Update(string table, IReadOnlyList<OvsdbCondition> where, IReadOnlyDictionary<string, OvsdbDatum> row)
    {
        var schema = Schema.GetTable(table);
        var conditions = CheckWhere(schema, where);
        OperationChecks.CheckRow(schema, row, isUpdate: true);
        var snapshot = Snapshot(row);
        Add(new Operation(OperationKind.Update, schema, writer =>
        {
            WriteWhere(writer, conditions);
            WriteRowMember(writer, "row", snapshot);
        }), conditions.Select(c => c.Value).Concat(snapshot.Select(c => c.Value)));
    }

    /// <summary>Adds a mutate (RFC 7047 §5.2.4) of every row matching <paramref name="where"/>.</summary>
    public void Mutate(string table, IReadOnlyList<OvsdbCondition> where, IReadOnlyList<OvsdbMutation> mutations)
    {
        var schema = Schema.GetTable(table);
        var conditions = CheckWhere(schema, where);
        ArgumentNullException.ThrowIfNull(mutations);
        var copy = mutations.ToArray();
        foreach (var mutation in copy)
        {
            OperationChecks.CheckMutation(schema, mutation);
        }

        Add(new Operation(OperationKind.Mutate, schema, writer =>
        {
            WriteWhere(writer, conditions);
            writer.WriteStartArray("mutations");
            foreach (var mutation in copy)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(mutation.Column);
                writer.WriteStringValue(OvsdbMutation.Spell(mutation.Mutator));
                OvsdbJson.WriteDatum(writer, mutation.Value);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }), conditions.Select(c => c.Value).Concat(copy.Select(m => m.Value)));
    }

    /// <summary>Adds a delete (RFC 7047 §5.2.5) of every row matching <paramref name="where"/>.</summary>
    public void Delete(string table, IReadOnlyList<OvsdbCondition> where)
    {
        var schema = Schema.GetTable(table);
        var conditions = CheckWhere(schema, where);
        Add(new Operation(OperationKind.Delete, schema, writer => WriteWhere(writer, conditions)), conditions.Select(c => c.Value));
    }

    /// <summary>Adds a select (RFC 7047 §5.2.2); <paramref name="columns"/> null selects every column.</summary>
    public void Select(string table, IReadOnlyList<OvsdbCondition> where, IReadOnlyList<string>? columns = null)
    {
        var schema = Schema.GetTable(table);
        var conditions = CheckWhere(schema, where);
        var names = CheckColumns(schema, columns);
        Add(new Operation(OperationKind.Select, schema, writer =>
        {
            WriteWhere(writer, conditions);
            WriteColumns(writer, names);
        }), conditions.Select(c => c.Value));
    }

    /// <summary>
    /// Adds a wait (RFC 7047 §5.2.6): the transaction proceeds once the <paramref name="columns"/> of the rows
    /// matching <paramref name="where"/> compare to <paramref name="rows"/> as <paramref name="until"/> says, or
    /// fails with "timed out" after <paramref name="timeoutMs"/> milliseconds (null waits forever; 0 checks once).
    /// </summary>
    public void Wait(
        string table,
        IReadOnlyList<OvsdbCondition> where,
        IReadOnlyList<string> columns,
        OvsdbWaitUntil until,
        IReadOnlyList<IReadOnlyDictionary<string, OvsdbDatum>> rows,
        int? timeoutMs = null)
    {
        var schema = Schema.GetTable(table);
        var conditions = CheckWhere(schema, where);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        var names = CheckColumns(schema, columns)!;
        if (timeoutMs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timeoutMs), timeoutMs, "A wait timeout cannot be negative.");
        }

        if (until is not (OvsdbWaitUntil.Equal or OvsdbWaitUntil.NotEqual))
        {
            throw new ArgumentOutOfRangeException(nameof(until), until, "Not an OVSDB wait condition.");
        }

        var snapshots = new List<KeyValuePair<string, OvsdbDatum>[]>(rows.Count);
        foreach (var row in rows)
        {
            ArgumentNullException.ThrowIfNull(row);
            foreach (var (name, value) in row)
            {
                var column = OperationChecks.GetColumn(schema, name);
                if (!names.Contains(name))
                {
                    throw new ArgumentException($"Wait row sets {table}.{name}, which is not among the columns compared.", nameof(rows));
                }

                ArgumentNullException.ThrowIfNull(value);
                column.Type.Validate(value, table, name);
            }

            snapshots.Add(Snapshot(row));
        }

        Add(new Operation(OperationKind.Wait, schema, writer =>
        {
            if (timeoutMs is { } timeout)
            {
                writer.WriteNumber("timeout", timeout);
            }

            WriteWhere(writer, conditions);
            WriteColumns(writer, names);
            writer.WriteString("until", until == OvsdbWaitUntil.Equal ? "==" : "!=");
            writer.WriteStartArray("rows");
            foreach (var row in snapshots)
            {
                OvsdbJson.WriteRow(writer, row);
            }

            writer.WriteEndArray();
        }), conditions.Select(c => c.Value).Concat(snapshots.SelectMany(r => r.Select(c => c.Value))));
    }

    /// <summary>Adds a comment (RFC 7047 §5.2.9), which ovsdb-server writes to its log with the commit.</summary>
    public void Comment(string comment)
    {
        ArgumentNullException.ThrowIfNull(comment);
        _operations.Add(new Operation(OperationKind.Comment, null, writer => writer.WriteString("comment", comment)));
    }

    /// <summary>Adds an assert (RFC 7047 §5.2.10): the transaction fails with "not owner" unless this session holds the lock.</summary>
    public void Assert(string lockName)
    {
        if (!OvsdbAtom.IsIdentifier(lockName))
        {
            throw new ArgumentException($"A lock name must match [_a-zA-Z][_a-zA-Z0-9]*, not \"{lockName}\".", nameof(lockName));
        }

        _operations.Add(new Operation(OperationKind.Assert, null, writer => writer.WriteString("lock", lockName)));
    }

    /// <summary>Adds an abort (RFC 7047 §5.2.8): the transaction fails with "aborted" when it gets there.</summary>
    public void Abort() => _operations.Add(new Operation(OperationKind.Abort, null, static _ => { }));

    /// <summary>
    /// The <c>transact</c> params (RFC 7047 §4.1.3) as UTF-8 JSON, exactly as they are sent: to print or measure a
    /// transaction without sending it (a dry run). The JSON-RPC envelope adds about 40 bytes.
    /// </summary>
    public byte[] ToUtf8Json()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteParams(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the <c>transact</c> params (RFC 7047 §4.1.3): <c>["&lt;db-name&gt;", &lt;operation&gt;, …]</c>.</summary>
    /// <exception cref="InvalidOperationException">A named-uuid is referenced that no insert of this transaction declares.</exception>
    internal void WriteParams(Utf8JsonWriter writer)
    {
        foreach (var name in _referencedNames)
        {
            if (!_uuidNames.ContainsKey(name))
            {
                throw new InvalidOperationException($"The transaction refers to the named-uuid \"{name}\" but inserts no row with that uuid-name.");
            }
        }

        writer.WriteStartArray();
        writer.WriteStringValue(Schema.Name);
        foreach (var operation in _operations)
        {
            writer.WriteStartObject();
            writer.WriteString("op", operation.Kind switch
            {
                OperationKind.Insert => "insert",
                OperationKind.Select => "select",
                OperationKind.Update => "update",
                OperationKind.Mutate => "mutate",
                OperationKind.Delete => "delete",
                OperationKind.Wait => "wait",
                OperationKind.Comment => "comment",
                OperationKind.Assert => "assert",
                _ => "abort",
            });
            if (operation.Table is { } table)
            {
                writer.WriteString("table", table.Name);
            }

            operation.WriteMembers(writer);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    internal IReadOnlyList<Operation> Operations => _operations;

    internal IReadOnlyDictionary<string, int> UuidNames => _uuidNames;

    internal enum OperationKind
    {
        Insert,
        Select,
        Update,
        Mutate,
        Delete,
        Wait,
        Comment,
        Assert,
        Abort,
    }

    /// <summary>An operation checked and copied when added, written on demand.</summary>
    internal sealed record Operation(OperationKind Kind, TableSchema? Table, Action<Utf8JsonWriter> WriteMembers);

    private string GenerateUuidName()
    {
        var n = _operations.Count;
        string name;
        do
        {
            name = "row" + n.ToString(CultureInfo.InvariantCulture);
            n++;
        }
        while (_uuidNames.ContainsKey(name));

        return name;
    }

    private OvsdbCondition[] CheckWhere(TableSchema table, IReadOnlyList<OvsdbCondition> where)
    {
        ArgumentNullException.ThrowIfNull(where);
        var copy = where.ToArray();
        foreach (var condition in copy)
        {
            OperationChecks.CheckCondition(table, condition);
        }

        return copy;
    }

    private static string[]? CheckColumns(TableSchema table, IReadOnlyList<string>? columns)
    {
        if (columns is null)
        {
            return null;
        }

        var copy = columns.ToArray();
        foreach (var column in copy)
        {
            OperationChecks.GetColumn(table, column);
        }

        return copy;
    }

    private static KeyValuePair<string, OvsdbDatum>[] Snapshot(IReadOnlyDictionary<string, OvsdbDatum> row) => row.ToArray();

    /// <summary>Appends a fully checked operation and remembers the named-uuids its values refer to.</summary>
    private void Add(Operation operation, IEnumerable<OvsdbDatum> values)
    {
        foreach (var value in values)
        {
            NoteReferences(value);
        }

        _operations.Add(operation);
    }

    private void NoteReferences(OvsdbDatum value)
    {
        foreach (var key in value.Keys)
        {
            if (key.IsNamedUuid)
            {
                _referencedNames.Add(key.NamedUuidName);
            }
        }

        foreach (var item in value.Values)
        {
            if (item.IsNamedUuid)
            {
                _referencedNames.Add(item.NamedUuidName);
            }
        }
    }

    private static void WriteWhere(Utf8JsonWriter writer, OvsdbCondition[] conditions)
    {
        // RFC 7047 §5.1 <condition>: [<column>, <function>, <value>].
        writer.WriteStartArray("where");
        foreach (var condition in conditions)
        {
            condition.WriteTo(writer);
        }

        writer.WriteEndArray();
    }

    private static void WriteColumns(Utf8JsonWriter writer, string[]? columns)
    {
        if (columns is null)
        {
            return;
        }

        writer.WriteStartArray("columns");
        foreach (var column in columns)
        {
            writer.WriteStringValue(column);
        }

        writer.WriteEndArray();
    }

    private static void WriteRowMember(Utf8JsonWriter writer, string member, KeyValuePair<string, OvsdbDatum>[] row)
    {
        writer.WritePropertyName(member);
        OvsdbJson.WriteRow(writer, row);
    }
}
