using System.Buffers;

namespace OvnAcl.Ovsdb;

/// <summary>
/// The value of one column (RFC 7047 §5.1 <c>&lt;value&gt;</c>): a set of atoms, or a map from atoms to atoms.
/// A scalar is a set of one. Like OVS's <c>ovsdb_datum</c>, keys are kept sorted (see <see cref="OvsdbAtom"/>
/// for the order) and unique, and a map's values are parallel to its keys.
/// </summary>
/// <remarks>
/// Equality is structural. A datum does not carry its column type, so an empty set equals an empty map,
/// as two empty OVS datums are equal; every other set differs from every map.
/// </remarks>
public sealed class OvsdbDatum : IEquatable<OvsdbDatum>
{
    private readonly OvsdbAtom[] _keys;
    private readonly OvsdbAtom[]? _values;
    private int _hashCode;

    private OvsdbDatum(OvsdbAtom[] keys, OvsdbAtom[]? values)
    {
        _keys = keys;
        _values = values;
    }

    /// <summary>The empty set, <c>["set",[]]</c>.</summary>
    public static OvsdbDatum Empty { get; } = new([], null);

    /// <summary>The empty map, <c>["map",[]]</c>.</summary>
    public static OvsdbDatum EmptyMap { get; } = new([], []);

    /// <summary>True for a map (<c>["map", [...]]</c>); false for a set or a scalar.</summary>
    public bool IsMap => _values is not null;

    /// <summary>Elements of the set, or pairs of the map; 1 for a scalar.</summary>
    public int Count => _keys.Length;

    /// <summary>The set's elements, or the map's keys, in ascending order.</summary>
    public ReadOnlySpan<OvsdbAtom> Keys => _keys;

    /// <summary>The map's values, parallel to <see cref="Keys"/>; empty for a set.</summary>
    public ReadOnlySpan<OvsdbAtom> Values => _values;

    /// <summary>A datum of one atom, which RFC 7047 writes as the bare atom.</summary>
    public static OvsdbDatum Scalar(OvsdbAtom atom) => new([atom], null);

    /// <summary>A one-string datum, as a string column holds it.</summary>
    public static OvsdbDatum FromString(string value) => Scalar(OvsdbAtom.String(value));

    /// <summary>A one-integer datum.</summary>
    public static OvsdbDatum FromInteger(long value) => Scalar(OvsdbAtom.Integer(value));

    /// <summary>A one-boolean datum.</summary>
    public static OvsdbDatum FromBoolean(bool value) => Scalar(OvsdbAtom.Boolean(value));

    /// <summary>A one-uuid datum, e.g. a reference to a row.</summary>
    public static OvsdbDatum FromUuid(Guid value) => Scalar(OvsdbAtom.Uuid(value));

    /// <summary>A set of the given atoms; duplicates collapse into one element.</summary>
    public static OvsdbDatum Set(params OvsdbAtom[] atoms) => Set((IEnumerable<OvsdbAtom>)atoms);

    /// <inheritdoc cref="Set(OvsdbAtom[])"/>
    public static OvsdbDatum Set(IEnumerable<OvsdbAtom> atoms)
    {
        ArgumentNullException.ThrowIfNull(atoms);
        var keys = atoms.ToArray();
        if (keys.Length == 0)
        {
            return Empty;
        }

        Array.Sort(keys);
        var unique = 1;
        for (var i = 1; i < keys.Length; i++)
        {
            if (keys[i] != keys[unique - 1])
            {
                keys[unique++] = keys[i];
            }
        }

        return new(unique == keys.Length ? keys : keys[..unique], null);
    }

    /// <summary>A set of strings; duplicates are dropped and the elements sorted.</summary>
    public static OvsdbDatum StringSet(IEnumerable<string> strings) => Set(strings.Select(OvsdbAtom.String));

    /// <summary>A set of uuids, e.g. a Port_Group's <c>ports</c>; duplicates are dropped and the elements sorted.</summary>
    public static OvsdbDatum UuidSet(IEnumerable<Guid> uuids) => Set(uuids.Select(OvsdbAtom.Uuid));

    /// <summary>A map of the given pairs; a key given twice is an <see cref="ArgumentException"/>.</summary>
    public static OvsdbDatum Map(IEnumerable<KeyValuePair<OvsdbAtom, OvsdbAtom>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var list = pairs.ToArray();
        var keys = new OvsdbAtom[list.Length];
        var values = new OvsdbAtom[list.Length];
        for (var i = 0; i < list.Length; i++)
        {
            keys[i] = list[i].Key;
            values[i] = list[i].Value;
        }

        Array.Sort(keys, values);
        for (var i = 1; i < keys.Length; i++)
        {
            if (keys[i] == keys[i - 1])
            {
                throw new ArgumentException($"The map has the key {keys[i]} twice.", nameof(pairs));
            }
        }

        return new(keys, values);
    }

    /// <summary>A string-to-string map such as <c>external_ids</c>.</summary>
    public static OvsdbDatum StringMap(IEnumerable<KeyValuePair<string, string>> pairs) =>
        Map(pairs.Select(p => KeyValuePair.Create(OvsdbAtom.String(p.Key), OvsdbAtom.String(p.Value))));

    /// <summary>Wraps arrays already sorted and unique; the datum takes ownership of them.</summary>
    internal static OvsdbDatum FromSortedUnique(OvsdbAtom[] keys, OvsdbAtom[]? values) =>
        keys.Length == 0 ? (values is null ? Empty : EmptyMap) : new(keys, values);

    /// <summary>Whether the set has the element, or the map has the key.</summary>
    public bool Contains(OvsdbAtom key) => IndexOf(key) >= 0;

    /// <summary>The map's value for <paramref name="key"/>; false when the key is absent or the datum is a set.</summary>
    public bool TryGetValue(OvsdbAtom key, out OvsdbAtom value)
    {
        var index = _values is null ? -1 : IndexOf(key);
        value = index >= 0 ? _values![index] : default;
        return index >= 0;
    }

    /// <summary>Looks a string key up in a string-to-string map like <c>external_ids</c>.</summary>
    public bool TryGetString(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        if (TryGetValue(OvsdbAtom.String(key), out var atom) && atom.Type == OvsdbAtomicType.String)
        {
            value = atom.AsString();
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>
    /// The union, as RFC 7047 §5.1 mutator <c>insert</c> makes it: for maps, a key already present
    /// keeps its value here.
    /// </summary>
    public OvsdbDatum Union(OvsdbDatum other)
    {
        var isMap = ResultKind(other);
        return Merge(this, other, isMap, static (mine, _, _) => mine, keepTheirs: true);
    }

    /// <summary>
    /// What remains after removing <paramref name="other"/>, as RFC 7047 §5.1 mutator <c>delete</c> does:
    /// from a set, its elements; from a map, the pairs of a map <paramref name="other"/> that match both key
    /// and value, or the keys of a set <paramref name="other"/>.
    /// </summary>
    public OvsdbDatum Except(OvsdbDatum other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0 || Count == 0)
        {
            return this;
        }

        if (!IsMap && other.IsMap)
        {
            throw new ArgumentException("Cannot remove a map's pairs from a set.", nameof(other));
        }

        var byKeyOnly = !other.IsMap;
        return Merge(this, other, IsMap,
            (mine, theirs, index) => byKeyOnly || mine.Values[index.Mine] == theirs.Values[index.Theirs] ? null : mine, keepTheirs: false);
    }

    /// <summary>This set with <paramref name="element"/> added.</summary>
    public OvsdbDatum WithAdded(OvsdbAtom element)
    {
        if (IsMap)
        {
            throw new InvalidOperationException("Add a map entry with WithEntry(key, value).");
        }

        return Union(Scalar(element));
    }

    /// <summary>This map with <paramref name="key"/> set to <paramref name="value"/>, replacing any value it had.</summary>
    public OvsdbDatum WithEntry(OvsdbAtom key, OvsdbAtom value)
    {
        if (!IsMap && Count > 0)
        {
            throw new InvalidOperationException("A set has no entries; add an element with WithAdded(element).");
        }

        var entry = new OvsdbDatum([key], [value]);
        return Merge(this, entry, isMap: true, static (_, theirs, _) => theirs, keepTheirs: true);
    }

    /// <summary>This set without the element, or this map without the key.</summary>
    public OvsdbDatum WithRemoved(OvsdbAtom keyOrElement) => Except(Scalar(keyOrElement));

    /// <summary>
    /// Applies an update2 <c>modify</c> diff (ovsdb-server(7), <c>monitor_cond</c>) to this, the old value.
    /// For a column that can hold more than one element each diff element toggles: a set element present
    /// is removed, absent is added; a map key absent is added, present with the same value is removed,
    /// present with another value takes the diff's value. For a column of at most one element the diff
    /// is the new value.
    /// </summary>
    public OvsdbDatum ApplyDiff(OvsdbDatum diff, ColumnType type)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(type);
        if (type.Max <= 1)
        {
            return diff;
        }

        CheckKind(this, type, nameof(diff));
        CheckKind(diff, type, nameof(diff));
        if (diff.Count == 0)
        {
            return this;
        }

        return Merge(this, diff, type.IsMap,
            static (mine, theirs, index) =>
                !mine.IsMap ? null
                : mine.Values[index.Mine] == theirs.Values[index.Theirs] ? null
                : theirs, keepTheirs: true);
    }

    /// <summary>
    /// The update2 diff ovsdb-server sends for a change from <paramref name="old"/> to <paramref name="new"/>:
    /// the inverse of <see cref="ApplyDiff"/>.
    /// </summary>
    internal static OvsdbDatum Diff(OvsdbDatum old, OvsdbDatum @new, ColumnType type)
    {
        if (type.Max <= 1)
        {
            return @new;
        }

        CheckKind(old, type, nameof(old));
        CheckKind(@new, type, nameof(@new));
        return Merge(old, @new, type.IsMap,
            static (mine, theirs, index) =>
                !mine.IsMap ? null
                : mine.Values[index.Mine] == theirs.Values[index.Theirs] ? null
                : theirs, keepTheirs: true);
    }

    /// <summary>Same elements (and, for a map, the same values): the order of construction does not matter, since datums are kept sorted.</summary>
    public bool Equals(OvsdbDatum? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || Count != other.Count || (Count > 0 && IsMap != other.IsMap))
        {
            return false;
        }

        return Keys.SequenceEqual(other.Keys) && Values.SequenceEqual(other.Values);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as OvsdbDatum);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        if (_hashCode != 0)
        {
            return _hashCode;
        }

        var hash = new HashCode();
        hash.Add(Count > 0 && IsMap);
        foreach (var key in _keys)
        {
            hash.Add(key);
        }

        foreach (var value in Values)
        {
            hash.Add(value);
        }

        var result = hash.ToHashCode();
        _hashCode = result == 0 ? 1 : result;
        return _hashCode;
    }

    /// <summary>Same elements and values (<see cref="Equals(OvsdbDatum?)"/>); two nulls are equal.</summary>
    public static bool operator ==(OvsdbDatum? left, OvsdbDatum? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Different elements or values.</summary>
    public static bool operator !=(OvsdbDatum? left, OvsdbDatum? right) => !(left == right);

    /// <summary>The datum in RFC 7047 §5.1 JSON: a one-element set as the bare atom, else <c>["set",…]</c> or <c>["map",…]</c>.</summary>
    public override string ToString() => OvsdbJson.ToJsonString(this);

    private static void CheckKind(OvsdbDatum datum, ColumnType type, string parameter)
    {
        if (datum.Count > 0 && datum.IsMap != type.IsMap)
        {
            throw new ArgumentException($"{datum} is a {(datum.IsMap ? "map" : "set")} but the column type is {type}.", parameter);
        }
    }

    private int IndexOf(OvsdbAtom key) => Array.BinarySearch(_keys, key);

    private bool ResultKind(OvsdbDatum other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Count > 0 && other.Count > 0 && IsMap != other.IsMap)
        {
            throw new ArgumentException("Cannot combine a set with a map.", nameof(other));
        }

        return Count > 0 ? IsMap : other.IsMap;
    }

    private readonly record struct MergeIndex(int Mine, int Theirs);

    /// <summary>
    /// One ordered walk over both key lists. A key in both goes through <paramref name="both"/>, which picks
    /// the datum whose entry survives (null drops the key); a key only in <paramref name="mine"/> survives,
    /// one only in <paramref name="theirs"/> when <paramref name="keepTheirs"/>.
    /// </summary>
    private static OvsdbDatum Merge(
        OvsdbDatum mine,
        OvsdbDatum theirs,
        bool isMap,
        Func<OvsdbDatum, OvsdbDatum, MergeIndex, OvsdbDatum?> both,
        bool keepTheirs)
    {
        // The result is often far smaller than both inputs (what a diff removes) or one element off one of them (an
        // update applied to a 200-member set): collect into pooled scratch and copy out only what survives, so the
        // receive path and the reconciler's watch allocate the result and nothing else.
        var capacity = mine.Count + theirs.Count;
        var keys = ArrayPool<OvsdbAtom>.Shared.Rent(capacity);
        var values = isMap ? ArrayPool<OvsdbAtom>.Shared.Rent(capacity) : null;
        var count = 0;
        try
        {
            int i = 0, j = 0;
            while (i < mine.Count || j < theirs.Count)
            {
                var order = i == mine.Count ? 1 : j == theirs.Count ? -1 : mine._keys[i].CompareTo(theirs._keys[j]);
                if (order < 0)
                {
                    Add(mine, i);
                    i++;
                }
                else if (order > 0)
                {
                    if (keepTheirs)
                    {
                        Add(theirs, j);
                    }

                    j++;
                }
                else
                {
                    var survivor = both(mine, theirs, new MergeIndex(i, j));
                    if (survivor is not null)
                    {
                        Add(survivor, ReferenceEquals(survivor, mine) ? i : j);
                    }

                    i++;
                    j++;
                }
            }

            return FromSortedUnique(keys.AsSpan(0, count).ToArray(), values?.AsSpan(0, count).ToArray());
        }
        finally
        {
            // Atoms hold strings: clear what was written so the pool does not keep them alive.
            Array.Clear(keys, 0, count);
            ArrayPool<OvsdbAtom>.Shared.Return(keys);
            if (values is not null)
            {
                Array.Clear(values, 0, count);
                ArrayPool<OvsdbAtom>.Shared.Return(values);
            }
        }

        void Add(OvsdbDatum source, int index)
        {
            keys[count] = source._keys[index];
            if (values is not null)
            {
                values[count] = source._values is null ? default : source._values[index];
            }

            count++;
        }
    }
}
