using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using OvnAcl.Kubernetes.Input;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OvnAcl.Kubernetes;

/// <summary>
/// Reads NetworkPolicies, Pods and Namespaces from YAML or JSON files: several documents per file, <c>kind: List</c>
/// (and <c>PodList</c>, …), directories recursively (<c>*.yaml</c>, <c>*.yml</c>, <c>*.json</c>, in ordinal order).
/// Documents are read strictly: an unknown or mistyped field is a diagnostic, as are unknown kinds and unreadable
/// files, each naming the file, the document and the object.
/// </summary>
public static class KubernetesInputLoader
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public static async Task<KubernetesInput> LoadAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var result = KubernetesInput.Empty;
        foreach (var path in paths)
        {
            IEnumerable<string> files;
            if (Directory.Exists(path))
            {
                files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal);
            }
            else if (File.Exists(path))
            {
                files = [path];
            }
            else
            {
                result = result.Concat(Failed(path, "no such file or directory"));
                continue;
            }

            foreach (var file in files)
            {
                string text;
                try
                {
                    text = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    result = result.Concat(Failed(file, ex.Message));
                    continue;
                }

                result = result.Concat(LoadText(text, file));
            }
        }

        return result;
    }

    /// <summary>Reads one file's content; <paramref name="file"/> is only used to name where objects and problems are.</summary>
    public static KubernetesInput LoadText(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        var builder = new Builder(file);
        var trimmed = text.TrimStart();
        if (Path.GetExtension(file).Equals(".json", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith('{'))
        {
            builder.ReadJson(text);
        }
        else
        {
            builder.ReadYaml(text);
        }

        return builder.Build();
    }

    private static KubernetesInput Failed(string path, string message) =>
        new([], [], [], [Diagnostic.Error(CompileDiagnosticCodes.UnreadableInput, message, new DiagnosticLocation(new ObjectSource(path)))]);

    private sealed class Builder(string file)
    {
        private readonly List<SourcedObject<V1NetworkPolicy>> _policies = [];
        private readonly List<SourcedObject<V1Pod>> _pods = [];
        private readonly List<SourcedObject<V1Namespace>> _namespaces = [];
        private readonly List<SourcedObject<V1Node>> _nodes = [];
        private readonly List<Diagnostic> _diagnostics = [];

        public KubernetesInput Build() => new([.. _policies], [.. _pods], [.. _namespaces], [.. _diagnostics], [.. _nodes]);

        public void ReadJson(string text)
        {
            var source = new ObjectSource(file);
            try
            {
                using var document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    Error(CompileDiagnosticCodes.UnparseableDocument, "expected a JSON object (a Kubernetes object or a List)", source);
                    return;
                }

                if (!TryStringField(root, "apiVersion", source, out var apiVersion) || !TryStringField(root, "kind", source, out var kind))
                {
                    return;
                }

                if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal))
                {
                    var items = root.TryGetProperty("items", out var i) && i.ValueKind == JsonValueKind.Array ? i.EnumerateArray().ToList() : [];
                    for (var index = 0; index < items.Count; index++)
                    {
                        var item = items[index];
                        var itemSource = source with { Item = index };
                        if (item.ValueKind != JsonValueKind.Object)
                        {
                            Error(CompileDiagnosticCodes.UnparseableDocument, "a List item must be an object", itemSource);
                            continue;
                        }

                        if (!TryStringField(item, "apiVersion", itemSource, out var itemApi) || !TryStringField(item, "kind", itemSource, out var itemKind))
                        {
                            continue;
                        }

                        Add(itemApi ?? ItemApiVersion(apiVersion, kind), itemKind ?? ItemKind(kind), JsonSerializer.Serialize(item), NameOf(item), itemSource, 0);
                    }

                    return;
                }

                // Compact JSON is YAML flow syntax: the strict YAML reader checks it like any other document.
                Add(apiVersion, kind, JsonSerializer.Serialize(root), NameOf(root), source, 0);
            }
            catch (Exception ex) when (ex is JsonException or ArgumentException) // ArgumentException: an unpaired surrogate in the text
            {
                Error(CompileDiagnosticCodes.UnparseableDocument,
                    $"not JSON: {ex.Message}", source);
            }
        }

        public void ReadYaml(string text)
        {
            var document = 0;
            foreach (var (chunk, firstLine) in SplitDocuments(text))
            {
                var stream = new YamlStream();
                var parser = new GuardedYamlParser(new Parser(new StringReader(chunk)));
                try
                {
                    stream.Load(parser);
                }
                catch (YamlException ex)
                {
                    document++;
                    // An error at the end of the document (an unclosed bracket) is reported past its last line: name that line instead.
                    var lastLine = firstLine + Math.Max(0, chunk.Count(c => c == '\n') - 1);
                    Error(CompileDiagnosticCodes.UnparseableDocument,
                        $"not YAML at line {Math.Min(firstLine + ex.Start.Line - 1, lastLine)}: {ex.Message}", new ObjectSource(file, document));
                    continue;
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                {
                    // YamlDotNet's representation model fails so on some malformed documents (found by fuzzing).
                    document++;
                    Error(CompileDiagnosticCodes.UnparseableDocument,
                        $"not YAML after line {firstLine + Math.Max(1, parser.LastGood.Line) - 1}: {ex.Message}", new ObjectSource(file, document));
                    continue;
                }

                if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" or "null" })
                {
                    continue; // an empty document (comments only, a trailing ---)
                }

                document++;
                var source = new ObjectSource(file, document);
                if (stream.Documents[0].RootNode is not YamlMappingNode root)
                {
                    Error(CompileDiagnosticCodes.UnparseableDocument, "expected a mapping (a Kubernetes object or a List)", source);
                    continue;
                }

                var apiVersion = Scalar(root, "apiVersion");
                var kind = Scalar(root, "kind");
                if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal))
                {
                    var items = root.Children.TryGetValue(new YamlScalarNode("items"), out var node) && node is YamlSequenceNode seq ? seq.Children : [];
                    for (var index = 0; index < items.Count; index++)
                    {
                        var itemSource = source with { Item = index };
                        if (items[index] is not YamlMappingNode item)
                        {
                            Error(CompileDiagnosticCodes.UnparseableDocument, "a List item must be a mapping", itemSource);
                            continue;
                        }

                        var itemText = new StringWriter();
                        new YamlStream(new YamlDocument(item)).Save(itemText, assignAnchors: false);
                        Add(Scalar(item, "apiVersion") ?? ItemApiVersion(apiVersion, kind), Scalar(item, "kind") ?? ItemKind(kind),
                            itemText.ToString(), NameOf(item), itemSource, 0);
                    }

                    continue;
                }

                Add(apiVersion, kind, chunk, NameOf(root), source, firstLine - 1);
            }
        }

        private void Add(string? apiVersion, string? kind, string text, string? name, ObjectSource source, int lineOffset)
        {
            var where = kind is null ? null : kind + (name is null ? "" : " " + name);
            try
            {
                switch (apiVersion, kind)
                {
                    case ("networking.k8s.io/v1", "NetworkPolicy"):
                        _policies.Add(new(StrictKubernetesYaml.Deserialize<V1NetworkPolicy>(text), source));
                        break;
                    case ("v1", "Pod"):
                        _pods.Add(new(StrictKubernetesYaml.Deserialize<V1Pod>(text), source));
                        break;
                    case ("v1", "Namespace"):
                        _namespaces.Add(new(StrictKubernetesYaml.Deserialize<V1Namespace>(text), source));
                        break;
                    case ("v1", "Node"):
                        _nodes.Add(new(StrictKubernetesYaml.Deserialize<V1Node>(text), source));
                        break;
                    case (_, null):
                        Error(CompileDiagnosticCodes.UnknownKind, "no kind: expected a NetworkPolicy, Pod, Namespace, Node or List", source, where, "kind");
                        break;
                    case (_, "NetworkPolicy" or "Pod" or "Namespace" or "Node"):
                        Error(CompileDiagnosticCodes.UnknownKind,
                            $"apiVersion '{apiVersion}' is not supported for {kind} (expected {(kind == "NetworkPolicy" ? "networking.k8s.io/v1" : "v1")})",
                            source, where, "apiVersion");
                        break;
                    default:
                        Error(CompileDiagnosticCodes.UnknownKind, $"kind '{kind}' is not a NetworkPolicy, Pod, Namespace, Node or List", source, where, "kind");
                        break;
                }
            }
            catch (YamlException ex)
            {
                var line = lineOffset + ex.Start.Line;
                var message = ex.InnerException is { } inner ? ex.Message + " " + inner.Message : ex.Message;
                Error(CompileDiagnosticCodes.UnparseableDocument,
                    (lineOffset > 0 || source.Item is null ? $"line {line.ToString(CultureInfo.InvariantCulture)}: " : "") + message,
                    source, where, YamlFieldPath.At(text, ex.Start));
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // The deserializer's own failures on hostile text, as the representation model's in ReadYaml.
                Error(CompileDiagnosticCodes.UnparseableDocument, ex.Message, source, where, null);
            }
        }

        /// <summary>A top-level string field, null when absent; false (with an error naming the field) when it is not a string.</summary>
        private bool TryStringField(JsonElement element, string name, ObjectSource source, out string? value)
        {
            value = null;
            if (!element.TryGetProperty(name, out var field) || field.ValueKind == JsonValueKind.Null)
            {
                return true;
            }

            if (field.ValueKind != JsonValueKind.String)
            {
                Error(CompileDiagnosticCodes.UnparseableDocument, $"{name} must be a string, not {field.ValueKind.ToString().ToLowerInvariant()}", source, null, name);
                return false;
            }

            value = field.GetString();
            return true;
        }

        private void Error(string code, string message, ObjectSource source, string? where = null, string? field = null) =>
            _diagnostics.Add(Diagnostic.Error(code, message, new DiagnosticLocation(source, where, field)));

        private static string? ItemApiVersion(string? listApiVersion, string listKind) =>
            listKind == "NetworkPolicyList" ? "networking.k8s.io/v1" : listKind is "PodList" or "NamespaceList" or "NodeList" ? "v1" : listApiVersion;

        private static string? ItemKind(string listKind) => listKind == "List" ? null : listKind[..^"List".Length];

        private static string? Scalar(YamlMappingNode node, string key) =>
            node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

        private static string? NameOf(YamlMappingNode node)
        {
            if (!node.Children.TryGetValue(new YamlScalarNode("metadata"), out var m) || m is not YamlMappingNode metadata)
            {
                return null;
            }

            var name = Scalar(metadata, "name");
            var ns = Scalar(metadata, "namespace");
            return name is null ? null : ns is null ? name : ns + "/" + name;
        }

        private static string? NameOf(JsonElement element)
        {
            if (!element.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var name = metadata.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            var ns = metadata.TryGetProperty("namespace", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            return name is null ? null : ns is null ? name : ns + "/" + name;
        }

        /// <summary>Documents split at <c>---</c> lines (YAML's document marker at column 0), each with its first line number.</summary>
        private static IEnumerable<(string Text, int FirstLine)> SplitDocuments(string text)
        {
            var lines = text.ReplaceLineEndings("\n").Split('\n');
            var current = new StringBuilder();
            var first = 1;
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                if (line == "---" || line.StartsWith("--- ", StringComparison.Ordinal) || line.StartsWith("---\t", StringComparison.Ordinal))
                {
                    yield return (current.ToString(), first);
                    current.Clear();
                    first = i + 2;
                    var rest = line[3..].Trim();
                    if (rest.Length > 0 && !rest.StartsWith('#'))
                    {
                        // Content on the marker line itself (`--- {…}`): keep it, on its own line.
                        current.Append(rest).Append('\n');
                        first = i + 1;
                    }

                    continue;
                }

                current.Append(line).Append('\n');
            }

            yield return (current.ToString(), first);
        }
    }
}
