namespace OvnAcl.Ovsdb;

/// <summary>
/// The checks ovsdb-server makes when it parses an operation, made before sending so that a bad value
/// fails where it was built, naming its table and column.
/// </summary>
internal static class OperationChecks
{
    /// <summary>A row for insert or update (RFC 7047 §5.2.1, §5.2.3): known, writable columns with valid values.</summary>
    public static void CheckRow(TableSchema table, IReadOnlyDictionary<string, OvsdbDatum> row, bool isUpdate)
    {
        ArgumentNullException.ThrowIfNull(row);
        foreach (var (name, value) in row)
        {
            var column = GetColumn(table, name);
            ArgumentNullException.ThrowIfNull(value);
            if (column.IsImplicit)
            {
                throw new OvsdbValueException(table.Name, name, value.ToString(), "only the server writes this column");
            }

            // ovsdb(7) "mutable": false columns are set at insert and never changed.
            if (isUpdate && !column.Mutable)
            {
                throw new OvsdbValueException(table.Name, name, value.ToString(), "the column is immutable and can only be set by insert");
            }

            column.Type.Validate(value, table.Name, name);
        }
    }

    /// <summary>RFC 7047 §5.1 &lt;condition&gt;, with the type relaxations ovsdb-server applies per function.</summary>
    public static void CheckCondition(TableSchema table, OvsdbCondition condition)
    {
        var column = GetColumn(table, condition.Column);
        ArgumentNullException.ThrowIfNull(condition.Value);
        var type = column.Type;
        var function = OvsdbCondition.Spell(condition.Function);
        switch (condition.Function)
        {
            // RFC 7047 §5.1: ordering functions apply to integer and real columns only; ovsdb-server also
            // accepts them on optional ones.
            case OvsdbFunction.LessThan or OvsdbFunction.LessOrEqual or OvsdbFunction.GreaterOrEqual or OvsdbFunction.GreaterThan:
                if (!(type.IsScalar || (type.IsOptional && !type.IsMap))
                    || type.Key.Type is not (OvsdbAtomicType.Integer or OvsdbAtomicType.Real))
                {
                    throw new OvsdbValueException(table.Name, condition.Column, condition.Value.ToString(),
                        $"function \"{function}\" applies only to integer or real scalars, and the column is {type}");
                }

                break;

            // RFC 7047 §5.1 "includes": the value may be any subset of a set or map column.
            case OvsdbFunction.Includes when !type.IsScalar:
                type = type.WithCount(0, type.Max);
                break;

            // RFC 7047 §5.1 "excludes": the value may hold any number of elements.
            case OvsdbFunction.Excludes when !type.IsScalar:
                type = type.WithCount(0, ColumnType.Unlimited);
                break;
        }

        type.Validate(condition.Value, table.Name, condition.Column);
    }

    /// <summary>RFC 7047 §5.1 &lt;mutation&gt;: which mutators fit which columns, and the value each takes.</summary>
    public static void CheckMutation(TableSchema table, OvsdbMutation mutation)
    {
        var column = GetColumn(table, mutation.Column);
        ArgumentNullException.ThrowIfNull(mutation.Value);
        var value = mutation.Value;
        var mutator = OvsdbMutation.Spell(mutation.Mutator);
        if (column.IsImplicit || !column.Mutable)
        {
            throw new OvsdbValueException(table.Name, column.Name, value.ToString(), "the column is immutable and cannot be mutated");
        }

        var type = column.Type;
        switch (mutation.Mutator)
        {
            // RFC 7047 §5.1 arithmetic mutators: on integer or real scalars and sets, with a single atom
            // whose range is not checked (the server checks the result); "%=" on integers only.
            case OvsdbMutator.Add or OvsdbMutator.Subtract or OvsdbMutator.Multiply or OvsdbMutator.Divide or OvsdbMutator.Modulo:
                if (type.IsMap || type.Key.Type is not (OvsdbAtomicType.Integer or OvsdbAtomicType.Real))
                {
                    throw Mismatch("applies only to integer or real scalars and sets");
                }

                if (mutation.Mutator == OvsdbMutator.Modulo && type.Key.Type == OvsdbAtomicType.Real)
                {
                    throw Mismatch("applies only to integers");
                }

                new ColumnType(type.Key.Unconstrained).Validate(value, table.Name, column.Name);
                if (mutation.Mutator is OvsdbMutator.Divide or OvsdbMutator.Modulo && IsZero(value.Keys[0]))
                {
                    throw new OvsdbValueException(table.Name, column.Name, value.ToString(), $"\"{mutator}\" by zero");
                }

                break;

            // RFC 7047 §5.1 "insert": a set or map of the column's type, of up to its maximum size.
            case OvsdbMutator.Insert:
                if (type.IsScalar)
                {
                    throw Mismatch("applies only to set and map columns");
                }

                type.WithCount(0, type.Max).Validate(value, table.Name, column.Name);
                break;

            // RFC 7047 §5.1 "delete": a set of elements, or for a map either a map or a set of keys.
            case OvsdbMutator.Delete:
                if (type.IsScalar)
                {
                    throw Mismatch("applies only to set and map columns");
                }

                var anyCount = type.WithCount(0, ColumnType.Unlimited);
                if (type.IsMap && value.Count > 0 && !value.IsMap)
                {
                    anyCount = anyCount.WithoutValue();
                }

                anyCount.Validate(value, table.Name, column.Name);
                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(mutation), mutation.Mutator, "Not an OVSDB mutator.");
        }

        OvsdbValueException Mismatch(string rule) =>
            new(table.Name, column.Name, value.ToString(), $"mutator \"{mutator}\" {rule}, and the column is {type}");
    }

    /// <summary>A column named by select or wait (RFC 7047 §5.2.2, §5.2.6); the implicit columns count.</summary>
    public static ColumnSchema GetColumn(TableSchema table, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return table.Columns.TryGetValue(name, out var column)
            ? column
            : throw new ArgumentException($"Table {table.Name} has no column \"{name}\".", nameof(name));
    }

    private static bool IsZero(OvsdbAtom atom) =>
        atom.Type == OvsdbAtomicType.Integer ? atom.AsInteger() == 0 : atom.AsReal() == 0;
}
