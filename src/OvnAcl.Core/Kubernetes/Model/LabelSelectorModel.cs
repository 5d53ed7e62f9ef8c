using System.Text;
using OvnAcl.Collections;

namespace OvnAcl.Kubernetes.Model;

internal enum SelectorOperator
{
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// <summary>One requirement of a label selector; <c>matchLabels: {k: v}</c> is <c>k In (v)</c>. Values sorted and unique.</summary>
internal sealed record LabelRequirement(string Key, SelectorOperator Operator, EquatableArray<string> Values)
{
    /// <summary>Generic in the labels so that an <see cref="EquatableMap"/> (a struct) is not boxed on every pod event.</summary>
    public bool Matches<TLabels>(TLabels labels)
        where TLabels : IReadOnlyDictionary<string, string> => Operator switch
    {
        SelectorOperator.In => labels.TryGetValue(Key, out var v) && HasValue(v),
        SelectorOperator.NotIn => !labels.TryGetValue(Key, out var v) || !HasValue(v),
        SelectorOperator.Exists => labels.ContainsKey(Key),
        SelectorOperator.DoesNotExist => !labels.ContainsKey(Key),
        _ => false,
    };

    private bool HasValue(string value)
    {
        foreach (var candidate in Values)
        {
            if (string.Equals(candidate, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// A label selector in normal form: requirements sorted and merged (equal <c>In</c> requirements on one key intersect,
/// <c>NotIn</c> unite), so selectors meaning the same print the same <see cref="Canonical"/> text, the input of
/// address-set names. The empty selector selects everything.
/// </summary>
internal sealed record LabelSelectorModel(EquatableArray<LabelRequirement> Requirements)
{
    public static LabelSelectorModel All { get; } = new(EquatableArray<LabelRequirement>.Empty);

    /// <summary>
    /// True when no label set can match both selectors, as far as one key tells: <c>In</c> values that do not meet,
    /// <c>In</c> against <c>NotIn</c> of all its values, or a key required (<c>In</c>, <c>Exists</c>) against
    /// <c>DoesNotExist</c>. False means "may overlap", never "overlaps".
    /// </summary>
    public static bool ProvablyDisjoint(LabelSelectorModel a, LabelSelectorModel b)
    {
        foreach (var x in a.Requirements)
        {
            foreach (var y in b.Requirements)
            {
                if (x.Key == y.Key && (Excludes(x, y) || Excludes(y, x)))
                {
                    return true;
                }
            }
        }

        return false;

        static bool Excludes(LabelRequirement x, LabelRequirement y) => (x.Operator, y.Operator) switch
        {
            (SelectorOperator.In, SelectorOperator.In) => !x.Values.Items.Intersect(y.Values.Items, StringComparer.Ordinal).Any(),
            (SelectorOperator.In, SelectorOperator.NotIn) => x.Values.Items.All(v => y.Values.Items.Contains(v, StringComparer.Ordinal)),
            (SelectorOperator.In or SelectorOperator.Exists, SelectorOperator.DoesNotExist) => true,
            _ => false,
        };
    }

    public bool IsAll => Requirements.Count == 0;

    public bool Matches<TLabels>(TLabels labels)
        where TLabels : IReadOnlyDictionary<string, string>
    {
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>app In (web),tier NotIn (a,b),x Exists</c>; empty for the selector of everything.</summary>
    public string Canonical
    {
        get
        {
            var text = new StringBuilder();
            foreach (var r in Requirements)
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }

                text.Append(r.Key).Append(' ').Append(r.Operator);
                if (r.Operator is SelectorOperator.In or SelectorOperator.NotIn)
                {
                    text.Append(" (").Append(string.Join(',', r.Values)).Append(')');
                }
            }

            return text.ToString();
        }
    }

    public override string ToString() => IsAll ? "{}" : Canonical;

    public static LabelSelectorModel Create(IEnumerable<LabelRequirement> requirements)
    {
        var merged = new List<LabelRequirement>();
        foreach (var group in requirements.GroupBy(r => (r.Key, r.Operator)))
        {
            var (key, op) = group.Key;
            switch (op)
            {
                case SelectorOperator.In:
                    // k In A and k In B is k In (A ∩ B); an empty intersection selects nothing and stays so.
                    IEnumerable<string> values = group.First().Values;
                    foreach (var other in group.Skip(1))
                    {
                        values = values.Intersect(other.Values, StringComparer.Ordinal);
                    }

                    merged.Add(new(key, op, values.ToSortedSet()));
                    break;
                case SelectorOperator.NotIn:
                    merged.Add(new(key, op, group.SelectMany(r => r.Values).ToSortedSet()));
                    break;
                default:
                    merged.Add(new(key, op, EquatableArray<string>.Empty));
                    break;
            }
        }

        return new(merged.OrderBy(r => r.Key, StringComparer.Ordinal).ThenBy(r => r.Operator).ToEquatableArray());
    }
}
