using System.Collections;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace OvnAcl.Acl;

/// <summary>
/// An immutable array that compares by its elements, so records holding lists (rows, decisions) keep value equality.
/// <c>default</c> is the empty array. Collection expressions build one: <c>Ports = ["a", "b"]</c>.
/// </summary>
[CollectionBuilder(typeof(EquatableArray), nameof(EquatableArray.Create))]
public readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
{
    private readonly ImmutableArray<T> _items;

    public EquatableArray(ImmutableArray<T> items)
    {
        _items = items.IsDefault ? [] : items;
    }

    public EquatableArray(IEnumerable<T> items)
        : this(items.ToImmutableArray())
    {
    }

    public static EquatableArray<T> Empty => default;

    public ImmutableArray<T> Items => _items.IsDefault ? [] : _items;

    public int Count => Items.Length;

    public bool IsEmpty => Count == 0;

    public T this[int index] => Items[index];

    public static implicit operator EquatableArray<T>(ImmutableArray<T> items) => new(items);

    public static implicit operator EquatableArray<T>(T[] items) => new(items.ToImmutableArray());

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    public bool Equals(EquatableArray<T> other) => Items.AsSpan().SequenceEqual(other.Items.AsSpan(), EqualityComparer<T>.Default);

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public ImmutableArray<T>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable)Items).GetEnumerator();

    public override string ToString() => "[" + string.Join(", ", Items) + "]";
}

/// <summary>Builds <see cref="EquatableArray{T}"/> values, e.g. from collection expressions.</summary>
public static class EquatableArray
{
    public static EquatableArray<T> Create<T>(ReadOnlySpan<T> items) => new(ImmutableArray.Create(items));
}

/// <summary>A string-to-string map (<c>external_ids</c>, <c>options</c>) kept sorted by key, comparing by content.</summary>
public sealed class StringMap : IEquatable<StringMap>, IReadOnlyDictionary<string, string>
{
    private readonly ImmutableSortedDictionary<string, string> _entries;

    public StringMap(IEnumerable<KeyValuePair<string, string>> entries)
    {
        _entries = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, entries);
    }

    public static StringMap Empty { get; } = new([]);

    public int Count => _entries.Count;

    public IEnumerable<string> Keys => _entries.Keys;

    public IEnumerable<string> Values => _entries.Values;

    public string this[string key] => _entries[key];

    public bool ContainsKey(string key) => _entries.ContainsKey(key);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value) => _entries.TryGetValue(key, out value);

    public string? Get(string key) => _entries.TryGetValue(key, out var value) ? value : null;

    public bool Equals(StringMap? other) => other is not null && _entries.Count == other._entries.Count && _entries.SequenceEqual(other._entries);

    public override bool Equals(object? obj) => Equals(obj as StringMap);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in _entries)
        {
            hash.Add(key);
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => "{" + string.Join(", ", _entries.Select(e => $"{e.Key}={e.Value}")) + "}";
}
