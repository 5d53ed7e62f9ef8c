using System.Collections.Concurrent;

namespace OvnAcl.Match;

/// <summary>
/// Field and predicate names, interned: a program parses the same few dozen (<c>ip4.src</c>, <c>outport</c>, …) in
/// every match, so the lexer hands out one string per name instead of a new one per occurrence. Bounded, so that
/// arbitrary input cannot grow it without limit; names past the bound are simply allocated.
/// </summary>
internal static class Names
{
    private const int MaxNames = 1024;
    private const int MaxLength = 64;

    private static readonly ConcurrentDictionary<string, string> Interned = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> BySpan =
        Interned.GetAlternateLookup<ReadOnlySpan<char>>();

    public static string Get(ReadOnlySpan<char> name)
    {
        if (BySpan.TryGetValue(name, out var known))
        {
            return known;
        }

        var text = name.ToString();
        if (name.Length <= MaxLength && Interned.Count < MaxNames)
        {
            Interned.TryAdd(text, text);
        }

        return text;
    }
}
