namespace OvnAcl.Ovsdb;

/// <summary>The replicated columns of one table and where each lives in a row.</summary>
internal sealed class ReplicaTableLayout
{
    public ReplicaTableLayout(TableSchema schema, OvsdbTableMonitor monitor)
    {
        Schema = schema;
        Monitor = monitor;
        var names = monitor.Columns ?? schema.Columns.Keys.Where(c => c is not "_uuid" and not "_version").ToList();
        var columns = new List<ColumnSchema>();
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            if (!schema.Columns.TryGetValue(name, out var column))
            {
                throw new ArgumentException($"table '{schema.Name}' has no column '{name}' to monitor");
            }

            if (name is "_uuid")
            {
                continue;
            }

            columns.Add(column);
        }

        Columns = [.. columns];
        Ordinals = new Dictionary<string, int>(StringComparer.Ordinal);
        Defaults = new OvsdbDatum[Columns.Length];
        for (var i = 0; i < Columns.Length; i++)
        {
            Ordinals[Columns[i].Name] = i;
            Defaults[i] = DefaultValue(Columns[i].Type);
        }

        Indexes = [.. monitor.Indexes.Distinct(StringComparer.Ordinal).Select(spec => ReplicaIndexSpec.Parse(this, spec))];
    }

    public string Name => Schema.Name;
    public TableSchema Schema { get; }
    public OvsdbTableMonitor Monitor { get; set; }
    public ColumnSchema[] Columns { get; }
    public Dictionary<string, int> Ordinals { get; }
    /// <summary>Values of columns that update2 omits because they hold the type's default (ovsdb-server(7) "update2").</summary>
    public OvsdbDatum[] Defaults { get; }
    public ReplicaIndexSpec[] Indexes { get; }

    /// <summary>OVS's default datum: empty for a column that may be empty, else the key type's default atom.</summary>
    internal static OvsdbDatum DefaultValue(ColumnType type)
    {
        if (type.Min == 0)
        {
            return type.IsMap ? OvsdbDatum.EmptyMap : OvsdbDatum.Empty;
        }

        var key = DefaultAtom(type.Key.Type);
        return type.Value is { } value
            ? OvsdbDatum.Map([new KeyValuePair<OvsdbAtom, OvsdbAtom>(key, DefaultAtom(value.Type))])
            : OvsdbDatum.Scalar(key);
    }

    private static OvsdbAtom DefaultAtom(OvsdbAtomicType type) => type switch
    {
        OvsdbAtomicType.Integer => OvsdbAtom.Integer(0),
        OvsdbAtomicType.Real => OvsdbAtom.Real(0),
        OvsdbAtomicType.Boolean => OvsdbAtom.Boolean(false),
        OvsdbAtomicType.String => OvsdbAtom.String(""),
        _ => OvsdbAtom.Uuid(Guid.Empty),
    };
}

/// <summary>An indexed lookup: a string column, or one key of a string map column.</summary>
internal sealed class ReplicaIndexSpec
{
    private ReplicaIndexSpec(string text, int ordinal, string? mapKey)
    {
        Text = text;
        Ordinal = ordinal;
        MapKey = mapKey;
    }

    public string Text { get; }
    public int Ordinal { get; }
    public string? MapKey { get; }

    public static ReplicaIndexSpec Parse(ReplicaTableLayout layout, string text)
    {
        var colon = text.IndexOf(':');
        var column = colon < 0 ? text : text[..colon];
        var key = colon < 0 ? null : text[(colon + 1)..];
        if (!layout.Ordinals.TryGetValue(column, out var ordinal))
        {
            throw new ArgumentException($"index '{text}' of table '{layout.Name}': column '{column}' is not monitored");
        }

        var type = layout.Columns[ordinal].Type;
        var ok = key is null
            ? type.Key.Type == OvsdbAtomicType.String && type.Value is null && type.Max == 1
            : type.IsMap && type.Key.Type == OvsdbAtomicType.String && type.Value!.Type == OvsdbAtomicType.String;
        if (!ok)
        {
            throw new ArgumentException(key is null
                ? $"index '{text}' of table '{layout.Name}': column '{column}' is not a single string"
                : $"index '{text}' of table '{layout.Name}': column '{column}' is not a string-to-string map");
        }

        return new ReplicaIndexSpec(text, ordinal, key);
    }

    public string? KeyOf(OvsdbRow row)
    {
        var value = row.GetAt(Ordinal);
        if (MapKey is null)
        {
            return value.Count == 0 ? null : value.Keys[0].AsString();
        }

        return value.TryGetString(MapKey, out var found) ? found : null;
    }
}
