using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OvnAcl.Kubernetes.Input;

/// <summary>
/// The field path (<c>spec.ingress[0].podSelecter</c>) of the node a deserialization error points at, so an unknown or
/// mistyped field is located like every validation error and not only by line.
/// </summary>
internal static class YamlFieldPath
{
    /// <summary>The path to the key or value that starts at <paramref name="at"/>, or null when none does.</summary>
    public static string? At(string text, Mark at)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new GuardedYamlParser(new Parser(new StringReader(text))));
        }
        catch (YamlException)
        {
            return null;
        }

        return stream.Documents.Count == 0 ? null : Find(stream.Documents[0].RootNode, at.Index, "");
    }

    private static string? Find(YamlNode node, long index, string path)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode { Value: { } k } ? k : "?";
                    var child = path.Length == 0 ? name : path + "." + name;
                    if (key.Start.Index == index)
                    {
                        return child;
                    }

                    if (Find(value, index, child) is { } found)
                    {
                        return found;
                    }
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    if (Find(sequence.Children[i], index, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]") is { } found)
                    {
                        return found;
                    }
                }

                break;
        }

        return node.Start.Index == index && path.Length > 0 ? path : null;
    }
}
