using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace OvnAcl.Match;

/// <summary>What <c>$name</c> and <c>@name</c> stand for when evaluating: the NB's Address_Set and Port_Group contents.</summary>
public interface IMatchContext
{
    /// <summary>The entries of address set <paramref name="name"/> (without the <c>$</c>), including the <c>$pg_ip4</c>/<c>$pg_ip6</c> ones OVN derives from port groups.</summary>
    bool TryGetAddressSet(string name, [NotNullWhen(true)] out IReadOnlyList<MatchConstant>? addresses);

    /// <summary>The logical port names in port group <paramref name="name"/> (without the <c>@</c>).</summary>
    bool TryGetPortGroup(string name, [NotNullWhen(true)] out IReadOnlySet<string>? ports);
}

/// <summary>An immutable <see cref="IMatchContext"/> built up with <see cref="WithAddressSet"/> and <see cref="WithPortGroup"/>.</summary>
public sealed class MatchContext : IMatchContext
{
    private readonly ImmutableDictionary<string, IReadOnlyList<MatchConstant>> _addressSets;
    private readonly ImmutableDictionary<string, IReadOnlySet<string>> _portGroups;

    private MatchContext(
        ImmutableDictionary<string, IReadOnlyList<MatchConstant>> addressSets,
        ImmutableDictionary<string, IReadOnlySet<string>> portGroups)
    {
        _addressSets = addressSets;
        _portGroups = portGroups;
    }

    /// <summary>No address sets and no port groups: any <c>$set</c> or <c>@group</c> is unknown.</summary>
    public static MatchContext Empty { get; } = new(
        ImmutableDictionary.Create<string, IReadOnlyList<MatchConstant>>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, IReadOnlySet<string>>(StringComparer.Ordinal));

    /// <summary>
    /// Adds (or replaces) an address set. Entries are written as in the NB Address_Set <c>addresses</c> column:
    /// <c>10.0.0.1</c>, <c>10.0.0.0/24</c>, <c>fd00::/64</c>, <c>0a:00:00:00:00:01</c>.
    /// </summary>
    /// <exception cref="FormatException">An entry is not an address OVN would read.</exception>
    public MatchContext WithAddressSet(string name, params IEnumerable<string> addresses) =>
        new(_addressSets.SetItem(name, addresses.Select(NumericLiteral.ParseEntry).ToImmutableArray()), _portGroups);

    /// <summary>A copy in which <c>@name</c> holds <paramref name="ports"/>.</summary>
    public MatchContext WithPortGroup(string name, params IEnumerable<string> ports) =>
        new(_addressSets, _portGroups.SetItem(name, ports.ToImmutableHashSet(StringComparer.Ordinal)));

    /// <summary>The addresses of <c>$name</c>, if the context has that address set.</summary>
    public bool TryGetAddressSet(string name, [NotNullWhen(true)] out IReadOnlyList<MatchConstant>? addresses) =>
        _addressSets.TryGetValue(name, out addresses);

    /// <summary>The ports of <c>@name</c>, if the context has that port group.</summary>
    public bool TryGetPortGroup(string name, [NotNullWhen(true)] out IReadOnlySet<string>? ports) =>
        _portGroups.TryGetValue(name, out ports);
}
