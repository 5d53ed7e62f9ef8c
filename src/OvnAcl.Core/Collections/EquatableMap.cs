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

    public EquatableMap(IEnumerable<KeyValuePair<string, string>> items) =>
        _items = items.ToImmutableSortedDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    public static EquatableMap Empty => new([]);

    private ImmutableSortedDictionary<string, string> Items => _items ?? NoItems;

    public int Count => Items.Count;

    public string this[string key] => Items[key];

    public IEnumerable<string> Keys => Items.Keys;

    public IEnumerable<string> Values => Items.Values;

    public bool ContainsKey(string key) => Items.ContainsKey(key);

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public string? Get(string key) => Items.TryGetValue(key, out var value) ? value : null;

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value) => Items.TryGetValue(key, out value);

    public EquatableMap With(string key, string value) => new(Items.SetItem(key, value));

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

    public override bool Equals(object? obj) => obj is EquatableMap other && Equals(other);

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

    public static bool operator ==(EquatableMap left, EquatableMap right) => left.Equals(right);

    public static bool operator !=(EquatableMap left, EquatableMap right) => !left.Equals(right);

    public override string ToString() => "{" + string.Join(", ", Items.Select(p => $"{p.Key}={p.Value}")) + "}";
}
