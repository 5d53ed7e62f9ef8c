using OvnAcl.Collections;
using OvnAcl.Kubernetes.Model;

namespace OvnAcl.Kubernetes.Incremental;

/// <summary>
/// Finds the entries whose label selector may match a set of labels without testing every entry: an entry is filed
/// under the values of one of its <c>In</c> requirements (the one with fewest values), so a pod's labels look up only
/// the entries that name one of them; entries with no <c>In</c> requirement (<c>{}</c>, only <c>NotIn</c>/<c>Exists</c>)
/// are always candidates. Candidates still have to be matched in full.
/// </summary>
internal sealed class SelectorIndex<T>
    where T : class
{
    private readonly Dictionary<(string Key, string Value), HashSet<T>> _anchored = [];
    private readonly HashSet<T> _unanchored = [];

    public int Count { get; private set; }

    public void Add(LabelSelectorModel selector, T entry)
    {
        if (Anchor(selector) is { } anchor)
        {
            foreach (var value in anchor.Values)
            {
                if (!_anchored.TryGetValue((anchor.Key, value), out var set))
                {
                    _anchored[(anchor.Key, value)] = set = [];
                }

                set.Add(entry);
            }
        }
        else
        {
            _unanchored.Add(entry);
        }

        Count++;
    }

    public void Remove(LabelSelectorModel selector, T entry)
    {
        if (Anchor(selector) is { } anchor)
        {
            foreach (var value in anchor.Values)
            {
                if (_anchored.TryGetValue((anchor.Key, value), out var set) && set.Remove(entry) && set.Count == 0)
                {
                    _anchored.Remove((anchor.Key, value));
                }
            }
        }
        else
        {
            _unanchored.Remove(entry);
        }

        Count--;
    }

    /// <summary>Adds to <paramref name="into"/> every entry that may match <paramref name="labels"/>.</summary>
    /// <remarks>
    /// Runs on every pod event, so it allocates nothing: the labels' struct enumerator, and sets copied in loops
    /// (<see cref="HashSet{T}.UnionWith"/> would box each set's enumerator).
    /// </remarks>
    public void Candidates(EquatableMap labels, HashSet<T> into)
    {
        AddAll(_unanchored, into);
        if (_anchored.Count == 0)
        {
            return;
        }

        foreach (var (key, value) in labels)
        {
            if (_anchored.TryGetValue((key, value), out var set))
            {
                AddAll(set, into);
            }
        }
    }

    private static void AddAll(HashSet<T> from, HashSet<T> into)
    {
        foreach (var entry in from)
        {
            into.Add(entry);
        }
    }

    private static LabelRequirement? Anchor(LabelSelectorModel selector)
    {
        LabelRequirement? best = null;
        foreach (var requirement in selector.Requirements)
        {
            if (requirement.Operator == SelectorOperator.In && (best is null || requirement.Values.Count < best.Values.Count))
            {
                best = requirement;
            }
        }

        return best;
    }
}
