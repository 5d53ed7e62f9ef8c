namespace OvnAcl.Ovsdb;

/// <summary>An immutable row of the replica: its uuid and the value of every monitored column.</summary>
public sealed class OvsdbRow
{
    private readonly ReplicaTableLayout _layout;
    private readonly OvsdbDatum[] _values;

    internal OvsdbRow(ReplicaTableLayout layout, Guid uuid, OvsdbDatum[] values)
    {
        _layout = layout;
        Uuid = uuid;
        _values = values;
    }

    /// <summary>The row's <c>_uuid</c>.</summary>
    public Guid Uuid { get; }

    /// <summary>The table the row belongs to.</summary>
    public string Table => _layout.Name;

    /// <summary>The value of a monitored column.</summary>
    /// <exception cref="KeyNotFoundException">The column does not exist or is not monitored.</exception>
    public OvsdbDatum this[string column] => TryGet(column, out var value)
        ? value
        : throw new KeyNotFoundException($"column '{column}' of table '{Table}' is not in the replica (not in the schema or not monitored)");

    /// <summary>The value of <paramref name="column"/>; false when the column is not in the schema or not monitored.</summary>
    public bool TryGet(string column, out OvsdbDatum value)
    {
        if (_layout.Ordinals.TryGetValue(column, out var ordinal))
        {
            value = _values[ordinal];
            return true;
        }

        value = OvsdbDatum.Empty;
        return false;
    }

    /// <summary>The monitored columns and their values, in schema order.</summary>
    public IEnumerable<KeyValuePair<string, OvsdbDatum>> Columns
    {
        get
        {
            for (var i = 0; i < _values.Length; i++)
            {
                yield return new(_layout.Columns[i].Name, _values[i]);
            }
        }
    }

    /// <summary>The single string of a scalar or optional string column, or null when the optional column is empty.</summary>
    public string? GetString(string column)
    {
        var value = this[column];
        return value.Count == 0 ? null : value.Keys[0].AsString();
    }

    /// <summary>A key of a string-to-string map column such as <c>external_ids</c>, or null.</summary>
    public string? GetMapValue(string column, string key) =>
        this[column].TryGetString(key, out var value) ? value : null;

    internal OvsdbDatum GetAt(int ordinal) => _values[ordinal];

    internal ReplicaTableLayout Layout => _layout;

    internal OvsdbDatum[] CopyValues() => (OvsdbDatum[])_values.Clone();

    /// <summary>True when every monitored column holds the same value.</summary>
    public bool ContentEquals(OvsdbRow other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Uuid != other.Uuid || _values.Length != other._values.Length)
        {
            return false;
        }

        for (var i = 0; i < _values.Length; i++)
        {
            if (!_values[i].Equals(other._values[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The table and uuid, e.g. <c>Port_Group 6f1c…</c>, for logs.</summary>
    public override string ToString() => $"{Table} {Uuid}";
}

/// <summary>What happened to a row in one update.</summary>
public enum OvsdbRowChangeKind
{
    /// <summary>The row is new: <see cref="OvsdbRowChange.Old"/> is null.</summary>
    Insert,
    /// <summary>Columns of an existing row changed: both <see cref="OvsdbRowChange.Old"/> and <see cref="OvsdbRowChange.New"/> are set.</summary>
    Update,
    /// <summary>The row is gone: <see cref="OvsdbRowChange.New"/> is null.</summary>
    Delete,
}

/// <summary>One row's change: <see cref="Old"/> is null for an insert, <see cref="New"/> for a delete.</summary>
public sealed record OvsdbRowChange(OvsdbRowChangeKind Kind, string Table, OvsdbRow? Old, OvsdbRow? New)
{
    /// <summary>The uuid of the row that changed, whichever of old and new is set.</summary>
    public Guid Uuid => (New ?? Old)!.Uuid;
}

/// <summary>
/// The changes of one update the server sent (one committed transaction, or a resync after a reconnect),
/// delivered after the replica shows all of them and in the order the server sent them.
/// </summary>
public sealed record OvsdbReplicaChanges(IReadOnlyList<OvsdbRowChange> Changes, string? TransactionId, bool IsResync);
