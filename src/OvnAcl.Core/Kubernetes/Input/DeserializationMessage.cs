using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OvnAcl.Kubernetes.Input;

/// <summary>
/// A deserializer's error in the words of the input: "expected a list, not the string 'Ingress'" where YamlDotNet says
/// "Invalid cast from 'System.String' to 'System.Collections.Generic.IList`1[[…]]'". No .NET type name reaches a user.
/// </summary>
internal static partial class DeserializationMessage
{
    public static string Describe(YamlMappingNode root, YamlException error)
    {
        var text = error.Message + " " + error.InnerException?.Message + " " + error.InnerException?.InnerException?.Message;
        var found = YamlTree.Descendants(root, "").Select(d => d.Node).FirstOrDefault(n => n.Start.Index == error.Start.Index);
        var expected = Expected(text);
        if (expected is not null && found is not null)
        {
            return $"expected {expected}, not {Describe(found)}";
        }

        return WithoutTypeNames(error.InnerException is { } inner ? error.Message + " " + inner.Message : error.Message);
    }

    /// <summary>The message with .NET type names replaced by what they stand for in the input.</summary>
    public static string WithoutTypeNames(string message) =>
        TypeName().Replace(message.Replace("Exception during deserialization", "cannot read this value", StringComparison.Ordinal),
            m => "'" + (Kind(m.Value) ?? "value") + "'").Trim();

    private static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        YamlScalarNode { Value: null or "" } => "an empty value",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        _ => "this value",
    };

    private static string? Expected(string text)
    {
        // "Invalid cast from 'A' to 'B'", "Expected 'X', got 'Y'", "... was not recognized as a valid Boolean", …
        var to = CastTarget().Match(text);
        if (to.Success)
        {
            return Kind(to.Groups[1].Value);
        }

        if (text.Contains("valid Boolean", StringComparison.Ordinal) || text.Contains("valid YAML Boolean", StringComparison.Ordinal))
        {
            return "true or false";
        }

        if (text.Contains("was not in a correct format", StringComparison.Ordinal) || text.Contains("too large or too small", StringComparison.Ordinal))
        {
            return "a number";
        }

        var expected = ExpectedEvent().Match(text);
        return expected.Success ? expected.Groups[1].Value switch
        {
            "Scalar" => "a single value",
            "MappingStart" => "a mapping",
            "SequenceStart" => "a list",
            _ => null,
        } : null;
    }

    private static string? Kind(string type) => type switch
    {
        _ when type.Contains("IList", StringComparison.Ordinal) || type.Contains("List`1", StringComparison.Ordinal) => "a list",
        _ when type.Contains("IDictionary", StringComparison.Ordinal) || type.Contains("Dictionary`2", StringComparison.Ordinal) => "a mapping of strings",
        _ when type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) || type.Contains("Double", StringComparison.Ordinal) => "a number",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ when type.Contains("DateTime", StringComparison.Ordinal) => "a date and time",
        _ when type.Contains("String", StringComparison.Ordinal) => "a string",
        _ when type.Contains("k8s.Models", StringComparison.Ordinal) || type.Contains("IntOrString", StringComparison.Ordinal) => type.Contains("IntOrString", StringComparison.Ordinal) ? "a number or a name" : "a mapping",
        _ => null,
    };

    [GeneratedRegex(@"(?:\bto|instance of type|into type) '?((?:System|k8s)\.[^',]+)")]
    private static partial Regex CastTarget();

    [GeneratedRegex(@"Expected '(\w+)'")]
    private static partial Regex ExpectedEvent();

    [GeneratedRegex(@"'(System|k8s|YamlDotNet)\.[^']*'|\b(System|k8s|YamlDotNet)\.[\w.`]+(, [\w.]+)?(, (Version|Culture|PublicKeyToken)=[\w.]+)*")]
    private static partial Regex TypeName();
}
