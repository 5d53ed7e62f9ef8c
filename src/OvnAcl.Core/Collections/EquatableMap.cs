using System.Collections;
using System.Collections.Immutable;

namespace OvnAcl.Collections;

/// <summary>
/// A string-to-string map (an OVSDB <c>external_ids</c> or <c>options</c> column) sorted by key, comparing by
/// content.
/// </summary>
public readonly struct EquatableMap : IEquatable<EquatableMap>, IReadOnlyDictionary<string, string>
{
    private static readonly ImmutableSortedDictionary<string, string> NoItems = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    private readonly ImmutableSortedDictionary<string, string>? _items;

    /// <summary>A map of <paramref name="items"/>, kept sorted by key (ordinal).</summary>
    /// <exception cref="ArgumentException">A key appears twice with different values.</exception>
    public EquatableMap(IEnumerable<KeyValuePair<string, string>> items) =>
        _items = items.ToImmutableSortedDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>No entries, as an empty <c>external_ids</c> or <c>options</c> column.</summary>
    public static EquatableMap Empty => new([]);

    private ImmutableSortedDictionary<string, string> Items => _items ?? NoItems;

    /// <summary>How many entries there are.</summary>
    public int Count => Items.Count;

    /// <summary>The value of <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">The map has no <paramref name="key"/>.</exception>
    public string this[string key] => Items[key];

    /// <summary>The keys, in ordinal order.</summary>
    public IEnumerable<string> Keys => Items.Keys;

    /// <summary>The values, in the order of <see cref="Keys"/>.</summary>
    public IEnumerable<string> Values => Items.Values;

    /// <summary>Whether the map has <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => Items.ContainsKey(key);

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public string? Get(string key) => Items.TryGetValue(key, out var value) ? value : null;

    /// <summary>The value of <paramref name="key"/>, if the map has it.</summary>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value) => Items.TryGetValue(key, out value);

    /// <summary>A copy with <paramref name="key"/> set to <paramref name="value"/> (added or replaced).</summary>
    public EquatableMap With(string key, string value) => new(Items.SetItem(key, value));

    /// <summary>Same keys with the same values, compared ordinally.</summary>
    public bool Equals(EquatableMap other)
    {
        if (Count != other.Count)
        {
            return false;
        }

        foreach (var (key, value) in Items)
        {
            if (!other.TryGetValue(key, out var v) || v != value)
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EquatableMap other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in Items)
        {
            hash.Add(key);
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    /// <summary>The sorted dictionary's struct enumerator, so a <c>foreach</c> over a map allocates nothing.</summary>
    public ImmutableSortedDictionary<string, string>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => Items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => Items.GetEnumerator();

    /// <summary>Same keys with the same values.</summary>
    public static bool operator ==(EquatableMap left, EquatableMap right) => left.Equals(right);

    /// <summary>A key or value differs.</summary>
    public static bool operator !=(EquatableMap left, EquatableMap right) => !left.Equals(right);

    /// <summary>The entries as <c>{key=value, ...}</c>, for messages and test output.</summary>
    public override string ToString() => "{" + string.Join(", ", Items.Select(p => $"{p.Key}={p.Value}")) + "}";
}
