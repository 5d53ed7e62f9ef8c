using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace OvnAcl.Kubernetes.Input;

/// <summary>
/// YamlDotNet's parser with its failures made <see cref="YamlException"/>s at a place, which the loader reports as an
/// unparseable document:
/// <list type="bullet">
/// <item>nesting deeper than <see cref="MaxDepth"/>: its representation model and deserializer recurse once per level,
/// and <c>a: [[[[…</c> 50,000 deep overflowed the stack and killed the process;</item>
/// <item>the <see cref="InvalidOperationException"/> its scanner throws on some malformed text (a U+028B at the
/// start of an indented key, found by fuzzing), reported after the last event read well.</item>
/// </list>
/// </summary>
internal sealed class GuardedYamlParser(IParser inner) : IParser
{
    /// <summary>As deep as the JSON path allows (System.Text.Json's default); Kubernetes objects nest about 10 levels.</summary>
    public const int MaxDepth = 64;

    private int _depth;
    private Mark _lastGood = Mark.Empty;

    public ParsingEvent? Current => inner.Current;

    /// <summary>Where the last event read well ends: the place to name when something fails after it.</summary>
    public Mark LastGood => _lastGood;

    public bool MoveNext()
    {
        bool moved;
        try
        {
            moved = inner.MoveNext();
        }
        catch (InvalidOperationException ex)
        {
            throw new YamlException(_lastGood, _lastGood, "unreadable YAML after this point: " + ex.Message, ex);
        }

        if (!moved)
        {
            return false;
        }

        _lastGood = inner.Current!.End;
        switch (inner.Current)
        {
            case MappingStart or SequenceStart when ++_depth > MaxDepth:
                throw new YamlException(inner.Current.Start, inner.Current.End, $"nested deeper than {MaxDepth} levels");
            case MappingEnd or SequenceEnd:
                _depth--;
                break;
        }

        return true;
    }
}
