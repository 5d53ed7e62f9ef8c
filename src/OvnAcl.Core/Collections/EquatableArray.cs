using System.Collections;
using System.Collections.Immutable;

namespace OvnAcl.Collections;

/// <summary>
/// An immutable array that compares by content, so records holding it (rows the reconciler diffs) have value
/// equality. <see cref="ImmutableArray{T}"/> alone compares by reference.
/// </summary>
[System.Runtime.CompilerServices.CollectionBuilder(typeof(EquatableArray), nameof(EquatableArray.Create))]
public readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
{
    private readonly ImmutableArray<T> _items;

    /// <summary>Wraps <paramref name="items"/> without copying.</summary>
    public EquatableArray(ImmutableArray<T> items) => _items = items;

    /// <summary>Copies <paramref name="items"/> into an immutable array.</summary>
    public EquatableArray(IEnumerable<T> items) => _items = [.. items];

    /// <summary>No elements.</summary>
    public static EquatableArray<T> Empty => new(ImmutableArray<T>.Empty);

    /// <summary>The elements; empty (never default) for a default-constructed value.</summary>
    public ImmutableArray<T> Items => _items.IsDefault ? [] : _items;

    /// <summary>How many elements there are.</summary>
    public int Count => Items.Length;

    /// <summary>True when there are no elements.</summary>
    public bool IsEmpty => Items.IsEmpty;

    /// <summary>The element at <paramref name="index"/>.</summary>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is outside the array.</exception>
    public T this[int index] => Items[index];

    /// <summary>Same elements in the same order, each compared with its own <c>Equals</c> (unlike <see cref="ImmutableArray{T}"/>, which compares references).</summary>
    public bool Equals(EquatableArray<T> other) => Items.AsSpan().SequenceEqual(other.Items.AsSpan(), EqualityComparer<T>.Default);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    /// <summary>Enumerates the elements without allocating.</summary>
    public ImmutableArray<T>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable)Items).GetEnumerator();

    /// <summary>Same elements in the same order.</summary>
    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    /// <summary>Different elements or order.</summary>
    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    /// <summary>Wraps an immutable array without copying.</summary>
    public static implicit operator EquatableArray<T>(ImmutableArray<T> items) => new(items);

    /// <summary>Copies an array.</summary>
    public static implicit operator EquatableArray<T>(T[] items) => new(ImmutableArray.Create(items));

    /// <summary>The elements in brackets, for messages and test output.</summary>
    public override string ToString() => $"[{string.Join(", ", Items)}]";
}

/// <summary>Factory methods, so collection expressions and LINQ results convert with little ceremony.</summary>
public static class EquatableArray
{
    /// <summary>An array of <paramref name="items"/>, e.g. <c>EquatableArray.Create("a", "b")</c>.</summary>
    public static EquatableArray<T> Create<T>(params ReadOnlySpan<T> items) => new(ImmutableArray.Create(items));

    /// <summary>Copies <paramref name="items"/> into an <see cref="EquatableArray{T}"/>.</summary>
    public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items) => new(items);

    /// <summary>Sorted ordinally and without duplicates: the form of an OVSDB set of strings.</summary>
    public static EquatableArray<string> ToSortedSet(this IEnumerable<string> items) =>
        new(items.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
}
