using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace OvnAcl.Kubernetes.Input;

/// <summary>
/// YamlDotNet's parser with a nesting limit. Its representation model and deserializer recurse once per level, so
/// <c>a: [[[[…</c> 100,000 deep overflowed the stack and killed the process; deeper than <see cref="MaxDepth"/>
/// is now a <see cref="YamlException"/> at the offending node, which the loader reports as an unparseable document.
/// </summary>
internal sealed class DepthLimitedYamlParser(IParser inner) : IParser
{
    /// <summary>As deep as the JSON path allows (System.Text.Json's default); Kubernetes objects nest about 10 levels.</summary>
    public const int MaxDepth = 64;

    private int _depth;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

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
