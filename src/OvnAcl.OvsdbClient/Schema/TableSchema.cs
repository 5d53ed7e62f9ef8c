namespace OvnAcl.Ovsdb;

/// <summary>One table (RFC 7047 §3.2 <c>&lt;table-schema&gt;</c>).</summary>
public sealed class TableSchema
{
    /// <summary>The column every row has: its uuid (RFC 7047 §3.2).</summary>
    public const string UuidColumn = "_uuid";
    /// <summary>The column every row has: a uuid that changes with every modification of the row.</summary>
    public const string VersionColumn = "_version";

    internal TableSchema(string name, IReadOnlyDictionary<string, ColumnSchema> columns, bool isRoot, long? maxRows, IReadOnlyList<IReadOnlyList<string>> indexes)
    {
        Name = name;
        Columns = columns;
        IsRoot = isRoot;
        MaxRows = maxRows;
        Indexes = indexes;
    }

    /// <summary>The table's name, e.g. <c>Port_Group</c>.</summary>
    public string Name { get; }

    /// <summary>Every column by name, including the implicit <c>_uuid</c> and <c>_version</c>.</summary>
    public IReadOnlyDictionary<string, ColumnSchema> Columns { get; }

    /// <summary>
    /// Whether rows live without being referenced (RFC 7047 §3.2 <c>isRoot</c>); non-root rows that nothing
    /// strongly references are garbage collected.
    /// </summary>
    public bool IsRoot { get; }

    /// <summary>The most rows the table may hold (<c>maxRows</c>), or null for no limit.</summary>
    public long? MaxRows { get; }

    /// <summary>Sets of columns whose values together are unique in the table.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Indexes { get; }

    /// <exception cref="ArgumentException">The table has no such column.</exception>
    public ColumnSchema GetColumn(string name) =>
        Columns.TryGetValue(name, out var column)
            ? column
            : throw new ArgumentException($"Table {Name} has no column \"{name}\".", nameof(name));

    /// <summary>The table's name.</summary>
    public override string ToString() => Name;
}
