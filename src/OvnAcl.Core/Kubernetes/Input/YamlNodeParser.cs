using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace OvnAcl.Kubernetes.Input;

/// <summary>
/// The events of a YAML node tree, with the marks its nodes were read at, for the deserializer: the loader reads a
/// document once into nodes, edits them (drops <c>status</c>, unknown context fields) and deserializes the result,
/// and an error still names the line of the original text. An anchored node met again is replayed as an alias, so
/// merge keys and the expansion bound behave as when reading the text.
/// </summary>
internal sealed class YamlNodeParser : IParser
{
    private readonly IEnumerator<ParsingEvent> _events;

    public YamlNodeParser(YamlNode root)
    {
        _events = Events(root).GetEnumerator();
    }

    public ParsingEvent? Current { get; private set; }

    public bool MoveNext()
    {
        if (!_events.MoveNext())
        {
            Current = null;
            return false;
        }

        Current = _events.Current;
        return true;
    }

    private static IEnumerable<ParsingEvent> Events(YamlNode root)
    {
        yield return new StreamStart();
        yield return new DocumentStart(null, null, true, root.Start, root.Start);
        var seen = new HashSet<YamlNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(YamlNode Node, bool End)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (node, end) = stack.Pop();
            var start = node.Start;
            var finish = node.End;
            if (end)
            {
                yield return node is YamlMappingNode ? new MappingEnd(in finish, in finish) : new SequenceEnd(in finish, in finish);
                continue;
            }

            if (!node.Anchor.IsEmpty && !seen.Add(node))
            {
                yield return new AnchorAlias(node.Anchor, start, finish);
                continue;
            }

            switch (node)
            {
                case YamlScalarNode scalar:
                    yield return new Scalar(node.Anchor, node.Tag, scalar.Value ?? "", scalar.Style, node.Tag.IsEmpty, node.Tag.IsEmpty, start, finish);
                    break;
                case YamlMappingNode mapping:
                    yield return new MappingStart(node.Anchor, node.Tag, node.Tag.IsEmpty, mapping.Style, start, finish);
                    stack.Push((node, true));
                    foreach (var (key, value) in mapping.Children.Reverse())
                    {
                        stack.Push((value, false));
                        stack.Push((key, false));
                    }

                    break;
                case YamlSequenceNode sequence:
                    yield return new SequenceStart(node.Anchor, node.Tag, node.Tag.IsEmpty, sequence.Style, start, finish);
                    stack.Push((node, true));
                    for (var i = sequence.Children.Count - 1; i >= 0; i--)
                    {
                        stack.Push((sequence.Children[i], false));
                    }

                    break;
                default:
                    throw new YamlException(start, finish, "an alias to an anchor not defined before it");
            }
        }

        yield return new DocumentEnd(true, root.End, root.End);
        yield return new StreamEnd();
    }
}
