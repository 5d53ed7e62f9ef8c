using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OvnAcl.Kubernetes.Input;

/// <summary>A key found in a tree: its mapping, the key node, its name, its path (<c>spec.containers[0].x</c>) and that path with indices dropped (<c>spec.containers[].x</c>).</summary>
internal sealed record YamlKey(YamlMappingNode Parent, YamlNode Key, string Name, string Path, string Pattern);

/// <summary>Walks and edits the node trees the loader reads objects into.</summary>
internal static partial class YamlTree
{
    public static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>Every node under <paramref name="node"/> that is a mapping's value or a list's item, with its path.</summary>
    public static IEnumerable<(string Path, YamlNode Node)> Descendants(YamlNode node, string path)
    {
        var stack = new Stack<(string, YamlNode)>();
        stack.Push((path, node));
        while (stack.Count > 0)
        {
            var (at, current) = stack.Pop();
            switch (current)
            {
                case YamlMappingNode mapping:
                    foreach (var (key, value) in mapping.Children)
                    {
                        var child = at + "." + (key is YamlScalarNode { Value: { } k } ? k : "?");
                        yield return (child, value);
                        stack.Push((child, value));
                    }

                    break;
                case YamlSequenceNode sequence:
                    for (var i = 0; i < sequence.Children.Count; i++)
                    {
                        var child = $"{at}[{i.ToString(CultureInfo.InvariantCulture)}]";
                        yield return (child, sequence.Children[i]);
                        stack.Push((child, sequence.Children[i]));
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// What a plain (unquoted, untagged) scalar is read as other than a string, by the YAML 1.1 rules kubectl's
    /// YAML-to-JSON conversion applies (<c>yes</c>, <c>on</c> and <c>true</c> are booleans, <c>y</c> is left a string; <c>2</c>, <c>0x1f</c>,
    /// <c>1e3</c> numbers; <c>~</c> and <c>null</c> null); null when it is a string.
    /// </summary>
    public static string? PlainType(YamlScalarNode scalar)
    {
        if (scalar.Style != ScalarStyle.Plain || !scalar.Tag.IsEmpty || scalar.Value is not { } value)
        {
            return null;
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => "null",
            "yes" or "Yes" or "YES" or "no" or "No" or "NO" or "true" or "True" or "TRUE"
                or "false" or "False" or "FALSE" or "on" or "On" or "ON" or "off" or "Off" or "OFF" => "a boolean",
            _ when Number().IsMatch(value) => "a number",
            _ => null,
        };
    }

    /// <summary>The key a deserializer's "property not found" error points at, or null when it is another error.</summary>
    public static YamlKey? UnknownKeyAt(YamlMappingNode root, YamlException error)
    {
        if (!error.Message.StartsWith("Property '", StringComparison.Ordinal) || !error.Message.Contains("' not found on type", StringComparison.Ordinal))
        {
            return null;
        }

        return Keys(root, "", "").FirstOrDefault(k => k.Key.Start.Index == error.Start.Index);
    }

    /// <summary>The path of the key or value that starts at <paramref name="at"/>, or null when none does.</summary>
    public static string? PathAt(YamlMappingNode root, Mark at)
    {
        foreach (var key in Keys(root, "", ""))
        {
            if (key.Key.Start.Index == at.Index)
            {
                return key.Path;
            }
        }

        foreach (var (path, node) in Descendants(root, ""))
        {
            if (node.Start.Index == at.Index)
            {
                return path.TrimStart('.');
            }
        }

        return null;
    }

    /// <summary>Removes every key matching <paramref name="pattern"/> (<c>spec.containers[].x</c>: any index); returns how many.</summary>
    /// <remarks>Follows the pattern's steps only, so stripping a known unknown field costs its depth, not the object's size.</remarks>
    public static int RemovePath(YamlMappingNode root, string pattern) => Remove(root, pattern.Split('.'), 0);

    private static int Remove(YamlNode node, string[] steps, int index)
    {
        if (node is not YamlMappingNode mapping)
        {
            return 0;
        }

        var step = steps[index];
        var depth = 0;
        while (step.EndsWith("[]", StringComparison.Ordinal))
        {
            step = step[..^2];
            depth++;
        }

        var key = new YamlScalarNode(step);
        if (!mapping.Children.TryGetValue(key, out var value))
        {
            return 0;
        }

        if (index == steps.Length - 1)
        {
            return depth == 0 && mapping.Children.Remove(key) ? 1 : 0;
        }

        IEnumerable<YamlNode> targets = [value];
        for (var i = 0; i < depth; i++)
        {
            targets = targets.OfType<YamlSequenceNode>().SelectMany(sequence => sequence.Children);
        }

        return targets.ToList().Sum(target => Remove(target, steps, index + 1));
    }

    private static IEnumerable<YamlKey> Keys(YamlNode node, string path, string pattern)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode { Value: { } k } ? k : "?";
                    var childPath = path.Length == 0 ? name : path + "." + name;
                    var childPattern = pattern.Length == 0 ? name : pattern + "." + name;
                    yield return new YamlKey(mapping, key, name, childPath, childPattern);
                    foreach (var nested in Keys(value, childPath, childPattern))
                    {
                        yield return nested;
                    }
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    foreach (var nested in Keys(sequence.Children[i], $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", pattern + "[]"))
                    {
                        yield return nested;
                    }
                }

                break;
        }
    }

    /// <summary>
    /// The node as JSON, by the YAML 1.1 rules of <see cref="PlainType"/> (what kubectl sends the API server): plain
    /// scalars that are numbers, booleans or null become those; quoted or tagged scalars stay strings. Numbers that
    /// are not plain decimal integers or decimals (<c>0x1f</c>, <c>.inf</c>) are kept as their text, which every
    /// numeric field then refuses.
    /// </summary>
    public static System.Text.Json.JsonElement ToJson(YamlNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            Write(node, writer);
        }

        using var document = System.Text.Json.JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();

        static void Write(YamlNode node, System.Text.Json.Utf8JsonWriter writer)
        {
            switch (node)
            {
                case YamlMappingNode mapping:
                    writer.WriteStartObject();
                    foreach (var (key, value) in mapping.Children)
                    {
                        writer.WritePropertyName(key is YamlScalarNode { Value: { } k } ? k : "?");
                        Write(value, writer);
                    }

                    writer.WriteEndObject();
                    break;
                case YamlSequenceNode sequence:
                    writer.WriteStartArray();
                    foreach (var item in sequence.Children)
                    {
                        Write(item, writer);
                    }

                    writer.WriteEndArray();
                    break;
                case YamlScalarNode scalar:
                    var text = scalar.Value ?? "";
                    switch (PlainType(scalar))
                    {
                        case "null":
                            writer.WriteNullValue();
                            break;
                        case "a boolean":
                            writer.WriteBooleanValue(text is "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON");
                            break;
                        case "a number" when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer):
                            writer.WriteNumberValue(integer);
                            break;
                        case "a number" when text.All(c => char.IsAsciiDigit(c) || c is '.' or '-' or '+' or 'e' or 'E')
                            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real):
                            writer.WriteNumberValue(real);
                            break;
                        default:
                            writer.WriteStringValue(text);
                            break;
                    }

                    break;
                default:
                    writer.WriteNullValue();
                    break;
            }
        }
    }

    [GeneratedRegex(@"^([-+]?(0|[1-9][0-9_]*)|0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex Number();
}
