using FsCheck;
using FsCheck.Fluent;

namespace OvnAcl.Testing.Fuzz;

/// <summary>
/// Mutations of valid inputs, the way fuzzers find parser bugs: flipped characters, cuts, truncation, duplicated
/// slices, tokens that mean something to YAML, JSON or OVN's lexer, and runs of opening brackets deep enough to test
/// every nesting limit. Shrinking is off (the generators are plain <see cref="Gen{T}"/>): a failing input is saved whole.
/// </summary>
public static class FuzzGen
{
    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", "(", ")", ":", ",", "- ", "---\n", "...\n", "\n", "\r\n", "  ", "\t", "\"", "'", "\\", "#", "&a ", "*a", "<<: *a\n",
        "!!binary ", "!!int ", "? ", "|", ">-", "%YAML 1.2\n", "null", "~", "true", "-1", "0", "65536", "99999999999999999999", "1e400", "-0.0",
        "NaN", "\0", "\uFFFF", "\uD800", "🙂", "&&", "||", "!", "==", "!=", "<=", "$", "@", "/*", "*/", "//", "..", "0x", "10.0.0.0/33", "::",
        "[\"set\",[]]", "[\"map\",[[1]]]", "[\"uuid\",\"x\"]", "[\"named-uuid\",\"\"]", "{\"id\":", "\"method\":\"update3\"", "\"params\":",
    ];

    /// <summary>A relative position, resolved against each text's length (declared first: the mutations below use it as they are built).</summary>
    private static Gen<double> Position { get; } = Gen.Choose(0, 1_000_000).Select(i => i / 1_000_000.0);

    /// <summary>One of the seeds, mutated one to six times.</summary>
    public static Gen<string> Mutated(IReadOnlyList<string> seeds) =>
        from seed in Gen.Elements(seeds.ToArray())
        from count in Gen.Choose(1, 6)
        from mutations in Mutation.ListOf(count)
        select mutations.Aggregate(seed, (text, mutate) => mutate(text));

    /// <summary>Text with no seed: characters and tokens of the formats, nothing else.</summary>
    public static Gen<string> Noise { get; } =
        Gen.OneOf(Gen.Elements(Tokens), Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789._-/ \n".Select(c => c.ToString()).ToArray()))
            .ListOf().Select(parts => string.Concat(parts));

    /// <summary>Arbitrary bytes, mostly printable ASCII with some of everything else.</summary>
    public static Gen<byte[]> Bytes { get; } =
        Gen.Frequency(
                (8, Gen.Choose(0x20, 0x7e).Select(b => (byte)b)),
                (1, Gen.Choose(0, 255).Select(b => (byte)b)))
            .ArrayOf();

    private static Gen<Func<string, string>> Mutation { get; } = Gen.OneOf(
        // Replace one character.
        from at in Position
        from c in Gen.Choose(0, 0x2FF).Select(i => (char)i)
        select (Func<string, string>)(text =>
        {
            if (text.Length == 0)
            {
                return text;
            }

            var i = Index(text, at, inclusive: false);
            return text[..i] + c + text[(i + 1)..];
        }),
        // Insert a token.
        from at in Position
        from token in Gen.Elements(Tokens)
        select (Func<string, string>)(text => text.Insert(Index(text, at, inclusive: true), token)),
        // Delete a slice.
        from at in Position
        from length in Gen.Choose(1, 40)
        select (Func<string, string>)(text =>
        {
            var i = Index(text, at, inclusive: true);
            return text.Remove(i, Math.Min(length, text.Length - i));
        }),
        // Truncate.
        from at in Position
        select (Func<string, string>)(text => text[..Index(text, at, inclusive: true)]),
        // Duplicate a slice in place.
        from at in Position
        from length in Gen.Choose(1, 200)
        select (Func<string, string>)(text =>
        {
            var i = Index(text, at, inclusive: true);
            return text.Insert(i, text.Substring(i, Math.Min(length, text.Length - i)));
        }),
        // Nest deeply: past every limit (64 for YAML and JSON, 100 for matches, 256 for the OVSDB framer).
        from at in Position
        from opener in Gen.Elements("[", "{", "(", "{\"a\":", "a: [", "!(")
        from depth in Gen.Elements(10, 65, 101, 257, 5_000)
        select (Func<string, string>)(text => text.Insert(Index(text, at, inclusive: true), string.Concat(Enumerable.Repeat(opener, depth)))));

    private static int Index(string text, double at, bool inclusive) =>
        Math.Min((int)(at * (text.Length + (inclusive ? 1 : 0))), inclusive ? text.Length : Math.Max(0, text.Length - 1));
}
