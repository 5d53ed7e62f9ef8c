using System.Text.Json;

namespace OvnAcl.Ovsdb;

/// <summary>Parses the schema notation of RFC 7047 §3.2. Members the RFC does not define are ignored.</summary>
internal static class SchemaParser
{
    private static readonly ColumnType ImplicitUuidType = new(BaseType.Uuid);

    public static DatabaseSchema ParseDatabase(JsonElement json)
    {
        Expect(json, JsonValueKind.Object, "the schema");
        var name = RequiredString(json, "name", "the schema");
        var version = OptionalString(json, "version", name) ?? "";
        var checksum = OptionalString(json, "cksum", name);
        var tablesJson = Required(json, "tables", name);
        Expect(tablesJson, JsonValueKind.Object, $"{name}: \"tables\"");

        var tables = new Dictionary<string, TableSchema>(StringComparer.Ordinal);
        var rootFlags = new List<(string Name, JsonElement Json, bool? IsRoot)>();
        foreach (var table in tablesJson.EnumerateObject())
        {
            Expect(table.Value, JsonValueKind.Object, $"table {table.Name}");
            rootFlags.Add((table.Name, table.Value, OptionalBoolean(table.Value, "isRoot", $"table {table.Name}")));
        }

        // As OVS does: schemas from before isRoot existed mark no table as root, and then every table is one.
        var anyRoot = rootFlags.Exists(t => t.IsRoot == true);
        foreach (var (tableName, tableJson, isRoot) in rootFlags)
        {
            tables[tableName] = ParseTable(tableName, tableJson, anyRoot ? isRoot ?? false : true);
        }

        foreach (var table in tables.Values)
        {
            foreach (var column in table.Columns.Values)
            {
                CheckReference(tables, table, column, column.Type.Key);
                CheckReference(tables, table, column, column.Type.Value);
            }
        }

        return new DatabaseSchema(name, version, checksum, tables);
    }

    /// <summary>Parses a <c>&lt;type&gt;</c>: an atomic-type name or <c>{"key": …, "value": …, "min": …, "max": …}</c>.</summary>
    public static ColumnType ParseType(JsonElement json, string where)
    {
        // RFC 7047 §3.2 <type>: a bare <atomic-type> is a scalar of that type.
        if (json.ValueKind == JsonValueKind.String)
        {
            return new ColumnType(ParseBaseType(json, where));
        }

        Expect(json, JsonValueKind.Object, where);
        var key = ParseBaseType(Required(json, "key", where), $"{where} key");
        var value = json.TryGetProperty("value", out var valueJson) ? ParseBaseType(valueJson, $"{where} value") : null;

        var min = 1L;
        if (json.TryGetProperty("min", out var minJson))
        {
            min = minJson.ValueKind == JsonValueKind.Number && minJson.TryGetInt64(out var m) ? m : throw Invalid(where, "\"min\" must be an integer", minJson);
        }

        var max = 1L;
        if (json.TryGetProperty("max", out var maxJson))
        {
            // RFC 7047 §3.2: "max" is a positive integer or "unlimited".
            max = maxJson.ValueKind == JsonValueKind.String && maxJson.ValueEquals("unlimited") ? ColumnType.Unlimited
                : maxJson.ValueKind == JsonValueKind.Number && maxJson.TryGetInt64(out var n) ? n
                : throw Invalid(where, "\"max\" must be a positive integer or \"unlimited\"", maxJson);
        }

        if (min is < 0 or > 1 || max < 1 || max < min)
        {
            throw Invalid(where, $"needs 0 <= min <= 1 <= max, not min {min} and max {max}", json);
        }

        return new ColumnType(key, value, (int)min, max);
    }

    /// <summary>Parses a <c>&lt;base-type&gt;</c>: an atomic-type name or an object with "type" and constraints.</summary>
    public static BaseType ParseBaseType(JsonElement json, string where)
    {
        // RFC 7047 §3.2 <base-type>: a bare <atomic-type> has no constraints.
        if (json.ValueKind == JsonValueKind.String)
        {
            return BaseType.Of(ParseAtomicType(json, where));
        }

        Expect(json, JsonValueKind.Object, where);
        var type = ParseAtomicType(Required(json, "type", where), where);
        var result = new BaseType(type);

        // RFC 7047 §3.2 "enum": a <value>, i.e. a bare atom or ["set", [...]] of the base type.
        if (json.TryGetProperty("enum", out var enumJson))
        {
            try
            {
                result = result with { Enum = OvsdbJson.ReadDatum(enumJson, new ColumnType(BaseType.Of(type), null, 0, ColumnType.Unlimited)) };
            }
            catch (OvsdbProtocolException e)
            {
                throw new OvsdbProtocolException($"Invalid schema: {where}: bad \"enum\": {e.Message}", e);
            }
        }

        switch (type)
        {
            case OvsdbAtomicType.Integer:
                result = result with { MinInteger = OptionalInteger(json, "minInteger", where), MaxInteger = OptionalInteger(json, "maxInteger", where) };
                if (result.MinInteger > result.MaxInteger)
                {
                    throw Invalid(where, "minInteger exceeds maxInteger", json);
                }

                break;
            case OvsdbAtomicType.Real:
                result = result with { MinReal = OptionalReal(json, "minReal", where), MaxReal = OptionalReal(json, "maxReal", where) };
                if (result.MinReal > result.MaxReal)
                {
                    throw Invalid(where, "minReal exceeds maxReal", json);
                }

                break;
            case OvsdbAtomicType.String:
                result = result with { MinLength = OptionalInteger(json, "minLength", where), MaxLength = OptionalInteger(json, "maxLength", where) };
                if (result.MinLength < 0 || result.MaxLength < 0 || result.MinLength > result.MaxLength)
                {
                    throw Invalid(where, "minLength and maxLength must be 0 <= minLength <= maxLength", json);
                }

                break;
            case OvsdbAtomicType.Uuid:
                var refTable = OptionalString(json, "refTable", where);
                var refType = OptionalString(json, "refType", where) switch
                {
                    null or "strong" => OvsdbRefType.Strong,
                    "weak" => OvsdbRefType.Weak,
                    var other => throw Invalid(where, $"refType must be \"strong\" or \"weak\", not \"{other}\"", json),
                };
                result = result with { RefTable = refTable, RefType = refType };
                break;
        }

        return result;
    }

    private static TableSchema ParseTable(string name, JsonElement json, bool isRoot)
    {
        var where = $"table {name}";
        var columnsJson = Required(json, "columns", where);
        Expect(columnsJson, JsonValueKind.Object, $"{where}: \"columns\"");

        var columns = new Dictionary<string, ColumnSchema>(StringComparer.Ordinal)
        {
            // RFC 7047 §3.2: every table has _uuid and _version, which only the server sets.
            [TableSchema.UuidColumn] = new(TableSchema.UuidColumn, ImplicitUuidType, Ephemeral: false, Mutable: false),
            [TableSchema.VersionColumn] = new(TableSchema.VersionColumn, ImplicitUuidType, Ephemeral: true, Mutable: false),
        };
        foreach (var column in columnsJson.EnumerateObject())
        {
            var columnWhere = $"{name}.{column.Name}";
            if (columns.ContainsKey(column.Name))
            {
                throw Invalid(columnWhere, "the column name is reserved", column.Value);
            }

            Expect(column.Value, JsonValueKind.Object, columnWhere);
            var type = ParseType(Required(column.Value, "type", columnWhere), columnWhere);
            var ephemeral = OptionalBoolean(column.Value, "ephemeral", columnWhere) ?? false;
            var mutable = OptionalBoolean(column.Value, "mutable", columnWhere) ?? true;
            columns[column.Name] = new ColumnSchema(column.Name, type, ephemeral, mutable);
        }

        long? maxRows = null;
        if (json.TryGetProperty("maxRows", out var maxRowsJson))
        {
            maxRows = maxRowsJson.ValueKind == JsonValueKind.Number && maxRowsJson.TryGetInt64(out var m) && m >= 1
                ? m
                : throw Invalid(where, "\"maxRows\" must be a positive integer", maxRowsJson);
        }

        var indexes = new List<IReadOnlyList<string>>();
        if (json.TryGetProperty("indexes", out var indexesJson))
        {
            Expect(indexesJson, JsonValueKind.Array, $"{where}: \"indexes\"");
            foreach (var index in indexesJson.EnumerateArray())
            {
                Expect(index, JsonValueKind.Array, $"{where}: index");
                var names = new List<string>();
                foreach (var column in index.EnumerateArray())
                {
                    var columnName = column.ValueKind == JsonValueKind.String ? column.GetString()! : throw Invalid(where, "an index lists column names", index);
                    if (!columns.ContainsKey(columnName))
                    {
                        throw Invalid(where, $"index names unknown column \"{columnName}\"", index);
                    }

                    names.Add(columnName);
                }

                indexes.Add(names);
            }
        }

        return new TableSchema(name, columns, isRoot, maxRows, indexes);
    }

    private static void CheckReference(Dictionary<string, TableSchema> tables, TableSchema table, ColumnSchema column, BaseType? type)
    {
        if (type?.RefTable is { } refTable && !tables.ContainsKey(refTable))
        {
            throw new OvsdbProtocolException($"Invalid schema: {table.Name}.{column.Name} refers to unknown table \"{refTable}\".");
        }
    }

    private static OvsdbAtomicType ParseAtomicType(JsonElement json, string where) =>
        json.ValueKind != JsonValueKind.String
            ? throw Invalid(where, "expected an atomic type name", json)
            : json.GetString() switch
            {
                "integer" => OvsdbAtomicType.Integer,
                "real" => OvsdbAtomicType.Real,
                "boolean" => OvsdbAtomicType.Boolean,
                "string" => OvsdbAtomicType.String,
                "uuid" => OvsdbAtomicType.Uuid,
                _ => throw Invalid(where, "unknown atomic type", json),
            };

    private static JsonElement Required(JsonElement json, string member, string where) =>
        json.TryGetProperty(member, out var value) ? value : throw new OvsdbProtocolException($"Invalid schema: {where} lacks \"{member}\".");

    private static string RequiredString(JsonElement json, string member, string where) =>
        OptionalString(json, member, where) ?? throw new OvsdbProtocolException($"Invalid schema: {where} lacks \"{member}\".");

    private static string? OptionalString(JsonElement json, string member, string where)
    {
        if (!json.TryGetProperty(member, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Invalid(where, $"\"{member}\" must be a string", value);
    }

    private static bool? OptionalBoolean(JsonElement json, string member, string where)
    {
        if (!json.TryGetProperty(member, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid(where, $"\"{member}\" must be a boolean", value),
        };
    }

    private static long? OptionalInteger(JsonElement json, string member, string where)
    {
        if (!json.TryGetProperty(member, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var integer) ? integer : throw Invalid(where, $"\"{member}\" must be an integer", value);
    }

    private static double? OptionalReal(JsonElement json, string member, string where)
    {
        if (!json.TryGetProperty(member, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var real) && double.IsFinite(real) ? real : throw Invalid(where, $"\"{member}\" must be a number", value);
    }

    private static void Expect(JsonElement json, JsonValueKind kind, string where)
    {
        if (json.ValueKind != kind)
        {
            throw Invalid(where, $"expected a JSON {kind.ToString().ToLowerInvariant()}", json);
        }
    }

    private static OvsdbProtocolException Invalid(string where, string reason, JsonElement json) =>
        new($"Invalid schema: {where}: {reason}, got {json.GetRawText()}.");
}
