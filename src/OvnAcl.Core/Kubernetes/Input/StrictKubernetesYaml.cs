using System.Reflection;
using k8s;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace OvnAcl.Kubernetes.Input;

/// <summary>
/// <see cref="KubernetesYaml.Deserialize{TValue}(string, bool)"/> (strict), without its cap of 100,000 parsing events
/// per document: that cap refused a 5,000-rule NetworkPolicy, which the API server stores without complaint. The cap
/// guards against merge keys (<c>&lt;&lt;: *alias</c>) expanding a small text into a huge one, so the limit here grows
/// with the text instead: expansion stays linear in the input, and nesting is capped by <see cref="GuardedYamlParser"/>.
/// </summary>
internal static class StrictKubernetesYaml
{
    private const int MinimumEvents = 100_000;

    // KubernetesClient keeps its configured deserializer (type converters for IntOrString, quantities, dates, …)
    // private; when a version moves it, the public method (with its cap) is used and the scale tests say so.
    private static readonly IDeserializer? Deserializer =
        typeof(KubernetesYaml).GetMethod("GetDeserializer", BindingFlags.NonPublic | BindingFlags.Static, [typeof(bool)])
            ?.Invoke(null, [true]) as IDeserializer;

    public static T Deserialize<T>(string text)
    {
        if (Deserializer is null)
        {
            return KubernetesYaml.Deserialize<T>(text, strict: true);
        }

        var parser = new MergingParser(new GuardedYamlParser(new Parser(new StringReader(text))), Math.Max(MinimumEvents, text.Length));
        return Deserializer.Deserialize<T>(parser);
    }

    /// <summary>
    /// A node tree read (and edited) by the loader; errors carry the marks of its nodes. The expansion bound grows with
    /// <paramref name="textLength"/>, the length of the text the tree was read from.
    /// </summary>
    public static T Deserialize<T>(YamlNode node, int textLength)
    {
        if (Deserializer is null)
        {
            var text = new StringWriter();
            new YamlStream(new YamlDocument(node)).Save(text, assignAnchors: false);
            return KubernetesYaml.Deserialize<T>(text.ToString(), strict: true);
        }

        return Deserializer.Deserialize<T>(new MergingParser(new YamlNodeParser(node), Math.Max(MinimumEvents, textLength)));
    }
}
