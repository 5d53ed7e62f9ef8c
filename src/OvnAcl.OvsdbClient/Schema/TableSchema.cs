namespace OvnAcl.Ovsdb;

/// <summary>One table (RFC 7047 §3.2 <c>&lt;table-schema&gt;</c>).</summary>
public sealed class TableSchema
{
    public const string UuidColumn = "_uuid";
    public const string VersionColumn = "_version";

    internal TableSchema(string name, IReadOnlyDictionary<string, ColumnSchema> columns, bool isRoot, long? maxRows, IReadOnlyList<IReadOnlyList<string>> indexes)
    {
        Name = name;
        Columns = columns;
        IsRoot = isRoot;
        MaxRows = maxRows;
        Indexes = indexes;
    }

    public string Name { get; }

    /// <summary>Every column by name, including the implicit <c>_uuid</c> and <c>_version</c>.</summary>
    public IReadOnlyDictionary<string, ColumnSchema> Columns { get; }

    /// <summary>
    /// Whether rows live without being referenced (RFC 7047 §3.2 <c>isRoot</c>); non-root rows that nothing
    /// strongly references are garbage collected.
    /// </summary>
    public bool IsRoot { get; }

    public long? MaxRows { get; }

    /// <summary>Sets of columns whose values together are unique in the table.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Indexes { get; }

    /// <exception cref="ArgumentException">The table has no such column.</exception>
    public ColumnSchema GetColumn(string name) =>
        Columns.TryGetValue(name, out var column)
            ? column
            : throw new ArgumentException($"Table {Name} has no column \"{name}\".", nameof(name));

    public override string ToString() => Name;
}
